#!/bin/sh
# ipvsadm-restore is all or nothing. A backup with a bad last line, and
# backups with a line the kernel refuses in the middle (unknown scheduler,
# unknown persistence engine, a multicast real server), leave the table
# byte-identical (-Sn, and the threshold/tunnel listings) and exit non-zero
# naming the file and line. The same for --noflush. --test reports every
# bad line without the kernel, also as a user without privileges.
# For comparison, what 1.31's ipvsadm-restore leaves behind is reported.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
in_work_dir

# The table: -Sn, and the threshold and tunnel listings without the
# connection counts (entries left by earlier tests expire meanwhile).
state() {
    $REF -Sn
    { $REF -Ln --thresholds; $REF -Ln --tun-info; } | awk '
        /->/ { line = $1; for (i = 2; i <= NF - 2; i++) line = line " " $i; print line; next }
        { print }'
}

setup() {
    $REF -C
    $REF -R <<'RULES' || fail "setting up the table failed"
-A -t 10.0.0.3:80 -s rr -p 120
-a -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 2 -x 100 -y 10
-a -t 10.0.0.3:80 -r 10.0.0.11:8080 -m
-A -u 10.0.0.3:53 -s wlc -o
-a -u 10.0.0.3:53 -r 10.0.0.12:53 -i --tun-type gue --tun-port 6080 --tun-csum
-A -f 7 -6 -s sh -b sh-port
-a -f 7 -6 -r 2001:db8::10 -g
-A -t [2001:db8::3]:443 -s lc
-a -t [2001:db8::3]:443 -r [2001:db8::11]:443 -m -w 3
RULES
    state >before
}

# The backup that would replace it: every kind of change.
cat >good <<'RULES'
-A -t 10.0.0.3:80 -s wlc -p 300 -M 255.255.255.0
-a -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 5
-a -t 10.0.0.3:80 -r 10.0.0.13:80 -g -w 1
-A -t 10.0.0.4:80 -s rr
-a -t 10.0.0.4:80 -r 10.0.0.14:80 -m -w 1
-A -t 10.0.0.5:80 -s rr
-a -t 10.0.0.5:80 -r 10.0.0.15:80 -m -w 1
-A -f 7 -6 -s sh -b sh-fallback
-a -f 7 -6 -r 2001:db8::10 -m -w 1
-A -t [2001:db8::3]:443 -s lc
-a -t [2001:db8::3]:443 -r [2001:db8::11]:443 -m -w 3
RULES

# expect_unchanged NAME CODE LINE: the restore just run exited with CODE,
# named NAME:LINE, and left the table as it was.
expect_unchanged() {
    [ "$rc" -eq "$2" ] || fail "$1: exit status $rc, expected $2; stderr: $(cat err)"
    grep -q "^ipvsadm-restore: $1:$3: " err || fail "$1: stderr does not name line $3: $(cat err)"
    state >after
    cmp -s before after || fail "$1: the table changed:
$(diff before after)"
}

# 1. A bad last line: nothing applied, no kernel change at all.
setup
{ cat good; echo '-a -t 10.0.0.5:80 -r 10.0.0.16 -w notanumber'; } >bad-last
ipvsadm-restore bad-last 2>err
rc=$?
expect_unchanged bad-last 2 12
grep -q "illegal weight specified" err || fail "bad-last: no reason given: $(cat err)"

# 2. Lines the kernel refuses, in the middle, after other changes were made.
n=0
for bad in '-A -t 10.0.0.9:80 -s nosuch' \
    '-A -t 10.0.0.9:80 -s rr -p 60 --pe nosuch' \
    '-a -t 10.0.0.4:80 -r 224.1.1.1:80 -m'; do
    n=$((n + 1))
    setup
    { head -n 6 good; echo "$bad"; tail -n +7 good; } >kernel-bad-$n
    ipvsadm-restore --dry-run kernel-bad-$n >plan || fail "kernel-bad-$n: --dry-run failed"
    steps=$(wc -l <plan)
    ipvsadm-restore kernel-bad-$n 2>err
    rc=$?
    expect_unchanged kernel-bad-$n 1 7
    grep -q "nothing was changed" err || fail "kernel-bad-$n: $(cat err)"
    set -- $(sed -n 's/.*refused change \([0-9]*\) of [0-9]*, and the \([0-9]*\) change(s) it had applied were undone.*/\1 \2/p' err)
    [ "$#" -eq 2 ] && [ "$1" -gt 1 ] && [ "$2" -gt 0 ] ||
        fail "kernel-bad-$n: the refused change came first, not midway ($steps steps): $(cat err)"
    echo "restore-atomic-failure: kernel-bad-$n: refused at step $1 of $steps, $2 undone: ok"
