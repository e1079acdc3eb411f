#!/bin/sh
# Inside a network namespace ours sees and changes only that namespace's
# IPVS state: services, real servers, connections, timeouts, sync daemons,
# restores and flushes. Namespaces are entered both ways scripts do it:
# a new one with `unshare -n`, an existing one with `nsenter --net`.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
. "$(dirname "$0")/hosts.inc"
in_work_dir

# A second namespace, kept alive by a sleeping process, with its network.
second_namespace 600
in_b() { nsenter --net=/proc/$holder/ns/net "$@"; }

# Namespace A (this check's own): a table, timeouts and a sync daemon.
ipvsadm -C
ipvsadm -A -t 10.0.0.3:80 -s rr || fail "add in A"
ipvsadm -a -t 10.0.0.3:80 -r 10.0.0.11:80 -m -w 2 || fail "add server in A"
ipvsadm --set 800 110 290 || fail "--set in A"
ipvsadm --start-daemon master --mcast-interface lo --syncid 7 || fail "daemon in A"
$REF -Sn >a.before
$REF -L --timeout >a.timeouts
$REF -L --daemon >a.daemon

# Namespace B starts empty, whatever A holds.
[ -z "$(in_b ipvsadm -Sn)" ] || fail "B sees A's services: $(in_b ipvsadm -Sn)"
[ "$(in_b ipvsadm -L --timeout)" = "Timeout (tcp tcpfin udp): 900 120 300" ] ||
    fail "B sees A's timeouts: $(in_b ipvsadm -L --timeout)"
[ -z "$(in_b ipvsadm -L --daemon)" ] || fail "B sees A's daemon"
in_b ipvsadm -Ln >b.list || fail "listing in B"
[ "$(wc -l <b.list)" -eq 3 ] || fail "B's listing is not empty: $(cat b.list)"

# Changes in B, with every kind of command, stay in B.
in_b ipvsadm -A -t 10.0.0.3:80 -s wlc -p 60 || fail "the same service in B"
in_b ipvsadm -a -t 10.0.0.3:80 -r 10.0.0.12:80 -g || fail "add server in B"
in_b ipvsadm -A -u 10.0.0.4:53 -s rr || fail "add udp in B"
in_b ipvsadm --set 700 100 200 || fail "--set in B"
in_b ipvsadm --start-daemon backup --mcast-interface lo --syncid 9 || fail "daemon in B"
printf '%s\n' '-A -t 10.0.0.5:80 -s sh' '-a -t 10.0.0.5:80 -r 10.0.0.13:80 -m' >b.rules
in_b ipvsadm -R <b.rules || fail "-R in B"
in_b ipvsadm -Z || fail "-Z in B"
$REF -Sn >a.after
cmp -s a.before a.after || fail "B's changes reached A: $(diff a.before a.after)"
[ "$($REF -L --timeout)" = "$(cat a.timeouts)" ] || fail "B's --set reached A"
[ "$($REF -L --daemon)" = "$(cat a.daemon)" ] || fail "B's daemon reached A"

# Ours in B reads what the reference reads in B, in every listing form.
for args in -Sn -Ln "-Ln --stats" "-Ln --thresholds" "-L --timeout" "-L --daemon"; do
    # shellcheck disable=SC2086 # several arguments
    in_b $REF $args >ref.out 2>&1
    # shellcheck disable=SC2086
    in_b ipvsadm $args >ours.out 2>&1
    cmp -s ref.out ours.out || fail "ipvsadm $args in B: $(diff ref.out ours.out)"
done
in_b $REF -Sn | grep -q -- '-A -t 10.0.0.5:80 -s sh' || fail "B lacks its restored service"

# Connections: traffic in B shows in B's -c listing only.
in_b sh -c 'for i in 1 2 3; do echo hi | nc -w 1 10.0.0.3 80 >/dev/null 2>&1; done'
in_b ipvsadm -Lnc >b.conns || fail "-Lnc in B"
grep -q '10.0.0.3:80' b.conns || fail "B's connections are missing: $(cat b.conns)"
ipvsadm -Lnc >a.conns || fail "-Lnc in A"
! grep -q '10.0.0.3:80' a.conns || fail "A lists B's connections: $(cat a.conns)"

# ipvsadm-restore and -C in B replace and clear B only.
printf '%s\n' '-A -t 10.0.0.6:80 -s rr' '-a -t 10.0.0.6:80 -r 10.0.0.11:80 -m -w 1' >b.backup
in_b ipvsadm-restore b.backup || fail "ipvsadm-restore in B"
[ "$(in_b $REF -Sn)" = "$(printf '%s\n' '-A -t 10.0.0.6:80 -s rr' '-a -t 10.0.0.6:80 -r 10.0.0.11:80 -m -w 1')" ] ||
    fail "B after ipvsadm-restore: $(in_b $REF -Sn)"
in_b ipvsadm -C || fail "-C in B"
[ -z "$(in_b $REF -Sn)" ] || fail "B not empty after -C"
in_b ipvsadm --stop-daemon backup || fail "stopping B's daemon"
$REF -Sn >a.after
cmp -s a.before a.after || fail "B's restore or flush reached A: $(diff a.before a.after)"
[ "$($REF -L --daemon)" = "$(cat a.daemon)" ] || fail "stopping B's daemon stopped A's"

# A new namespace from unshare: empty as well, and gone with its process.
[ -z "$(unshare -n ipvsadm -Sn)" ] || fail "a new namespace is not empty"
unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1; ipvsadm -A -t 10.0.0.7:80 && ipvsadm -Sn' >c.save ||
    fail "changes in a new namespace"
grep -q 10.0.0.7 c.save || fail "the new namespace did not keep its service"
$REF -Sn >a.after
cmp -s a.before a.after || fail "the unshared namespace reached A"

ipvsadm --stop-daemon master
ipvsadm -C
echo "PASS network-namespaces"
