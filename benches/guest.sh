#!/bin/sh
# Runs inside the test guest (see benches/run.sh): times ipvsadm 1.31
# (/sbin/ipvsadm), ours (/opt/ours/bin/ipvsadm), the floor client and, when
# BENCH_TOOLS names "base", a baseline build of ours (/opt/ours2/bin/ipvsadm)
# on the same tables. Writes $RESULTS/times.txt ("LABEL SECONDS MAXRSS_KIB STATUS
# USER_S SYS_S MINOR_FAULTS" lines, from `floor measure`), $RESULTS/checks.txt and the
# saved tables.
#
# Every restore starts in a fresh network namespace: the kernel keeps the
# real servers a flush removed in a per-namespace trash list for a few
# minutes and walks that list on every real-server add, so a restore right
# after a flush of a big table is many times slower than one into a fresh
# table (4,000 x 10 with a 1-request-per-write client: 0.9 s fresh, 13 s
# after a flush). Sharing one namespace would time whichever tool runs
# second against the first one's trash.
#
# The churn case (BENCH_CHURN=1, the default): a live table of N x 10 (the
# rules of `floor gen N`, loaded by the floor, not timed) and a rule file
# with about 1% of its rules changed (`floor gen-churn N`: weights, a
# scheduler, a new service), timed for ours' ipvsadm-restore, 1.31's
# (Debian's script: `ipvsadm -C`, then `ipvsadm -R` of the whole file) and
# the floor (`floor churn N`: one dump, then the changed requests); ours'
# `ipvsadm-restore --drain` too (row churn-drain: the file removes no real
# server, so nothing drains and it should take as long as without).
#
# Env: BENCH_SIZES (service counts), BENCH_REPS (runs of each restore, churn,
# dump and single-add loop, every tool alike, in turns; the report keeps the
# fastest), BENCH_SINGLE
# (how many separate -A processes), BENCH_CHURN (0: no churn case),
# BENCH_TOOLS (which of ref, ours, floor and base run the restores and
# churns; default the first three: the report needs them all; with base, the
# readers and the single adds time it too).
set -u
FLOOR=$FILES/floor
REF=/sbin/ipvsadm
OURS=/opt/ours/bin/ipvsadm
BASE=/opt/ours2/bin/ipvsadm
TIMES=$RESULTS/times.txt
TOOLS=${BENCH_TOOLS:-ref ours floor}
CHECKS=$RESULTS/checks.txt
# The builds of ours whose output and tables are checked like ours'.
case " $TOOLS " in *" base "*) BUILDS="ours base" ;; *) BUILDS=ours ;; esac

# ipvsadm_of TOOL: the ipvsadm binary of ref, ours or base (its
# ipvsadm-restore lies beside it).
ipvsadm_of() {
    case $1 in
    ref) echo "$REF" ;;
    ours) echo "$OURS" ;;
    base) echo "$BASE" ;;
    esac
}

# whose TOOL: the label's possessive ("ours'", "base's").
whose() {
    case $1 in
    ours) echo "ours'" ;;
    *) echo "$1's" ;;
    esac
}

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
        # Not $tool: load, which calls this, still needs its own.
        for reader in ref $BUILDS; do
            m "save $reader $1" "$(ipvsadm_of "$reader")" -Sn >/dev/null
        done
        m "save floor $1" "$FLOOR" dump >/dev/null
        for reader in ref $BUILDS; do
            m "list $reader $1" "$(ipvsadm_of "$reader")" -Ln >/dev/null
        done
        m "list floor $1" "$FLOOR" dump >/dev/null
        r=$((r + 1))
    done
}

# load TOOL N RULES (in a fresh namespace): TOOL's restore of RULES timed,
# the table saved (by the reference) to ref-after-TOOL.N.txt; after the
# reference's restore, every reader is timed on that table; then TOOL's flush.
load() {
    tool=$1 n=$2 rules=$3
    restore_with "$tool" "$n" "$rules"
    "$REF" -Sn >"$RESULTS/ref-after-$tool.$n.txt"
    if [ "$tool" = ref ]; then
        dumps "$n"
        for build in $BUILDS; do
            "$(ipvsadm_of "$build")" -Sn >"$RESULTS/$build-save.$n.txt"
            "$(ipvsadm_of "$build")" -Ln >"$RESULTS/$build-list.$n.txt"
        done
        "$REF" -Ln >"$RESULTS/ref-list.$n.txt"
    fi
    flush_with "$tool" "$n"
}

# again TOOL N RULES (in a fresh namespace): one more timed restore and
# flush by TOOL, nothing else.
again() {
    restore_with "$1" "$2" "$3"
    flush_with "$1" "$2"
}

# restore_with TOOL N RULES, flush_with TOOL N: timed.
restore_with() {
    case $1 in
    floor) m "restore floor $2" "$FLOOR" add "$2" ;;
    *) m "restore $1 $2" "$(ipvsadm_of "$1")" -R <"$3" ;;
    esac
}

flush_with() {
    case $1 in
    floor) m "flush floor $2" "$FLOOR" flush ;;
    *) m "flush $1 $2" "$(ipvsadm_of "$1")" -C ;;
    esac
}

