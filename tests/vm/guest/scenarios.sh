#!/bin/sh
# Guest side of the differential scenarios: runs every $FILES/scenarios/*.scn
# twice, first with the reference ipvsadm (/sbin) and then with ours
# (/opt/ours/bin), and records every command's stdout, stderr and exit status
# under $RESULTS/NAME/{ref,ours}/. The scenarios named in $FILES/ours2.list
# (one per line) get a third pass, ours2, with the second binary under test
# (/opt/ours2/bin, run-guest.sh --ours2). The host compares them
# (tests/support/); the format is described in tests/support/scenario.rs.
#
# Each pass runs in fresh network and mount namespaces: it starts with no
# services, connections or sync daemons and has its own empty /tmp/scn.
#
# One pass works on IPVS at a time: the kernel keeps the services and
# connections of all namespaces in shared hash tables, and a multi-part dump
# (a long -L, -S or -c listing) skips or repeats entries when another
# namespace changes them meanwhile. Waiting is another matter: scenarios
# that make traffic wait for it (`> sleep`, `nc -w`, `timeout` lines, which
# do not run ipvsadm), and the guest would idle through those waits. Their
# passes run in the background instead, taking turns with the others: a
# background pass works only in its turn, gives the turn back when it
# reaches a wait, and asks for the next one when the wait is over; the
# main loop hands out turns between the other passes (turns and their
# messages: the FIFOs in $SCHED).
#
# Per pass, files are named after the scenario line: Ln.out, Ln.err, Ln.rc;
# for `~` lines the ours (and ours2) pass also has Ln.ref.* (the reference, run just
# before ours). state records the final kernel state as the reference reads
# it (`-S -n`, `-L --timeout` and `-L --daemon` in one `ipvsadm -R`); setup.log the namespace setup;
# complete marks a finished pass. The console gets a `busy NAME PASS
# CENTISECONDS` line per pass: the guest time it held the turn.
#
# Commands run in a subshell of this one (no exec of a shell and of a timeout
# per command: in the emulated guest each exec costs tens of milliseconds);
# the hang guard is per pass instead: a pass that runs out of time leaves no
# `complete` mark, and the host reports the scenario as failed.
#
# Env: IPVSADM_PASS_TIMEOUT (seconds per scenario pass, default 300),
# IPVSADM_CHECK_TIMEOUT (seconds per guest check, default 900: a hang guard
# that the large-table checks must not reach on a busy host),
# IPVSADM_BACKGROUND_PASSES (background passes at most at once, default 3;
# 0 runs every pass in the main loop, waits included).
set -u

REF_PATH=/sbin:/bin
# The reference for scenarios that use ours' --netns: 1.31 through
# `ip netns exec` (tests/vm/guest/netns-ref.sh).
NETNS_REF_PATH=/guest/netns-ref:$REF_PATH
OURS_PATH=/opt/ours/bin:/sbin:/bin
OURS2_PATH=/opt/ours2/bin:/sbin:/bin
PASS_TIMEOUT=${IPVSADM_PASS_TIMEOUT:-300}
BACKGROUND_PASSES=${IPVSADM_BACKGROUND_PASSES:-3}
CR=$(printf '\r')
# Turns: `events` carries "ID wait|ready|exit" lines from the background
# passes to the main loop; ID.turn carries the main loop's "go" to pass ID.
SCHED=/tmp/sched

# run OUTDIR NAME PATH CMDLINE: runs CMDLINE as `sh -c` would, in a subshell
# (in /tmp/scn, the pass's working directory), with PATH choosing the ipvsadm
# under test and no stdin unless CMDLINE redirects it.
run() {
    (
        PATH=$3
        eval "$4"
    ) </dev/null >"$1/$2.out" 2>"$1/$2.err"
    echo "$?" >"$1/$2.rc"
}

# is_wait LINE: whether a scenario line only waits (for traffic it makes, or
# for time to pass) without running ipvsadm: a setup line with `sleep`,
# `nc -w` or `timeout` in it.
is_wait() {
    case $1 in
    *ipvsadm*) return 1 ;;
    '> '*'sleep '* | '> '*'nc -w'* | '> '*'timeout '*) return 0 ;;
    esac
    return 1
}

# The pass's fresh network namespace is the clean IPVS state every pass
# starts from: no services, default timeouts (900 120 300), no sync daemons,
# no connections (which `ipvsadm -C` would not remove). Its mount namespace
# gets an empty /tmp/scn. (net-up is read by this shell, in a subshell:
# one exec less per pass.)
setup_pass() {
    mkdir -p "$1" /tmp/scn || return 1
    {
        # Not in an `||` list: that would switch off net-up's `set -e`.
        (. /guest/bin/net-up)
        [ "$?" = 0 ] || echo "scenarios.sh: network setup failed"
        mount -t tmpfs scn /tmp/scn || echo "scenarios.sh: no /tmp/scn"
    } >"$1/setup.log" 2>&1
}

