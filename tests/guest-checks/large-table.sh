#!/bin/sh
# A table of 4,000 services x 10 real servers (TCP, UDP, SCTP, fwmark and
# IPv6 services, every forwarding method, several schedulers, persistence,
# weights and thresholds: large-table-rules.awk), restored by ours with -R.
# LARGE_TABLE_SERVICES (environment) sets another size; 4,000 keeps the test command
# fast and still makes every dump and restore span many netlink messages
# and socket writes. The benchmark (benches/run.sh) compares ours' -R, -Sn
# and -Ln with 1.31's at 10,000 x 10 too.
# - ours lists and saves it exactly as the reference does (-Sn, -Ln,
#   -Ln --stats --exact, -Ln --nosort; listings with names are compared on
#   smaller tables, in the scenarios: at this size each takes minutes in the
#   emulated guest);
# - each of its lines makes what the reference's own -R makes of it: the
#   reference restores a tenth of the file in a fresh namespace (the
#   services numbered 100k to 100k+9 and their real servers: every kind of
#   line the generator writes, from all through the file) and those
#   services are compared (1.31 takes about ten times as long as ours for
#   -R, and each -R line stands alone);
# - ours' ipvsadm-save output read back by ipvsadm-restore changes only what
#   the save format cannot hold (thresholds) in place, and rebuilds the
#   table in an empty namespace;
# - -C empties it.
# One check, one restore of the table: at this size every step costs tens
# of seconds of emulated time.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
N=${LARGE_TABLE_SERVICES:-4000}
say() { echo "[$(cut -d' ' -f1 /proc/uptime)s] $*"; }
here=$(cd "$(dirname "$0")" && pwd) || fail "finding the checks' directory"
in_work_dir

seq 1 "$N" | awk -f "$here/large-table-rules.awk" >rules || fail "generating the rules"
[ "$(wc -l <rules)" -eq $((N * 11)) ] || fail "generated $(wc -l <rules) lines"
say "generated $(wc -l <rules) rules"

ipvsadm -R <rules >restore.out 2>&1 || fail "ours -R: $(head -5 restore.out)"
[ ! -s restore.out ] || fail "ours -R printed: $(head -5 restore.out)"
say "ours restored the table"

# Each listing, reference and ours back to back on the same table. The
# reference's -Sn is the table every later step is compared with.
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
    [ "$args" != -Sn ] || cp ref.out table.ours-restore
    say "same: ipvsadm $args ($(wc -l <ours.out) lines)"
done
[ "$(wc -l <table.ours-restore)" -eq $((N * 11)) ] || fail "-Sn has $(wc -l <table.ours-restore) lines"
# The last listing (-Ln --nosort): a heading of three lines, then the table.
[ "$(wc -l <ours.out)" -eq $((N * 11 + 3)) ] || fail "-Ln --nosort has $(wc -l <ours.out) lines"

# The reference's own restore of a tenth of the file, in a fresh namespace:
# services 100k..100k+9 (each kind of service, scheduler and persistence
# the generator cycles through), with their real servers.
seq 1 "$N" | awk 'int($1 / 10) % 10 == 0' | awk -f "$here/large-table-rules.awk" >slice ||
    fail "generating the slice"
unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 1
    /sbin/ipvsadm -R <slice >ref-restore.out 2>&1 || exit 1
    /sbin/ipvsadm -Sn >table.ref-restore' || fail "the reference's -R: $(head -5 ref-restore.out)"
[ ! -s ref-restore.out ] || fail "the reference's -R printed: $(head -5 ref-restore.out)"
[ "$(wc -l <table.ref-restore)" -eq "$(wc -l <slice)" ] ||
    fail "the reference's -R of $(wc -l <slice) lines made $(wc -l <table.ref-restore)"
# Ours' table, those services only (-Sn's order is the same on a subset).
awk 'NR == FNR { if ($1 == "-A") keep[$2 " " $3] = 1; next } ($2 " " $3) in keep' \
    table.ref-restore table.ours-restore >table.ours-slice
cmp -s table.ref-restore table.ours-slice ||
    fail "ours' -R built another table: $(diff table.ref-restore table.ours-slice | head -20)"
say "same as the reference's -R ($(wc -l <slice) of the lines)"

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
say "PASS large-table ($N services)"
