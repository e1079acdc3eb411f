#!/bin/sh
# The table of large-table-list.sh (10,000 services x 10 real servers)
# restored by ours with -R is the table the reference's own -R of the same
# file builds (compared in a fresh namespace); ours' ipvsadm-save output
# read back by ipvsadm-restore changes only what the save format cannot
# hold (thresholds) in place, and rebuilds the table in an empty namespace;
# -C empties it.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
REF=/sbin/ipvsadm
N=${LARGE_TABLE_SERVICES:-10000}
fail() {
    echo "FAIL large-table-restore: $*" >&2
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
$REF -Sn >table.ours-restore
[ "$(wc -l <table.ours-restore)" -eq $((N * 11)) ] || fail "-Sn has $(wc -l <table.ours-restore) lines"
say "ours restored the table"

# The reference's own restore of the same file, in a fresh namespace.
unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 1
    /sbin/ipvsadm -R <rules >ref-restore.out 2>&1 || exit 1
    /sbin/ipvsadm -Sn >table.ref-restore' || fail "the reference's -R: $(head -5 ref-restore.out)"
cmp -s table.ref-restore table.ours-restore ||
    fail "ours' -R built another table: $(diff table.ref-restore table.ours-restore | head -20)"
say "same table as the reference's -R"

# ipvsadm-save read back by ipvsadm-restore in place. The save format
# (1.31's) has no thresholds, so the file says the real servers that have
# them (-x/-y) have none: exactly those are edited, nothing else changes.
ipvsadm-save -n >saved || fail "ipvsadm-save"
cmp -s saved table.ours-restore || fail "ipvsadm-save differs from -Sn"
ipvsadm-restore --dry-run saved >plan || fail "dry run of the saved table"
# -Ln --thresholds: "  -> ADDR:PORT UTHRESHOLD LTHRESHOLD ACTIVE INACTIVE".
$REF -Ln --thresholds | awk '
    /^(TCP|UDP|SCTP|FWM) / { svc = $2; proto = $1; next }
    /^  -> / && ($3 != 0 || $4 != 0) { print proto, svc, $2 }' | sort >with-thresholds
[ "$(wc -l <plan)" -eq "$(wc -l <with-thresholds)" ] ||
    fail "the plan has $(wc -l <plan) changes for $(wc -l <with-thresholds) servers with thresholds: $(head -5 plan)"
[ "$(wc -l <with-thresholds)" -eq $((N * 2)) ] || fail "$(wc -l <with-thresholds) servers with thresholds"
grep -v '^-e ' plan | head -5 >unexpected
[ ! -s unexpected ] || fail "the plan changes more than thresholds: $(cat unexpected)"
ipvsadm-restore saved || fail "ipvsadm-restore of the saved table"
$REF -Sn | cmp -s - table.ours-restore || fail "restoring the saved table changed -Sn"
[ -z "$($REF -Ln --thresholds | awk '/^  -> / && ($3 != 0 || $4 != 0)')" ] ||
    fail "thresholds left after restoring a file without them"
say "ipvsadm-restore in place changed the thresholds only"
# ...and the whole table into an empty namespace.
unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 1
    ipvsadm-restore saved || exit 1
    /sbin/ipvsadm -Sn >table.restored' || fail "ipvsadm-restore into an empty table"
cmp -s table.restored table.ours-restore ||
    fail "ipvsadm-restore into an empty table: $(diff table.ours-restore table.restored | head -20)"
say "ipvsadm-restore rebuilt it in an empty namespace"

ipvsadm -C || fail "ours -C"
[ -z "$($REF -Sn)" ] || fail "the table is not empty after -C"
say "PASS large-table-restore ($N services)"
