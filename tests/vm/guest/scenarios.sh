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
# Scenarios run one at a time all the same: the kernel keeps the services
# and connections of all namespaces in shared hash tables, and a multi-part
# dump (a long -L, -S or -c listing) skips or repeats entries when another
# namespace changes them meanwhile.
#
# Per pass, files are named after the scenario line: Ln.out, Ln.err, Ln.rc;
# for `~` lines the ours (and ours2) pass also has Ln.ref.* (the reference, run just
# before ours). state records the final kernel state as the reference reads
# it (`-S -n`, `-L --timeout` and `-L --daemon` in one `ipvsadm -R`); setup.log the namespace setup;
# complete marks a finished pass.
#
# Commands run in a subshell of this one (no exec of a shell and of a timeout
# per command: in the emulated guest each exec costs tens of milliseconds);
# the hang guard is per pass instead: a pass that runs out of time leaves no
# `complete` mark, and the host reports the scenario as failed.
#
# Env: IPVSADM_PASS_TIMEOUT (seconds per scenario pass, default 300),
# IPVSADM_CHECK_TIMEOUT (seconds per guest check, default 900: a hang guard
# that the large-table checks must not reach on a busy host).
set -u

REF_PATH=/sbin:/bin
# The reference for scenarios that use ours' --netns: 1.31 through
# `ip netns exec` (tests/vm/guest/netns-ref.sh).
NETNS_REF_PATH=/guest/netns-ref:$REF_PATH
OURS_PATH=/opt/ours/bin:/sbin:/bin
OURS2_PATH=/opt/ours2/bin:/sbin:/bin
PASS_TIMEOUT=${IPVSADM_PASS_TIMEOUT:-300}
CR=$(printf '\r')

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

# The pass's fresh network namespace is the clean IPVS state every pass
# starts from: no services, default timeouts (900 120 300), no sync daemons,
# no connections (which `ipvsadm -C` would not remove). Its mount namespace
# gets an empty /tmp/scn.
make_scratch_dir() {
    mkdir -p /tmp/scn && mount -t tmpfs scn /tmp/scn
}

# run_pass ref|ours|ours2 SCENARIO_FILE OUTDIR (inside the pass's own namespace)
run_pass() {
    pass=$1 file=$2 out=$3
    mkdir -p "$out"
    {
        /guest/bin/net-up || echo "scenarios.sh: network setup failed"
        make_scratch_dir || echo "scenarios.sh: no /tmp/scn"
    } >"$out/setup.log" 2>&1
    cd /tmp/scn || return 1
    ref_path=$REF_PATH
    ! grep -q -e --netns "$file" || ref_path=$NETNS_REF_PATH
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
            run "$out" "L$n" "$path" "${line#? }"
            ;;
        '~ '* | '~~ '*)
            # Time-varying output: reference and ours back to back, ours passes only.
            [ "$pass" != ref ] || continue
            cmd=${line#"${line%% *} "}
            run "$out" "L$n.ref" "$ref_path" "$cmd"
            run "$out" "L$n" "$path" "$cmd"
            ;;
        'j '* | 'jj '*)
            # JSON: the reference's text, then ours' JSON of the same listing.
            [ "$pass" != ref ] || continue
            cmd=${line#"${line%% *} "}
            run "$out" "L$n.ref" "$ref_path" "$cmd"
            run "$out" "L$n" "$path" "$cmd --json"
            ;;
        esac
    done <"$file"
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
total=$(find "$FILES/scenarios" -name '*.scn' | wc -l)
# Scenarios that wait for traffic (a `sleep` or `nc -w` line) come first:
# the guest idles through their waits, which early on the host's other work
# (the builds and tests beside the guests) can use; at the end it has none.
ordered=$({
    grep -l -e '^> sleep ' -e '^> .*nc -w ' "$FILES"/scenarios/*.scn
    ls "$FILES"/scenarios/*.scn
} 2>/dev/null | awk '!seen[$0]++')
i=0
for file in $ordered; do
    [ -f "$file" ] || continue
    i=$((i + 1))
    name=$(basename "$file" .scn)
    echo "[$(cut -d' ' -f1 /proc/uptime)s] scenario $i/$total: $name"
    passes="ref ours"
    if [ -x /opt/ours2/bin/ipvsadm ] && grep -qxF "$name" "$FILES/ours2.list" 2>/dev/null; then
        passes="$passes ours2"
    fi
    for pass in $passes; do
        timeout "$PASS_TIMEOUT" unshare -n -m "$0" pass "$pass" "$file" "$RESULTS/$name/$pass" ||
            echo "scenarios.sh: $name: $pass pass failed"
    done
done

# Guest checks: ours-only scripts, each in its own namespace with ours first
# in PATH; $RESULTS/checks/NAME.rc holds the exit status, NAME.log the output.
mkdir -p "$RESULTS/checks"
for check in "$FILES"/guest-checks/*.sh; do
    [ -f "$check" ] || continue
    name=$(basename "$check" .sh)
    echo "[$(cut -d' ' -f1 /proc/uptime)s] guest check: $name"
    PATH=$OURS_PATH unshare -n sh -c '/guest/bin/net-up >/dev/null 2>&1 || exit 90
        /sbin/ipvsadm --set 900 120 300
        rm -rf /tmp/scn && mkdir /tmp/scn && cd /tmp/scn || exit 91
        exec timeout "$1" sh "$2"' check "${IPVSADM_CHECK_TIMEOUT:-900}" "$check" \
        >"$RESULTS/checks/$name.log" 2>&1
    echo "$?" >"$RESULTS/checks/$name.rc"
done
echo "[$(cut -d' ' -f1 /proc/uptime)s] done"
