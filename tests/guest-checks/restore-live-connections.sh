#!/bin/sh
# ipvsadm-restore into a table with live connections: the services the
# backup does not change are not touched, so their connection entries,
# active/inactive counts and traffic counters stay as they were. Debian's
# 1.31 ipvsadm-restore (flush, then -R) is run afterwards on the same input
# for comparison: its table must be the same, and what it lost is reported.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
# Addresses are in 10.0.77.0/24, apart from what other tests use, so that
# connection entries left by them do not count.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

# Entries of one virtual service, without the expiry column.
conns() { ipvsadm -Lnc | awk -v vip="$1" '$5 == vip { print $1, $3, $4, $5, $6 }' | sort; }
# A service's block of a listing (service line and its real servers).
block() {
    awk -v svc="$2" '$2 == svc { on = 1; print; next } /^[A-Z]/ { on = 0 } on && /->/ { print }' "$1"
}

$REF -C
$REF -A -t 10.0.77.3:80 -s rr
$REF -a -t 10.0.77.3:80 -r 10.0.77.10:80 -m
$REF -a -t 10.0.77.3:80 -r 10.0.77.11:80 -m
$REF -A -t 10.0.77.4:80 -s wlc -p 300
$REF -a -t 10.0.77.4:80 -r 10.0.77.12:80 -g
$REF -A -t 10.0.77.5:80 -s rr
$REF -a -t 10.0.77.5:80 -r 10.0.77.13:80 -m
for _ in 1 2 3 4; do echo | nc -w 1 10.0.77.3 80 2>/dev/null; done
echo | nc -w 1 10.0.77.4 80 2>/dev/null

conns 10.0.77.3:80 >conns.before
[ -s conns.before ] || fail "no connection entries for 10.0.77.3:80 (ipvsadm -Lnc)"
$REF -Ln --stats --exact >stats.before
$REF -Ln >list.before
ipvsadm-save -n >saved || fail "ipvsadm-save -n failed"
$REF -Sn | cmp -s - saved || fail "ipvsadm-save -n differs from ipvsadm -Sn"

# The backup: 10.0.77.3:80 unchanged, 10.0.77.4:80 edited (scheduler, weight,
# a new server), 10.0.77.5:80 gone, 10.0.77.6:80 new.
cat >backup <<'RULES'
# backup taken before maintenance
-A -t 10.0.77.3:80 -s rr
-a -t 10.0.77.3:80 -r 10.0.77.10:80 -m -w 1
-a -t 10.0.77.3:80 -r 10.0.77.11:80 -m -w 1
-A -t 10.0.77.4:80 -s rr -p 300
-a -t 10.0.77.4:80 -r 10.0.77.12:80 -g -w 5
-a -t 10.0.77.4:80 -r 10.0.77.14:80 -g -w 1
-A -t 10.0.77.6:80 -s rr
-a -t 10.0.77.6:80 -r 10.0.77.15:80 -m -w 1
RULES

ipvsadm-restore --dry-run backup >plan || fail "--dry-run failed"
if grep -q '10\.0\.77\.3:80' plan; then
    fail "the plan touches the unchanged service 10.0.77.3:80: $(cat plan)"
fi
ipvsadm-restore backup 2>err || fail "ipvsadm-restore failed: $(cat err)"
[ -s err ] && fail "ipvsadm-restore wrote to stderr: $(cat err)"
$REF -Sn >ours.table

conns 10.0.77.3:80 >conns.after
cmp -s conns.before conns.after ||
    fail "connection entries of 10.0.77.3:80 changed:
$(cat conns.before)
--- after ---
$(cat conns.after)"
$REF -Ln --stats --exact >stats.after
$REF -Ln >list.after
block stats.before 10.0.77.3:80 >b1
block stats.after 10.0.77.3:80 >b2
cmp -s b1 b2 || fail "counters of 10.0.77.3:80 changed:
$(cat b1)
--- after ---
$(cat b2)"
block list.before 10.0.77.3:80 >b1
block list.after 10.0.77.3:80 >b2
cmp -s b1 b2 || fail "active/inactive counts of 10.0.77.3:80 changed:
$(cat b1)
--- after ---
$(cat b2)"
[ -n "$(ipvsadm-restore --dry-run backup)" ] && fail "a second restore would still change things"

# For comparison: 1.31's ipvsadm-restore (flush, then -R) of the same
# backup into the same live table. It must give the same table.
/sbin/ipvsadm-restore <backup || fail "reference ipvsadm-restore failed"
$REF -Sn | cmp -s - ours.table || fail "ours and 1.31's ipvsadm-restore give different tables:
$(cat ours.table)
--- 1.31 ---
$($REF -Sn)"
$REF -Ln --stats --exact >stats.ref
block stats.ref 10.0.77.3:80 >b3
conns 10.0.77.3:80 >conns.ref
echo "restore-live-connections: ok (entries, counts and counters of the unchanged service kept)"
echo "  for comparison, after 1.31's ipvsadm-restore (flush + -R) on the same input:"
echo "  counters of 10.0.77.3:80:"
sed 's/^/    /' b3
echo "  connection entries of 10.0.77.3:80 still listed: $(wc -l <conns.ref) of $(wc -l <conns.before)"
rm -rf "$work"
exit 0
