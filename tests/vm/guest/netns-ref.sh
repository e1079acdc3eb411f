#!/bin/sh
# The reference for scenarios written with ours' --netns: installed in the
# guest as /guest/netns-ref/ipvsadm, ipvsadm-save and ipvsadm-restore, first
# in the reference's PATH for a scenario that mentions --netns
# (tests/vm/guest/scenarios.sh). It runs 1.31 the way users reach a
# namespace without --netns:
#   ipvsadm --netns NAME ARGS  as  ip netns exec NAME ipvsadm ARGS
#       (Debian's iproute2 `ip`, /opt/iproute2/ip in the guest)
#   ipvsadm --netns PATH ARGS  as  nsenter --net=PATH ipvsadm ARGS
#       (a value with a `/`)
# and any other command line as it is. ARGS are the arguments without
# --netns and its value (`--netns VALUE` or `--netns=VALUE`, anywhere).
set -u
cmd=${0##*/}
found= want= ns=
for arg do
    shift
    if [ -n "$want" ]; then
        ns=$arg want=
        continue
    fi
    case $arg in
    --netns) found=1 want=1 && continue ;;
    --netns=*) found=1 ns=${arg#--netns=} && continue ;;
    esac
    set -- "$@" "$arg"
done
# 1.31 by name (its messages show argv[0]), never this wrapper again.
PATH=/sbin:/bin
export PATH
[ -n "$found" ] || exec "$cmd" "$@"
case $ns in
*/*) exec nsenter --net="$ns" "$cmd" "$@" ;;
esac
[ -x /opt/iproute2/ip ] || {
    echo "netns-ref.sh: no Debian ip in the guest (tests/support/guest.rs)" >&2
    exit 99
}
exec /opt/iproute2/ip netns exec "$ns" "$cmd" "$@"
