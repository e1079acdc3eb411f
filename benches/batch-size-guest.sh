#!/bin/sh
F=$FILES/floor
for b in 1 10 100 1000; do
  FLOOR_BATCH=$b $F measure $RESULTS/t.txt "batch$b 4000" -- $F add 4000; tail -n1 $RESULTS/t.txt
  $F flush
done
