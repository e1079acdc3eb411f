#!/bin/sh
# Runs inside the test guest (see benches/run.sh): times ipvsadm 1.31
# (/sbin/ipvsadm), ours (/opt/ours/bin/ipvsadm) and the floor client on the
# same tables. Writes $RESULTS/times.txt ("LABEL SECONDS MAXRSS_KIB STATUS"
# lines, from `floor measure`), $RESULTS/checks.txt and the saved tables.
# Env: BENCH_SIZES (service counts), BENCH_REPS (runs of each dump; the
# report keeps the fastest), BENCH_SINGLE (how many separate -A processes).
set -u
FLOOR=$FILES/floor
REF=/sbin/ipvsadm
OURS=/opt/ours/bin/ipvsadm
TIMES=$RESULTS/times.txt
CHECKS=$RESULTS/checks.txt
: >"$TIMES"
: >"$CHECKS"

m() {
    label=$1
    shift
    "$FLOOR" measure "$TIMES" "$label" -- "$@"
    tail -n 1 "$TIMES" >&2 # progress, on the guest console
}

check() { # check NAME FILE1 FILE2
    if cmp -s "$2" "$3"; then
        echo "$1 identical" >>"$CHECKS"
    else
        echo "$1 DIFFERENT" >>"$CHECKS"
    fi
}

dumps() { # dumps N: every reader on the current table
    r=1
    while [ "$r" -le "${BENCH_REPS:-1}" ]; do
        m "save ref $1" "$REF" -Sn >/dev/null
        m "save ours $1" "$OURS" -Sn >/dev/null
        m "save floor $1" "$FLOOR" dump >/dev/null
        m "list ref $1" "$REF" -Ln >/dev/null
        m "list ours $1" "$OURS" -Ln >/dev/null
        m "list floor $1" "$FLOOR" dump >/dev/null
        r=$((r + 1))
    done
}

for n in ${BENCH_SIZES:-1000 4000 10000}; do
    echo "bench: $n services"
    rules=/tmp/rules.$n
    "$FLOOR" gen "$n" >"$rules"
    "$REF" -C

    m "restore ref $n" "$REF" -R <"$rules"
    "$REF" -Sn >"$RESULTS/ref-after-ref.$n.txt"
    echo "services $n lines $(wc -l <"$rules") saved-lines $(wc -l <"$RESULTS/ref-after-ref.$n.txt")" >>"$CHECKS"
    dumps "$n"
    "$OURS" -Sn >"$RESULTS/ours-save.$n.txt"
    "$OURS" -Ln >"$RESULTS/ours-list.$n.txt"
    "$REF" -Ln >"$RESULTS/ref-list.$n.txt"
    check "save-output-$n (ours -Sn vs ref -Sn)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/ours-save.$n.txt"
    check "list-output-$n (ours -Ln vs ref -Ln)" "$RESULTS/ref-list.$n.txt" "$RESULTS/ours-list.$n.txt"
    m "flush ref $n" "$REF" -C

    m "restore ours $n" "$OURS" -R <"$rules"
    "$REF" -Sn >"$RESULTS/ref-after-ours.$n.txt"
    check "table-after-restore-$n (ref -Sn: ours' restore vs ref's)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/ref-after-ours.$n.txt"
    m "flush ours $n" "$OURS" -C

    m "restore floor $n" "$FLOOR" add "$n"
    "$REF" -Sn >"$RESULTS/ref-after-floor.$n.txt"
    check "table-after-floor-add-$n (ref -Sn)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/ref-after-floor.$n.txt"
    m "flush floor $n" "$FLOOR" flush
    rm -f "$rules"
done

# Separate processes, one service each, from a shell loop.
single=${BENCH_SINGLE:-200}
loop='i=0; while [ $i -lt '$single' ]; do "$0" -A -t 10.9.$((i / 256)).$((i % 256)):80 -s wlc || exit 1; i=$((i + 1)); done'
"$REF" -C
m "single-add ref $single" sh -c "$loop" "$REF"
"$REF" -Sn >"$RESULTS/single-ref.txt"
"$REF" -C
m "single-add ours $single" sh -c "$loop" "$OURS"
"$REF" -Sn >"$RESULTS/single-ours.txt"
check "table-after-single-adds (ref -Sn)" "$RESULTS/single-ref.txt" "$RESULTS/single-ours.txt"
"$REF" -C
echo "bench: done"
