#!/bin/sh
# `ipvsadm -R` checks every line before it touches the kernel: input with a
# line that does not parse changes nothing (byte-identical `-Sn` before and
# after), exits 2 and names the line. `#` comments are accepted. These are
# the inputs of the corpus where ipvsadm 1.31 instead applies the lines
# before the bad one (or skips the bad line and goes on).
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
REF=/sbin/ipvsadm
failures=0
fail() {
    echo "FAIL restore-R-validates-first: $*" >&2
    failures=$((failures + 1))
}
[ "$(command -v ipvsadm)" != "$REF" ] || {
    echo "ipvsadm in PATH is the reference" >&2
    exit 1
}

# A table that must survive every rejected input.
$REF -C
$REF -A -t 10.9.9.9:80 -s rr
$REF -a -t 10.9.9.9:80 -r 10.0.0.11:80 -m -w 2
$REF -A -f 7 -s wlc -p 60
$REF -Sn >before

# rejected LINE_NUMBER INPUT: -R of INPUT (printf format) exits 2, says
# "line LINE_NUMBER" and leaves the table as it was.
rejected() {
    want_line=$1
    # shellcheck disable=SC2059
    printf -- "$2" >input
    ipvsadm -R <input >out 2>err
    rc=$?
    $REF -Sn >after
    [ "$rc" = 2 ] || fail "input $(od -c input | head -3): exit $rc, want 2"
    grep -q "line $want_line:" err || fail "input $(cat input): stderr does not name line $want_line: $(cat err)"
    cmp -s before after || {
        fail "input $(cat input): the table changed"
        $REF -C
        $REF -R <before
    }
}

rejected 3 '-A -t 10.0.0.3:80 -s rr\n-a -t 10.0.0.3:80 -r 10.0.0.11\n-a -t 10.0.0.3:80 -r 10.0.0.12 -w 9x\n-a -t 10.0.0.3:80 -r 10.0.0.13\n'
rejected 2 '-A -t 10.0.0.4:80\n-A -t 10.0.0.4:81 -o\n-A -t 10.0.0.4:82\n'
rejected 2 '-A -t 10.0.0.4:83\n-A\n-A -t 10.0.0.4:84\n'
rejected 2 '-A -t 10.0.0.4:85\n-A -t 10.0.0.4:86 rr\n-A -t 10.0.0.4:87\n'
rejected 1 '-A -t 10.0.0.3:80 --foo\n-A -t 10.0.0.3:81\n'
rejected 1 '-A -t 10.0.0.3:82 -s\n-A -t 10.0.0.3:83\n'
rejected 1 '--foo -A -t 10.0.0.3:84\n-A -t 10.0.0.3:85\n'
rejected 1 '-t 10.0.0.3:86 -A\n-A -t 10.0.0.3:87\n'
rejected 2 '-A -t 10.0.0.3:88\n-A -t 10.0.0.3:89 --bar\n'
rejected 2 '-A -t 10.0.0.3:81\n-R\n-A -t 10.0.0.3:82\n'
rejected 1 '-A -t 10.0.0.3:1 -s mh -b\n-A -u 10.0.0.3:2 -s wlc --pe sip\n'
rejected 4 '-A -t vip.example.com:https -s rr\n-a -t vip.example.com:https -r rs1.example.com:https -m -w 1\n\n-A -t [vip6.example.com]:http -s rr\n'
rejected 1 '-A -t 10.0.0.3:86#x\n'
rejected 5 '# backup\n-A -t 10.0.0.5:80\n\n-a -t 10.0.0.5:80 -r 10.0.0.11\n-a -t 10.0.0.5:80 -r 10.0.0.12 -w -1\n'

# Comments are accepted: whole lines and from a `#` token to the end of a line.
$REF -C
printf -- '-A -t 10.0.0.3:80\n# a comment\n-A -t 10.0.0.3:81\n   #indented\n-A -t 10.0.0.3:82 # web\n-A -t 10.0.0.3:84 -s rr #web\n' >input
ipvsadm -R <input >out 2>err
rc=$?
[ "$rc" = 0 ] || fail "comment input: exit $rc: $(cat err)"
printf -- '-A -t 10.0.0.3:80 -s wlc\n-A -t 10.0.0.3:81 -s wlc\n-A -t 10.0.0.3:82 -s wlc\n-A -t 10.0.0.3:84 -s rr\n' >want
$REF -Sn >got
cmp -s want got || fail "comment input gave the table: $(cat got)"

[ "$failures" = 0 ] || exit 1
echo "restore-R-validates-first: all inputs behaved"