# churn TOOL N FILE (in a fresh namespace): the table of `floor gen N`
# loaded by the floor, then TOOL's restore of FILE (the churned rules)
# timed; the table is saved (by the reference) to churn-after-TOOL.N.txt.
churn() {
    tool=$1 n=$2 file=$3
    "$FLOOR" add "$n" || {
        echo "bench: loading the table for the churn case failed" >&2
        return 1
    }
    settle
    case $tool in
    # Nothing to drain (the file removes no real server): the same work.
    ours-drain) m "churn-drain ours $n" "$OURS-restore" --drain <"$file" ;;
    floor) m "churn floor $n" "$FLOOR" churn "$n" ;;
    *) m "churn $tool $n" "$(ipvsadm_of "$tool")-restore" <"$file" ;;
    esac
    "$REF" -Sn >"$RESULTS/churn-after-$tool.$n.txt"
}

# single TOOL COUNT: COUNT separate `-A` processes from a shell loop.
single() {
    bin=$(ipvsadm_of "$1")
    loop='i=0; while [ $i -lt '$2' ]; do "$0" -A -t 10.9.$((i / 256)).$((i % 256)):80 -s wlc || exit 1; i=$((i + 1)); done'
    m "single-add $1 $2" sh -c "$loop" "$bin"
    "$REF" -Sn >"$RESULTS/single-$1.txt"
}

# settle: waits (up to 30 s) until the CPU has been idle for half a second.
# A namespace that held a large table is torn down by a kernel worker after
# its last process exits; without this, the next tool's run would share the
# single vCPU with that teardown.
settle() {
    tries=0
    while [ "$tries" -lt 60 ]; do
        set -- $(head -n 1 /proc/stat)
        busy1=$(($2 + $3 + $4 + $7 + $8)) idle1=$(($5 + $6))
        usleep 500000
        set -- $(head -n 1 /proc/stat)
        busy2=$(($2 + $3 + $4 + $7 + $8)) idle2=$(($5 + $6))
        # Idle for at least 90% of the interval.
        [ $((10 * (idle2 - idle1))) -ge $((9 * (busy2 - busy1 + idle2 - idle1))) ] && return 0
        tries=$((tries + 1))
    done
}

# `guest.sh fresh FUNCTION ARGS...`: FUNCTION in a new network namespace
# with the test network (lo, dummy0, default routes) set up.
if [ "${1:-}" = fresh ]; then
    shift
    /guest/bin/net-up >/dev/null 2>&1 || {
        echo "bench: network setup failed" >&2
        exit 1
    }
    "$@"
    exit
fi
fresh() { unshare -n sh "$0" fresh "$@"; }


: >"$TIMES"
: >"$CHECKS"
for n in ${BENCH_SIZES:-1000 4000 10000}; do
    echo "bench: $n services"
    rules=/tmp/rules.$n
    "$FLOOR" gen "$n" >"$rules"
    for tool in $TOOLS; do
        settle
        fresh load "$tool" "$n" "$rules"
    done
    # The other restores: in turns, so that a slow spell of the machine
    # falls on every tool alike.
    r=2
    while [ "$r" -le "${BENCH_REPS:-1}" ]; do
        for tool in $TOOLS; do
            settle
            fresh again "$tool" "$n" "$rules"
        done
        r=$((r + 1))
    done
    echo "services $n lines $(wc -l <"$rules") saved-lines $(wc -l <"$RESULTS/ref-after-ref.$n.txt")" >>"$CHECKS"
    for build in $BUILDS; do
        check "save-output-$n ($build -Sn vs ref -Sn)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/$build-save.$n.txt"
        check "list-output-$n ($build -Ln vs ref -Ln)" "$RESULTS/ref-list.$n.txt" "$RESULTS/$build-list.$n.txt"
        check "table-after-restore-$n (ref -Sn: $(whose "$build") restore vs ref's)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/ref-after-$build.$n.txt"
    done
    check "table-after-floor-add-$n (ref -Sn)" "$RESULTS/ref-after-ref.$n.txt" "$RESULTS/ref-after-floor.$n.txt"
    rm -f "$rules"
    if [ "${BENCH_CHURN:-1}" != 0 ]; then
        churned=/tmp/churn.$n
        "$FLOOR" gen-churn "$n" >"$churned"
        r=1
        churners=$TOOLS
        case " $TOOLS " in *" ours "*) churners="$churners ours-drain" ;; esac
        while [ "$r" -le "${BENCH_REPS:-1}" ]; do
            for tool in $churners; do
                settle
                fresh churn "$tool" "$n" "$churned"
            done
            r=$((r + 1))
        done
        echo "churn $n lines $(wc -l <"$churned") changed-lines $("$FLOOR" gen "$n" | diff - "$churned" | grep -c '^+[^+]')" >>"$CHECKS"
        for build in $BUILDS; do
            check "churn-table-$n (ref -Sn: $(whose "$build") ipvsadm-restore vs 1.31's)" "$RESULTS/churn-after-ref.$n.txt" "$RESULTS/churn-after-$build.$n.txt"
        done
        check "churn-table-$n (ref -Sn: floor's churn vs 1.31's)" "$RESULTS/churn-after-ref.$n.txt" "$RESULTS/churn-after-floor.$n.txt"
        check "churn-table-$n (ref -Sn: ours' ipvsadm-restore --drain vs 1.31's)" "$RESULTS/churn-after-ref.$n.txt" "$RESULTS/churn-after-ours-drain.$n.txt"
        rm -f "$churned"
    fi
done

single=${BENCH_SINGLE:-200}
r=1
while [ "$r" -le "${BENCH_REPS:-1}" ]; do
    for tool in ref $BUILDS; do
        settle
        fresh single "$tool" "$single"
    done
    r=$((r + 1))
done
for build in $BUILDS; do
    check "table-after-single-adds (ref -Sn: $(whose "$build") vs ref's)" "$RESULTS/single-ref.txt" "$RESULTS/single-$build.txt"
done
echo "bench: done"
