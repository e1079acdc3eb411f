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
CHECK=large-table-restore
# REF, N, fail, say; the rules generated and restored by ours in a work dir.
. "$(dirname "$0")/large-table.inc"
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
