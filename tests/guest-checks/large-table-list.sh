#!/bin/sh
# A table of 10,000 services x 10 real servers (TCP, UDP, SCTP, fwmark and
# IPv6 services, every forwarding method, several schedulers, persistence,
# weights and thresholds), restored by ours with -R: ours lists and saves
# it exactly as the reference does (-Sn, -Ln, -Ln --stats --exact,
# -Ln --nosort). Listings with names are compared on smaller tables (the
# scenarios): at this size each takes minutes in the emulated guest.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
CHECK=large-table-list
# REF, N, fail, say; the rules generated and restored by ours in a work dir.
. "$(dirname "$0")/large-table.inc"
say "ours restored the table"

# Each listing, reference and ours back to back on the same table.
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
    say "same: ipvsadm $args ($(wc -l <ours.out) lines)"
done
# The last listing (-Ln --nosort): a heading of three lines, then the table.
[ "$(wc -l <ours.out)" -eq $((N * 11 + 3)) ] || fail "-Ln --nosort has $(wc -l <ours.out) lines"
ipvsadm -C || fail "ours -C"
[ -z "$($REF -Sn)" ] || fail "the table is not empty after -C"
say "PASS large-table-list ($N services)"

