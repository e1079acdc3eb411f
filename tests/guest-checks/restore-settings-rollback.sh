#!/bin/sh
# ipvsadm-restore is all or nothing for timeouts and sync daemons too. With
# a table, timeouts 700 70 170 and a backup daemon in place, rule files whose
# --set, --stop-daemon and --start-daemon lines the kernel takes, but with a
# change it refuses (a daemon on an interface that does not exist; a
# scheduler that does not exist, after the timeouts and daemons changed),
# leave table, timeouts and daemons as they were, exit 1 and name the line.
# --dry-run prints the steps and changes nothing; --noflush rolls back alike.
# For comparison, what 1.31's ipvsadm-restore leaves behind is reported.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

state() {
    $REF -Sn
    $REF -L --timeout
    $REF -L --daemon
}

# Daemons are stopped with ours: 1.31 can hang stopping a daemon whose
# thread has not run yet (Linux answers EINTR; see the README).
stop_daemons() {
    ipvsadm --stop-daemon master 2>/dev/null
    ipvsadm --stop-daemon backup 2>/dev/null
}

setup() {
    $REF -C
    stop_daemons
    $REF -A -t 10.0.0.3:80 -s rr &&
        $REF -a -t 10.0.0.3:80 -r 10.0.0.11 -g &&
        $REF --set 700 70 170 &&
        $REF --start-daemon backup --mcast-interface dummy0 --syncid 7 ||
        fail "setting up failed"
    state >before
}

# expect_unchanged NAME LINE: the restore just run exited 1, named NAME:LINE
# and left table, timeouts and daemons as they were.
expect_unchanged() {
    [ "$rc" -eq 1 ] || fail "$1: exit status $rc, expected 1; stderr: $(cat err)"
    grep -q "^ipvsadm-restore: $1:$2: " err || fail "$1: stderr does not name line $2: $(cat err)"
    grep -q "nothing was changed" err || fail "$1: $(cat err)"
    state >after
    cmp -s before after || fail "$1: the state changed:
$(diff before after)"
}

cat >no-device <<'RULES'
-A -t 10.0.0.3:80 -s wlc
-A -t 10.0.0.4:80 -s rr
--set 600 60 120
--stop-daemon backup
--start-daemon master --mcast-interface nosuch0 --syncid 4
RULES
cat >no-scheduler <<'RULES'
--set 600 0 120
--stop-daemon backup
--start-daemon backup --mcast-interface dummy0 --syncid 8
--start-daemon master --mcast-interface dummy0 --syncid 4
-A -t 10.0.0.3:80 -s rr
-A -t 10.0.0.4:80 -s nosuch
-Z
RULES

# 1. The daemon start is refused after the --set and the backup's stop.
setup
ipvsadm-restore no-device 2>err
rc=$?
expect_unchanged no-device 5
grep -q "starting master sync daemon: No such device" err || fail "no-device: $(cat err)"

# 2. The new service is refused after timeouts and both daemons changed;
#    the dry run shows that order and changes nothing.
setup
ipvsadm-restore --dry-run no-scheduler >plan 2>err || fail "--dry-run: $(cat err)"
printf '%s\n' '--set 600 0 120' '--stop-daemon backup' \
    '--start-daemon master --mcast-interface dummy0 --syncid 4' \
    '--start-daemon backup --mcast-interface dummy0 --syncid 8' \
    '-A -t 10.0.0.4:80 -s nosuch' '-d -t 10.0.0.3:80 -r 10.0.0.11:80' '-Z' >want
cmp -s want plan || fail "--dry-run plan:
$(diff want plan)"
state >after
cmp -s before after || fail "--dry-run changed the state"
ipvsadm-restore no-scheduler 2>err
rc=$?
expect_unchanged no-scheduler 6
# The four settings changes went out one by one; the refused service went
# with the real server's removal (applied, then undone); -Z was never sent.
grep -q "refused change 5 of 7, and the 5 change(s) it had applied were undone" err || fail "no-scheduler: $(cat err)"
ipvsadm-restore --noflush no-scheduler 2>err
rc=$?
grep -q "already exists in the live table" err || fail "--noflush: $(cat err)"
sed -i '/^-A -t 10.0.0.3:80/d' no-scheduler
ipvsadm-restore --noflush no-scheduler 2>err
rc=$?
expect_unchanged no-scheduler 5

# 3. Without the bad line the same file goes through, and again changes nothing.
sed -i '/nosuch/d' no-scheduler
ipvsadm-restore no-scheduler 2>err || fail "good file: $(cat err)"
state >good
grep -q '600 70 120' good && grep -q 'master sync daemon (mcast=dummy0, syncid=4' good &&
    grep -q 'backup sync daemon (mcast=dummy0, syncid=8' good || fail "good file gave:
$(cat good)"
ipvsadm-restore --dry-run no-scheduler >plan || fail "second --dry-run"
[ "$(cat plan)" = "-Z" ] || fail "second --dry-run is not only -Z: $(cat plan)"

# For comparison: 1.31's ipvsadm-restore with the file whose daemon fails.
setup
timeout 10 /sbin/ipvsadm-restore <no-device >/dev/null 2>&1
rc=$?
state >after
echo "restore-settings-rollback: ok"
echo "  for comparison, 1.31's ipvsadm-restore with no-device: exit $rc, now:"
sed 's/^/    /' after
stop_daemons
rm -rf "$work"
exit 0
