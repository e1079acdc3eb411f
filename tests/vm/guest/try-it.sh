#!/bin/sh
# Guest side of tests/vm/try-it.sh: an LVS-DR example run with ours, traffic
# to its VIP, the listings, then the commands in $FILES/commands/* (one
# argument per line). Everything goes to $RESULTS/output.txt.
export PATH=/opt/ours/bin:/sbin:/bin
exec >"$RESULTS/output.txt" 2>&1

# show ARGS...: runs ours with ARGS, echoing the command line.
show() {
    echo "# ipvsadm $*"
    ipvsadm "$@"
    status=$?
    [ "$status" -eq 0 ] || echo "(exit status $status)"
    echo
}

show -A -t 10.0.0.3:80 -s wrr
show -a -t 10.0.0.3:80 -r 10.0.0.11:80 -g -w 3
show -a -t 10.0.0.3:80 -r 10.0.0.12:80 -g -w 1

# Direct routing sends the SYNs on to real servers that do not exist: each
# connection stays in SYN_RECV.
echo "# 4 TCP connections to 10.0.0.3:80 (busybox nc)"
for _ in 1 2 3 4; do
    echo | nc -w 1 10.0.0.3 80 >/dev/null 2>&1 &
done
wait
# The kernel folds the counters into the totals --stats shows every 2 s.
sleep 2
echo

show -Ln
show -Ln --stats
show -Lnc

for file in "$FILES"/commands/*; do
    [ -f "$file" ] || continue
    set --
    while IFS= read -r arg; do
        set -- "$@" "$arg"
    done <"$file"
    show "$@"
done
