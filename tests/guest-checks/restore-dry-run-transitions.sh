#!/bin/sh
# Table-to-table transitions. For each (FROM, TO): with FROM loaded,
# `ipvsadm-restore --dry-run TO` prints ipvsadm commands and changes
# nothing; those commands fed to `ipvsadm -R` (the reference's and ours)
# give TO's table; `ipvsadm-restore TO` gives it too, and afterwards a dry
# run prints nothing. TO's table is what 1.31 makes of TO on an empty table.
# Tables are compared as -Sn plus the threshold and tunnel listings.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

# The table: -Sn, and the threshold and tunnel listings without the
# connection counts (entries left by earlier tests expire meanwhile), read
# by one run of the reference (each exec costs tens of milliseconds in the
# emulated guest, and a transition reads the table six times).
state() {
    printf '%s\n' '-S -n' '-L -n --thresholds' '-L -n --tun-info' | $REF -R | awk '
        /->/ { line = $1; for (i = 2; i <= NF - 2; i++) line = line " " $i; print line; next }
        { print }'
}
# load FILE: the reference's table becomes FILE's (a flush, then FILE's
# lines, in one run of the reference).
load() {
    { echo -C; cat "$1"; } | $REF -R 2>load.err ||
        fail "$name: the reference cannot load $1: $(cat load.err)"
    [ ! -s load.err ] || fail "$name: the reference complained loading $1: $(cat load.err)"
}

count=0
# transition NAME STEPS: FROM and TO are in the files `from` and `to`;
# STEPS is how many changes the plan must have (the unchanged is not touched).
transition() {
    name=$1 want_steps=$2
    count=$((count + 1))
    load to
    state >expected
    load from
    state >start
    ipvsadm-restore --dry-run to >plan 2>err || fail "$name: --dry-run failed: $(cat err)"
    state | cmp -s - start || fail "$name: --dry-run changed the table"
    steps=$(wc -l <plan)
    [ "$steps" -eq "$want_steps" ] || fail "$name: $steps changes, expected $want_steps:
$(cat plan)"
    # The table is FROM (the dry run changed nothing): the first runner
    # starts from it as it is.
    for runner in "$REF" ipvsadm; do
        [ "$runner" = "$REF" ] || load from
        $runner -R <plan 2>err || fail "$name: $runner -R of the plan failed: $(cat err)
$(cat plan)"
        [ -s err ] && fail "$name: $runner -R of the plan complained: $(cat err)"
        state | cmp -s - expected || fail "$name: the plan through $runner -R does not give TO:
$(state | diff expected -)
plan:
$(cat plan)"
    done
    load from
    ipvsadm-restore to 2>err || fail "$name: ipvsadm-restore failed: $(cat err)"
    state | cmp -s - expected || fail "$name: ipvsadm-restore does not give TO:
$(state | diff expected -)"
    ipvsadm-restore --dry-run to >again || fail "$name: second --dry-run failed"
    [ -s again ] && fail "$name: after the restore, a dry run still plans: $(cat again)"
    echo "restore-dry-run-transitions: $name ($steps changes): ok"
}

WEB='-A -t 10.0.0.3:80 -s rr
-a -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 1
-a -t 10.0.0.3:80 -r 10.0.0.11:80 -m -w 1'
DNS='-A -u 10.0.0.3:53 -s wlc
-a -u 10.0.0.3:53 -r 10.0.0.12:53 -m -w 1'

: >from
printf '%s\n%s\n' "$WEB" "$DNS" >to
transition services-added 5

cp to from
: >to
transition services-removed 2

printf '%s\n%s\n' "$WEB" "$DNS" >from
printf '%s\n%s\n' "$(echo "$WEB" | sed 's/-s rr/-s wlc/')" "$DNS" >to
transition scheduler-changed 1

printf '%s\n' "$WEB" | sed 's/-s rr/-s rr -p 300 -M 255.255.255.0/' >to
printf '%s\n' "$WEB" >from
transition persistence-added 1
cp to from
printf '%s\n' "$WEB" | sed 's/-s rr/-s rr -p 60 -M 255.255.0.0/' >to
transition persistence-timeout-and-mask-changed 1
cp to from
printf '%s\n' "$WEB" >to
transition persistence-removed 1