# In a background pass (PASS_ID set): `wait` gives the turn back before a
# wait, `work` asks for it again after one (and blocks until it comes).
waiting=0
turn() {
    [ -n "${PASS_ID:-}" ] || return 0
    case $1 in
    wait)
        [ "$waiting" = 0 ] || return 0
        waiting=1
        echo "$PASS_ID wait" >"$SCHED/events"
        ;;
    work)
        [ "$waiting" = 1 ] || return 0
        waiting=0
        echo "$PASS_ID ready" >"$SCHED/events"
        read -r _ <&9
        ;;
    esac
}

# run_pass ref|ours|ours2 NETNS SCENARIO_FILE OUTDIR (inside the pass's own
# namespace; in the background when PASS_ID is set). NETNS is 1 when the
# scenario uses --netns.
run_pass() {
    pass=$1 netns=$2 file=$3 out=$4
    # Held open for the pass's life: the main loop's "go" waits in it even
    # when it comes before this pass reads it.
    [ -z "${PASS_ID:-}" ] || exec 9<>"$SCHED/$PASS_ID.turn"
    setup_pass "$out"
    cd /tmp/scn || return 1
    ref_path=$REF_PATH
    [ "$netns" = 0 ] || ref_path=$NETNS_REF_PATH
    case $pass in
    ref) path=$ref_path ;;
    ours2) path=$OURS2_PATH ;;
    *) path=$OURS_PATH ;;
    esac
    n=0
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        line=${line%"$CR"}
        case $line in
        '$ '* | '> '* | '% '*)
            if is_wait "$line"; then turn wait; else turn work; fi
            run "$out" "L$n" "$path" "${line#? }"
            ;;
        '~ '* | '~~ '*)
            # Time-varying output: reference and ours back to back, ours passes only.
            [ "$pass" != ref ] || continue
            turn work
            cmd=${line#"${line%% *} "}
            run "$out" "L$n.ref" "$ref_path" "$cmd"
            run "$out" "L$n" "$path" "$cmd"
            ;;
        'j '* | 'jj '*)
            # JSON: the reference's text, then ours' JSON of the same listing.
            [ "$pass" != ref ] || continue
            turn work
            cmd=${line#"${line%% *} "}
            run "$out" "L$n.ref" "$ref_path" "$cmd"
            run "$out" "L$n" "$path" "$cmd --json"
            ;;
        esac
    done <"$file"
    turn work
    # One run of 1.31 (an exec of it costs tens of milliseconds here).
    run "$out" state "$REF_PATH" "printf '%s\\n' '-S -n' '-L --timeout' '-L --daemon' | ipvsadm -R"
    : >"$out/complete"
}

if [ "${1:-}" = pass ]; then
    shift
    run_pass "$@"
    exit 0
fi

[ -x /opt/ours/bin/ipvsadm ] || {
    echo "scenarios.sh: no ipvsadm under test (run-guest.sh --ours)" >&2
    exit 1
}

# now: the guest's uptime in centiseconds (/proc/uptime has two decimals).
now() {
    read -r up _ </proc/uptime
    now=$((${up%.*} * 100 + 1${up#*.} - 100))
}
# say TEXT: TEXT on the console, after the guest's uptime.
say() {
    read -r up _ </proc/uptime
    echo "[${up}s] $*"
}

# The passes to run, as "PASS:NETNS:FILE" words, and the background ones apart.
total=$(find "$FILES/scenarios" -name '*.scn' | wc -l)
foreground="" background=""
for file in "$FILES"/scenarios/*.scn; do
    [ -f "$file" ] || continue
    name=$(basename "$file" .scn)
    passes="ref ours"
    if [ -x /opt/ours2/bin/ipvsadm ] && grep -qxF "$name" "$FILES/ours2.list" 2>/dev/null; then
        passes="$passes ours2"
    fi
    waits=0 netns=0
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%"$CR"}
        [ "$BACKGROUND_PASSES" = 0 ] || ! is_wait "$line" || waits=1
        case $line in *--netns*) netns=1 ;; esac
    done <"$file"
    for pass in $passes; do
        if [ "$waits" = 1 ]; then
            background="$background $pass:$netns:$file"
        else
            foreground="$foreground $pass:$netns:$file"
        fi
    done
done

# Background passes: their names by ID (name_ID, pass_ID), the IDs
# waiting for a turn, how many have not exited.
mkdir -p "$SCHED" && mkfifo "$SCHED/events" || exit 1
exec 8<>"$SCHED/events"
ready="" running=0 next_id=0

# take_item PASS:NETNS:FILE: sets pass, netns, file and name (the
# scenario's), with the shell alone.
take_item() {
    pass=${1%%:*} netns=${1#*:} file=${1#*:*:}
    netns=${netns%%:*}
    name=${file##*/}
    name=${name%.scn}
}

# pass_in_namespaces: runs pass $pass of $file in fresh network and mount
# namespaces, within the pass's time.
pass_in_namespaces() {
    timeout "$PASS_TIMEOUT" unshare -n -m "$0" pass "$pass" "$netns" "$file" "$RESULTS/$name/$pass" ||
        echo "scenarios.sh: $name: $pass pass failed"
}

# pass_name ID: sets name and pass of background pass ID.
pass_name() {
    eval "name=\$name_$1 pass=\$pass_$1"
}

# busy NAME PASS SINCE: reports the guest time from SINCE (centiseconds)
# to now as pass PASS of NAME's.
busy() {
    now
    echo "busy $1 $2 $((now - $3))"
}

# on_event ID EVENT: notes a message that is not the one awaited.
on_event() {
    case $2 in
    ready) ready="$ready $1" ;;
    exit)
        running=$((running - 1))
        pass_name "$1"
        echo "scenarios.sh: $name: $pass pass ended while waiting"
        ;;
    esac
}

