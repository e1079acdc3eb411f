#!/bin/sh
# Draining in the real kernel: ipvsadm-restore --drain and ipvsadm -d --drain
# keep a real server that holds a TCP connection (at weight 0, its entry
# listed) until the connection is gone, or until the timeout; an interrupted
# drain is finished by the next run; other services' connections stay.
#
# A LAN (a bridge; each host joins it by a veth pair from its own network
# namespace): client 192.168.78.10, director d 192.168.78.1 with the VIP
# 192.168.78.100 (LVS-DR, as on a real network), real server rs
# 192.168.78.20 (the VIP on lo, arp_ignore, TCP echo servers on 80 and 81).
# The director's tcpfin timeout is 1 s: with direct routing IPVS sees the
# client's side only, and the client's FIN puts the entry in FIN_WAIT, so a
# closed connection's entry is gone a second later.
#
# Guest check: ours is `ipvsadm` (first in PATH), with ipvsadm-restore.
set -u
LAN=192.168.78
VIP=$LAN.100
RS=$LAN.20
. "$(dirname "$0")/check.inc"
. "$(dirname "$0")/hosts.inc"
# Connections come and go within a second: look every 0.1 s.
WAIT_STEP_US=100000
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

holders="" helpers=""
cleanup() {
    exec 3>&- 4>&- 5>&-
    # shellcheck disable=SC2086 # lists of process ids
    kill $helpers $holders 2>/dev/null
    ip link del br-drain 2>/dev/null
    cd / && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

now() { cut -d' ' -f1 /proc/uptime; }
stamp() { echo "restore-drain: [$(now)] $*"; }
# netns HOST: HOST's namespace, for `nsenter --net=` of background
# processes (run straight from the shell, so that $! is their own pid).
netns() { eval "echo /proc/\$pid_$1/ns/net"; }
ns_ready() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
# host NAME ADDRESS: a namespace kept by a sleeping process, its eth0 on the LAN.
host() {
    unshare -n sleep 120 &
    eval "pid_$1=$!"
    holders="$holders $!"
    wait_for 5 ns_ready $! || fail "namespace $1 did not come up"
    ip link add "dr-$1" type veth || fail "veth for $1"
    link=$(ip link show "dr-$1")
    peer=${link#*"dr-$1"@}
    peer=${peer%%:*}
    ip link set "$peer" netns "$(eval "echo \$pid_$1")" &&
        ip link set "dr-$1" master br-drain &&
        ip link set "dr-$1" up &&
        on "$1" sh -c "ip link set $peer name eth0 && ip link set lo up &&
            ip link set eth0 up && ip addr add $2/24 dev eth0" ||
        fail "network of $1 ($link)"
}

ip link add br-drain type bridge || fail "no bridge (module bridge)"
ip link set br-drain up || fail "br-drain up"
host client "$LAN.10"
host d "$LAN.1"
host rs "$RS"
on d ip addr add "$VIP/32" dev eth0 || fail "VIP on d"
on rs sh -c "ip addr add $VIP/32 dev lo &&
    sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2" ||
    fail "LVS-DR setup of rs"
for port in 80 81; do
    nsenter --net="$(netns rs)" nc -ll -p "$port" -e cat </dev/null >/dev/null 2>&1 &
    helpers="$helpers $!"
done

# Port 80 drops rs for a server that exists on paper only; port 81 stays as
# it is (its connection must not notice); port 82, persistent, goes.
cat >live <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r $RS:80 -g -w 1
-A -t $VIP:81 -s rr
-a -t $VIP:81 -r $RS:81 -g -w 1
-A -t $VIP:82 -s rr -p 60
-a -t $VIP:82 -r $RS:82 -g -w 1
RULES
cat >file <<RULES
-A -t $VIP:80 -s rr
-a -t $VIP:80 -r $LAN.21:80 -g -w 1
-A -t $VIP:81 -s rr
-a -t $VIP:81 -r $RS:81 -g -w 1
RULES
on d ipvsadm-restore live || fail "restoring the live table"
on d ipvsadm --set 0 1 0 || fail "--set 0 1 0"
on d sysctl -qw net.ipv4.vs.expire_quiescent_template=0 || fail "sysctl"

# connect N PORT: a TCP connection through the director, kept open (its
# input is fifo N, held by this shell on fd 2+N), once echoed.
connect() {
    rm -f "fifo$1"
    mkfifo "fifo$1" || fail "mkfifo"
    nsenter --net="$(netns client)" nc "$VIP" "$2" <"fifo$1" >"conn$1.out" 2>&1 &
    eval "conn$1=$!"
    helpers="$helpers $!"
    eval "exec $(($1 + 2))>fifo$1"
    echo "hello $1" >&$(($1 + 2))
    wait_for 5 grep -q "^hello $1\$" "conn$1.out" || fail "connection $1 to $VIP:$2 got no echo"
}
# entry PORT: the director's connection entries for VIP:PORT (no expiry).
entry() { on d ipvsadm -Lnc | awk -v vip="$VIP:$1" '$5 == vip { print $1, $3, $4, $5, $6 }'; }
# server PORT: the director's line for rs in service VIP:PORT ("" if none).
server() {
    on d ipvsadm -Ln -t "$VIP:$1" 2>/dev/null | awk -v rs="$RS:$1" '$2 == rs { print $3, $4, $5, $6 }'
}
weight0() { [ "$(server "$1" | cut -d' ' -f2)" = 0 ]; }
gone() { [ -z "$(server "$1")" ]; }
running() { kill -0 "$1" 2>/dev/null; }
stopped() { ! running "$1"; }
must_keep_81() {
    [ "$(entry 81)" = "$entry81" ] || fail "$1: the connection of $VIP:81 changed:
$entry81
--- now ---
$(entry 81)"
    [ "$(server 81)" = "Route 1 1 0" ] || fail "$1: rs in $VIP:81 changed: $(server 81)"
}

stamp "hosts up"
connect 1 80
connect 2 81
entry81=$(entry 81)
case $entry81 in *ESTABLISHED*) ;; *) fail "no ESTABLISHED entry for $VIP:81: $entry81" ;; esac

