#!/bin/sh
# A table of 10,000 services x 10 real servers (TCP, UDP, SCTP, fwmark and
# IPv6 services, every forwarding method, several schedulers, persistence,
# weights and thresholds), restored by ours with -R: ours lists and saves
# it exactly as the reference does (-Sn, -Ln, -Ln --stats --exact,
# -Ln --nosort). Listings with names are compared on smaller tables (the
# scenarios): at this size each takes minutes in the emulated guest.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
REF=/sbin/ipvsadm
N=${LARGE_TABLE_SERVICES:-10000}
fail() {
    echo "FAIL large-table-list: $*" >&2
    exit 1
}
[ "$(command -v ipvsadm)" != "$REF" ] || fail "ipvsadm in PATH is the reference"
work=$(mktemp -d) || fail "mktemp"
cd "$work" || fail "cd $work"
say() { echo "[$(cut -d' ' -f1 /proc/uptime)s] $*"; }

seq 1 "$N" | awk '
BEGIN { split("rr wrr lc wlc sh dh lblc sed nq mh", sched, " ") }
{
    i = $1
    kind = i % 10
    a = int(i / 250) + 1; b = i % 250 + 1
    if (kind == 7) svc = sprintf("-f %d", i)
    else if (kind == 8) svc = sprintf("-t [2001:db8:%x::%x]:443", a, b)
    else if (kind == 9) svc = sprintf("--sctp-service 10.%d.%d.%d:%d", 100 + a % 100, a, b, 1000 + i % 5000)
    else if (kind == 5) svc = sprintf("-u 10.%d.%d.%d:53", 100 + a % 100, a, b)
    else svc = sprintf("-t %d.%d.%d.%d:%d", 10 + kind * 20, a, b, i % 200 + 1, 80 + kind)
    opts = "-s " sched[i % 10 + 1]
    if (i % 3 == 0) opts = opts " -p " (60 + i % 600)
    if (kind == 7 && i % 3 == 0) opts = opts " -M 255.255.255.0"
    print "-A " svc " " opts
    for (d = 1; d <= 10; d++) {
        if (kind == 8) rs = sprintf("[2001:db8:%x:%x::%x]:443", a, b, d)
        else if (kind == 7) rs = sprintf("10.%d.%d.%d", 200 + d, a, b)
        else rs = sprintf("10.%d.%d.%d:%d", d * 20, a, b, 8000 + d)
        fwd = (d % 3 == 0) ? "-g" : (d % 3 == 1) ? "-m" : "-i"
        if (kind == 9 || kind == 8) fwd = "-m"
        extra = (d % 4 == 0) ? sprintf(" -x %d -y %d", 1000 + d, d) : ""
        print "-a " svc " -r " rs " " fwd " -w " (i + d) % 100 extra
    }
}' >rules || fail "generating the rules"
[ "$(wc -l <rules)" -eq $((N * 11)) ] || fail "generated $(wc -l <rules) lines"
say "generated $(wc -l <rules) rules"

$REF -C
ipvsadm -R <rules >restore.out 2>&1 || fail "ours -R: $(head -5 restore.out)"
[ ! -s restore.out ] || fail "ours -R printed: $(head -5 restore.out)"
say "ours restored the table"

# Each listing, reference and ours back to back on the same table.
for args in -Sn -Ln "-Ln --stats --exact" "-Ln --nosort"; do
    # shellcheck disable=SC2086 # several arguments
    $REF $args >ref.out 2>ref.err
    ref_rc=$?
    # shellcheck disable=SC2086
    ipvsadm $args >ours.out 2>ours.err
    ours_rc=$?
    [ "$ref_rc" = "$ours_rc" ] || fail "ipvsadm $args: exit $ours_rc, 1.31 $ref_rc"
    cmp -s ref.err ours.err || fail "ipvsadm $args: stderr differs: $(diff ref.err ours.err | head)"
    cmp -s ref.out ours.out ||
        fail "ipvsadm $args: $(diff ref.out ours.out | head -20)"
    say "same: ipvsadm $args ($(wc -l <ours.out) lines)"
done
# The last listing (-Ln --nosort): a heading of three lines, then the table.
[ "$(wc -l <ours.out)" -eq $((N * 11 + 3)) ] || fail "-Ln --nosort has $(wc -l <ours.out) lines"
ipvsadm -C || fail "ours -C"
[ -z "$($REF -Sn)" ] || fail "the table is not empty after -C"
say "PASS large-table-list ($N services)"