# turn_of ID: until background pass ID gives the turn back (a wait) or
# exits, noting the other passes' messages meanwhile; the time counts as
# the pass's.
turn_of() {
    now
    since=$now
    while :; do
        if ! read -r -t "$PASS_TIMEOUT" id event <&8; then
            pass_name "$1"
            echo "scenarios.sh: $name: $pass pass silent for ${PASS_TIMEOUT}s"
            return 1
        fi
        if [ "$id" = "$1" ] && [ "$event" != ready ]; then
            pass_name "$1"
            busy "$name" "$pass" "$since"
            if [ "$event" = exit ]; then
                running=$((running - 1))
            fi
            return 0
        fi
        on_event "$id" "$event"
    done
}

# start_background PASS:NETNS:FILE: starts the pass and lets it work until it
# first waits.
start_background() {
    take_item "$1"
    next_id=$((next_id + 1))
    id=$next_id
    eval "name_$id=\$name pass_$id=\$pass"
    mkfifo "$SCHED/$id.turn" || return 1
    say "scenario $name: $pass pass (background)"
    running=$((running + 1))
    (
        export PASS_ID="$id"
        pass_in_namespaces
        echo "$id exit" >"$SCHED/events"
    ) &
    turn_of "$id"
}

# pending: notes the messages already sent (`read -t 0` only tells
# whether there is one; it reads nothing).
pending() {
    while read -r -t 0 _ <&8; do
        read -r id event <&8
        on_event "$id" "$event"
    done
}

# serve: gives a turn to every background pass that has finished waiting,
# one after the other.
serve() {
    pending
    while [ -n "$ready" ]; do
        # shellcheck disable=SC2086 # a list of IDs
        set -- $ready
        ready=${ready#" $1"}
        echo go 1<>"$SCHED/$1.turn"
        turn_of "$1"
        pending
    done
}

# top_up: starts background passes until BACKGROUND_PASSES are under way.
top_up() {
    while [ "$running" -lt "$BACKGROUND_PASSES" ] && [ -n "$background" ]; do
        # shellcheck disable=SC2086 # a list of words
        set -- $background
        background=${background#" $1"}
        start_background "$1"
    done
}

for item in $foreground; do
    serve
    top_up
    take_item "$item"
    say "scenario $name: $pass pass"
    now
    since=$now
    pass_in_namespaces
    busy "$name" "$pass" "$since"
done
# The background passes left: turns as they finish waiting.
while [ "$running" -gt 0 ] || [ -n "$background" ]; do
    serve
    top_up
    [ "$running" -gt 0 ] || continue
    if read -r -t "$PASS_TIMEOUT" id event <&8; then
        on_event "$id" "$event"
    else
        echo "scenarios.sh: no background pass has finished waiting in ${PASS_TIMEOUT}s"
        break
    fi
done
say "scenarios done ($total)"

# Guest checks: ours-only scripts, each in its own namespace with ours first
# in PATH; $RESULTS/checks/NAME.rc holds the exit status, NAME.log the output.
mkdir -p "$RESULTS/checks"
for check in "$FILES"/guest-checks/*.sh; do
    [ -f "$check" ] || continue
    name=$(basename "$check" .sh)
    say "guest check: $name"
    PATH=$OURS_PATH unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 90
        /sbin/ipvsadm --set 900 120 300
        rm -rf /tmp/scn && mkdir /tmp/scn && cd /tmp/scn || exit 91
        exec timeout "$1" sh "$2"' check "${IPVSADM_CHECK_TIMEOUT:-900}" "$check" \
        >"$RESULTS/checks/$name.log" 2>&1
    echo "$?" >"$RESULTS/checks/$name.rc"
done
say "done"