done

# 3. --noflush: a line that conflicts with the live table, and a line the
#    kernel refuses, change nothing; a good one adds like 1.31's -R.
setup
printf -- '-A -t 10.0.0.8:80 -s rr\n-A -t 10.0.0.3:80 -s rr\n' >noflush-conflict
ipvsadm-restore --noflush noflush-conflict 2>err
rc=$?
expect_unchanged noflush-conflict 2 2
grep -q "already exists in the live table" err || fail "noflush-conflict: $(cat err)"
printf -- '-A -t 10.0.0.8:80 -s rr\n-a -t 10.0.0.8:80 -r 10.0.0.18 -m\n-e -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 9\n-A -t 10.0.0.9:80 -s nosuch\n' >noflush-kernel
ipvsadm-restore --noflush noflush-kernel 2>err
rc=$?
expect_unchanged noflush-kernel 1 4
printf -- '-A -t 10.0.0.8:80 -s rr\n-a -t 10.0.0.8:80 -r 10.0.0.18 -m\n-e -t 10.0.0.3:80 -r 10.0.0.10:80 -m -w 9\n-d -f 7 -6 -r [2001:db8::10]:0\n' >noflush-good
ipvsadm-restore --noflush noflush-good 2>err || fail "noflush-good: $(cat err)"
state >ours
setup
$REF -R <noflush-good || fail "reference -R of noflush-good failed"
state >ref
cmp -s ours ref || fail "--noflush differs from 1.31's -R:
$(diff ref ours)"

# 4. --test: every bad line, no kernel, no privileges needed.
cat >many-bad <<'RULES'
-A -t 10.0.0.3:80 -s rr
-a -t 10.0.0.3:80 -r 10.0.0.10 -w x
-A -t 10.0.0.3:80 -s wlc
--start-daemon master --mcast-interface dummy0 --syncid 300
-a -t 10.0.0.9:80 -r 10.0.0.10
-a -t 10.0.0.3:80 -r 10.0.0.11 -y 5
RULES
ipvsadm-restore --test many-bad 2>err
rc=$?
[ "$rc" -eq 2 ] || fail "--test: exit status $rc"
for line in 2 3 4 5 6; do
    grep -q "^ipvsadm-restore: many-bad:$line: " err || fail "--test does not report line $line: $(cat err)"
done
ipvsadm-restore --test good 2>err || fail "--test of a good file: $(cat err)"
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
# The test guest's root directories may be private to root.
for d in / /bin /opt /opt/ours /opt/ours/bin /tmp "$work"; do
    [ -d "$d" ] && chmod go+rx "$d"
done
chmod 644 good many-bad
su nobody -s /bin/sh -c "ipvsadm -Ln" >/dev/null 2>&1 &&
    fail "the unprivileged user can use the kernel: the next check proves nothing"
su nobody -s /bin/sh -c "PATH='$PATH' ipvsadm-restore --test $work/good" 2>err ||
    fail "--test as an unprivileged user: $(cat err)"
su nobody -s /bin/sh -c "PATH='$PATH' ipvsadm-restore --test $work/many-bad" 2>/dev/null &&
    fail "--test as an unprivileged user accepted many-bad"

# For comparison: 1.31's ipvsadm-restore with the bad-last-line backup.
setup
/sbin/ipvsadm-restore <bad-last >/dev/null 2>&1
rc=$?
state >after
if cmp -s before after; then ref_note="left the table unchanged"; else ref_note="changed the table"; fi
echo "restore-atomic-failure: ok"
echo "  for comparison, 1.31's ipvsadm-restore with bad-last: exit $rc, $ref_note, now $($REF -Sn | grep -c '^-A') services / $($REF -Sn | grep -c '^-a') servers (was 4 / 5)"
rm -rf "$work"
exit 0
