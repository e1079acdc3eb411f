#!/bin/sh
# The ipvs library's example program (ipvs/examples/quickstart.rs) works
# against a real kernel: as root in a fresh network namespace it adds a
# service and real servers, lists them, changes them by reconciling and
# removes them, exiting 0; afterwards the table is empty as the reference
# reads it. The harness ships the program to /guest/bin/quickstart
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
[ -x "$PROGRAM" ] ||
    fail "no $PROGRAM: build it with cargo build --release -p ipvs --example quickstart"
[ -z "$($REF -Sn)" ] || fail "the table is not empty before the example runs"

$PROGRAM >quickstart.out 2>&1
status=$?
cat quickstart.out
[ "$status" -eq 0 ] || fail "the example exited with status $status"
left=$($REF -Sn) || fail "the reference cannot list the table"
[ -z "$left" ] || fail "the example left rules behind: $left"
echo "library-quickstart: the example ran and left an empty table"