# The plan, with the drain steps.
on d ipvsadm-restore --dry-run --drain=7 file >plan 2>err || fail "--dry-run --drain: $(cat err)"
for want in "-e -t $VIP:80 -r $RS:80 -g -w 0" \
    "-e -t $VIP:82 -r $RS:82 -g -w 0" \
    "# drain: wait until IPVS counts no connection through real server $RS:80 of service -t $VIP:80 (at most 7 s)" \
    "-d -t $VIP:80 -r $RS:80" "-D -t $VIP:82"; do
    grep -qxF -- "$want" plan || fail "the dry run lacks \`$want':
$(cat plan)"
done

stamp "interrupted drain"
# 1. Interrupted: rs stays at weight 0 with its connection; exit 4.
# (At most 30 s: a failure must not hold the guest for the default 300 s.)
nsenter --net="$(netns d)" ipvsadm-restore --drain=30 file 2>err1 &
restore=$!
wait_for 5 grep -q "real server $RS:80 .*1 connection" err1 ||
    fail "no progress line for $RS:80: $(cat err1)"
running "$restore" || fail "the drain ended with a connection open: $(cat err1)"
weight0 80 || fail "rs is not at weight 0 while draining: $(server 80)"
gone 82 || fail "the persistent service's idle server was not deleted: $(on d ipvsadm -Ln)"
on d ipvsadm -Ln | grep -q "$VIP:82" && fail "service $VIP:82 not deleted once drained"
[ -n "$(entry 80)" ] || fail "the connection's entry of $VIP:80 is gone"
kill -INT "$restore"
wait "$restore"
code=$?
[ "$code" = 4 ] || fail "interrupted drain exited $code, not 4: $(cat err1)"
grep -q "interrupted: 1 real server(s) left draining at weight 0" err1 &&
    grep -q "real server $RS:80 of service -t $VIP:80, 1 connection" err1 ||
    fail "the interrupted drain does not name what it left: $(cat err1)"
grep -q "expire_quiescent_template is 0" err1 || fail "no warning for the persistent service: $(cat err1)"
weight0 80 || fail "after the interrupt rs is not at weight 0: $(server 80)"
[ -n "$(entry 80)" ] || fail "the interrupt cut the connection of $VIP:80"
must_keep_81 "interrupted drain"

stamp "second drain"
# 2. The next run finds the drain and finishes it once the connection ends.
nsenter --net="$(netns d)" ipvsadm-restore --drain=30 file 2>err2 &
restore=$!
usleep 600000
running "$restore" || fail "the second drain ended with the connection open: $(cat err2)"
weight0 80 || fail "rs left weight 0: $(server 80)"
closed_at=$(now)
# shellcheck disable=SC2154 # set by connect
kill "$conn1"
wait_for 8 stopped "$restore" || fail "the drain did not end after the connection closed: $(cat err2)
$(on d ipvsadm -Ln)
$(on d ipvsadm -Lnc)"
wait "$restore" || fail "the second drain failed: $(cat err2)"
echo "restore-drain: rs deleted $(echo "$(now) $closed_at" | awk '{ printf "%.1f", $1 - $2 }') s after the client closed"
gone 80 || fail "rs still in $VIP:80 after draining: $(server 80)"
grep -q "drained: 1 real server(s) deleted" err2 || fail "no end message: $(cat err2)"
on d ipvsadm-restore --dry-run file >again || fail "dry run after the drain"
[ -s again ] && fail "the table is not the file's after the drain: $(cat again)"
must_keep_81 "finished drain"

stamp "--drain=5"
# 3. --drain=5: a server whose connection stays is deleted after 5 s.
on d ipvsadm-restore live || fail "restoring the live table again"
connect 3 80
started=$(now)
on d ipvsadm-restore --drain=5 file 2>err3 || fail "--drain=5 failed: $(cat err3)"
took=$(echo "$(now) $started" | awk '{ printf "%.1f", $1 - $2 }')
echo "restore-drain: --drain=5 took ${took} s"
echo "$took" | awk '{ exit !($1 >= 5 && $1 < 9) }' || fail "--drain=5 took $took s"
gone 80 || fail "rs still in $VIP:80 after --drain=5: $(server 80)"
grep -q "real server $RS:80 of service -t $VIP:80 deleted after 5 s with 1 connection" err3 ||
    fail "no timeout message: $(cat err3)"
must_keep_81 "--drain=5"

# 4. One server from the command line: ipvsadm -d --drain=1 with the
# connection of port 81 open (interrupting it is the same code as above).
stamp "ipvsadm -d --drain=1"
on d ipvsadm -d -t "$VIP:81" -r "$RS:81" --drain=1 2>err4 || fail "-d --drain=1: $(cat err4)"
grep -q "real server $RS:81 of service -t $VIP:81 deleted after 1 s with 1 connection" err4 ||
    fail "-d --drain=1 does not say what it did: $(cat err4)"
gone 81 || fail "-d --drain=1 left $RS:81: $(server 81)"
on d ipvsadm -a -t "$VIP:81" -r "$RS:81" --drain 2>err5 && fail "-a took --drain"
grep -q "Illegal 'drain' option with the 'add-server' command" err5 || fail "-a --drain: $(cat err5)"
stamp "ok"
exit 0
