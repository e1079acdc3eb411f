#!/bin/sh
# Guest script (tests/vm/run-guest.sh --script, with the floor in --files):
# the floor's restore of 4,000 x 10 by requests per write (FLOOR_BATCH),
# each in a fresh network namespace (a flush leaves the removed real servers
# in a per-namespace trash list that every later add walks; see guest.sh).
F=$FILES/floor
for b in 1 10 100 1000; do
    unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 1
        FLOOR_BATCH=$1 $2 measure $3/t.txt "batch$1 4000" -- $2 add 4000' \
        batch "$b" "$F" "$RESULTS"
    tail -n 1 "$RESULTS/t.txt"
done