printf '%s\n' "$WEB" >from
{ printf '%s\n' "$WEB"; echo '-a -t 10.0.0.3:80 -r 10.0.0.13:80 -m -w 1'; echo '-a -t 10.0.0.3:80 -r 10.0.0.14:80 -m -w 2'; } >to
transition servers-added 2
cp to from
printf '%s\n' "$WEB" | grep -v 10.0.0.11 >to
transition servers-removed 3

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.11:80 -m -w 1/10.0.0.11:80 -m -w 7/' >to
transition server-reweighted 1

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.11:80 -m/10.0.0.11:80 -g/' >to
transition server-masq-to-route-same-port 1

printf -- '-A -t 10.0.0.3:80 -s rr\n-a -t 10.0.0.3:80 -r 10.0.0.10:8080 -m -w 1\n' >from
printf -- '-A -t 10.0.0.3:80 -s rr\n-a -t 10.0.0.3:80 -r 10.0.0.10:8080 -g -w 1\n' >to
transition server-masq-to-route-port-forced 2

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.11:80 -m -w 1/10.0.0.11:80 -i --tun-type gue --tun-port 6080 --tun-csum -w 1/' >to
transition server-to-gue-tunnel 1
cp to from
printf '%s\n' "$WEB" | sed 's/10.0.0.11:80 -m -w 1/10.0.0.11:80 -i --tun-type gre --tun-nocsum -w 1/' >to
transition tunnel-gue-to-gre 1
cp to from
printf '%s\n' "$WEB" | sed 's/10.0.0.11:80 -m -w 1/10.0.0.11:80 -i -w 1/' >to
transition tunnel-gre-to-ipip 1

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.10:80 -m -w 1/10.0.0.10:80 -m -w 1 -x 100 -y 10/' >to
transition thresholds-set 1
cp to from
printf '%s\n' "$WEB" | sed 's/10.0.0.10:80 -m -w 1/10.0.0.10:80 -m -w 1 -x 50/' >to
transition thresholds-changed 1

printf -- '-A -t [2001:db8::3]:443 -s rr\n-a -t [2001:db8::3]:443 -r [2001:db8::10]:443 -m -w 1\n' >from
printf -- '-A -t [2001:db8::3]:443 -s sh -b sh-port -p 120 -M 64\n-a -t [2001:db8::3]:443 -r [2001:db8::10]:443 -m -w 2\n-a -t [2001:db8::3]:443 -r [2001:db8::11]:443 -g -w 1\n-a -t [2001:db8::3]:443 -r 10.0.0.20:443 -i -w 1\n' >to
transition ipv6-service-edited 4

printf -- '-A -f 5 -s rr\n-a -f 5 -r 10.0.0.10:0 -g -w 1\n-A -f 6 -6 -s rr\n-a -f 6 -6 -r [2001:db8::10]:0 -g -w 1\n' >from
printf -- '-A -f 5 -s wlc -p 60\n-a -f 5 -r 10.0.0.10:0 -m -w 1\n-a -f 5 -r 10.0.0.11:8080 -m -w 1\n-A -f 6 -6 -s mh -b mh-fallback,mh-port\n-a -f 6 -6 -r [2001:db8::11]:0 -g -w 1\n' >to
transition fwmark-v4-and-v6 6

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.3:80/10.0.0.3:8080/; s/:80 -m/:8080 -m/' >to
transition service-port-changed 4

printf -- '-A -u 10.0.0.3:53 -s rr\n' >from
printf -- '-A -u 10.0.0.3:53 -s rr -o\n' >to
transition one-packet-on 1
printf -- '-A -u 10.0.0.3:5060 -s rr\n' >from
printf -- '-A -u 10.0.0.3:5060 -s rr -p 20 --pe sip\n' >to
transition persistence-engine-on 1
cp to from
printf -- '-A -u 10.0.0.3:5060 -s rr -p 20\n' >to
transition persistence-engine-off 1

printf '%s\n' "$WEB" >from
printf '%s\n' "$WEB" | sed 's/10.0.0.1\([01]\):80/10.0.0.2\1:80/' >to
transition all-servers-replaced 4

printf '%s\n%s\n' "$WEB" "$DNS" >from
printf -- '-A -t 10.0.0.3:80 -s rr\n-a -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 1\n-a -t 10.0.0.3:80 -r 10.0.0.11:80 -m -w 1\n-A -u 10.0.0.3:53 -s wlc\n-a -u 10.0.0.3:53 -r 10.0.0.12:53 -m -w 1\n-A -t 10.0.0.4:443 -s rr\n' >to
transition unchanged-plus-one 1

echo "restore-dry-run-transitions: $count transitions ok"
rm -rf "$work"
exit 0
