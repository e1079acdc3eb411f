#!/bin/sh
# Two restores at the same time do not interleave: the second waits for
# the first (flock on /run/ipvsadm-restore.lock) and then makes the table
# exactly its own file's. Without /run, the lock moves to /var/run or /tmp.
# A SIGTERM (or SIGINT) while a restore applies takes effect after it.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

# A: 4000 services with 2 real servers each; B: a small, different table.
seq 1 4000 | awk '{
    svc = sprintf("-t 10.%d.%d.1:80", int($1 / 250) + 1, $1 % 250)
    printf "-A %s -s rr\n-a %s -r 10.0.0.10:80 -m -w 1\n-a %s -r 10.0.0.11:80 -m -w 1\n", svc, svc, svc
}' >A
printf -- '-A -t 10.0.0.3:80 -s wlc\n-a -t 10.0.0.3:80 -r 10.0.0.12:80 -m -w 3\n-A -u 10.0.0.3:53 -s rr\n' >B
$REF -C
$REF -R <B || fail "the reference cannot load B"
$REF -Sn >B.table
$REF -C

started=$(date +%s)
ipvsadm-restore A 2>A.err &
a=$!
# Wait until A is applying (it holds the lock from before it reads the
# table); only the start of the table is read, to be quick.
tries=0
until [ "$(head -c 400 /proc/net/ip_vs | wc -l)" -gt 3 ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 1000 ] || fail "restore A never started"
    usleep 5000
done
ipvsadm-restore B 2>B.err
b=$?
wait "$a"
a_rc=$?
echo "restore-lock: A (12000 changes) and B took $(($(date +%s) - started))s together"
[ "$a_rc" -eq 0 ] || fail "restore A failed ($a_rc): $(cat A.err)"
[ "$b" -eq 0 ] || fail "restore B failed ($b): $(cat B.err)"
grep -q "waiting for another restore to finish (lock /run/ipvsadm-restore.lock)" B.err ||
    fail "B did not wait for A (A finished too fast?): $(cat B.err)"
$REF -Sn | cmp -s - B.table || fail "the table is not B's after both restores:
$($REF -Sn | head -n 20)"

# A termination signal while a restore applies takes effect only once it is
# done: the table is never left half-restored by SIGTERM (or Ctrl-C; a
# background job of this shell ignores SIGINT, so TERM is sent).
$REF -C
ipvsadm-restore A 2>A.err &
a=$!
tries=0
until [ "$(head -c 400 /proc/net/ip_vs | wc -l)" -gt 3 ]; do
    tries=$((tries + 1))
    [ "$tries" -lt 1000 ] || fail "restore A never started (2)"
    usleep 5000
done
kill -TERM "$a"
wait "$a"
rc=$?
rules=$($REF -Sn | wc -l)
[ "$rules" -eq 12000 ] || fail "a restore terminated while applying left $rules of 12000 rules (exit $rc)"
[ "$rc" -eq 143 ] || fail "a restore terminated while applying exited $rc, not by SIGTERM (143)"
echo "restore-lock: SIGTERM while applying: all 12000 changes made, then terminated: ok"

# Without /run, the lock goes to the next directory that exists.
if umount /run 2>/dev/null && rmdir /run 2>/dev/null; then
    want=/tmp/ipvsadm-restore.lock
    [ -d /var/run ] && want=/var/run/ipvsadm-restore.lock
    rm -f "$want"
    ipvsadm-restore B 2>err
    rc=$?
    mkdir /run && mount -t tmpfs run /run
    [ "$rc" -eq 0 ] || fail "restore without /run failed: $(cat err)"
    [ -f "$want" ] || fail "without /run, no lock file $want"
    echo "restore-lock: without /run the lock is $want: ok"
else
    echo "restore-lock: /run cannot be removed here; fallback not checked"
fi
echo "restore-lock: ok"
$REF -C
rm -rf "$work"
exit 0
