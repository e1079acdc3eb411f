#!/bin/sh
# The ipvs library's example program (ipvs/examples/quickstart.rs) works
# against a real kernel: as root in a fresh network namespace it adds a
# service and real servers, lists them, changes them by reconciling and
# removes them, exiting 0; afterwards the table is empty as the reference
# reads it. Given another namespace's path it does the same there, through
# Client::connect_in_namespace: it lists that namespace's table, and the
# table of the namespace it runs in is not touched. The harness ships the program to /guest/bin/quickstart
# (tests/kernel.rs, IPVSADM_QUICKSTART); without it this check fails.
#
# Guest check: the reference is /sbin/ipvsadm.
set -u
REF=/sbin/ipvsadm
PROGRAM=/guest/bin/quickstart
fail() {
    echo "FAIL library-quickstart: $*" >&2
    exit 1
}
. "$(dirname "$0")/hosts.inc"
[ -x "$PROGRAM" ] ||
    fail "no $PROGRAM: build it with cargo build --release -p ipvs --example quickstart"
[ -z "$($REF -Sn)" ] || fail "the table is not empty before the example runs"

$PROGRAM >quickstart.out 2>&1
status=$?
cat quickstart.out
[ "$status" -eq 0 ] || fail "the example exited with status $status"
left=$($REF -Sn) || fail "the reference cannot list the table"
[ -z "$left" ] || fail "the example left rules behind: $left"

# Another namespace with its network (IPVS refuses real servers it has no
# route to), kept by a sleeping process; a service in each.
second_namespace 120
other=/proc/$holder/ns/net
$REF -A -t 10.0.0.9:80 -s rr || fail "adding this namespace's service"
nsenter --net="$other" $REF -A -t 10.0.0.8:80 -s rr || fail "adding the other namespace's service"
$PROGRAM "$other" >namespace.out 2>&1
status=$?
cat namespace.out
[ "$status" -eq 0 ] || fail "the example in $other exited with status $status"
grep -q '10\.0\.0\.8:80' namespace.out || fail "the example did not work on the other namespace's table"
! grep -q '10\.0\.0\.9:80' namespace.out || fail "the example saw this namespace's table"
[ "$($REF -Sn)" = "-A -t 10.0.0.9:80 -s rr" ] || fail "this namespace's table changed: $($REF -Sn)"
left=$(nsenter --net="$other" $REF -Sn) || fail "the reference cannot list the other table"
[ -z "$left" ] || fail "the example left rules in the other namespace: $left"
$REF -D -t 10.0.0.9:80
echo "library-quickstart: the example ran, here and in another namespace, and left empty tables"
