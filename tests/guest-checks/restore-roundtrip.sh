#!/bin/sh
# The ipvsadm-save / ipvsadm-restore round trip of every table in the
# kernel suite. For each scenario (tests/scenarios/*.scn, found in
# $SCENARIOS, else $FILES/scenarios, else next to this script) the table T
# it ends with is loaded by the reference: from the final -Sn the test bed
# recorded ($RESULTS/NAME/ref/state.out), or, run on its own, by playing
# the scenario. Then T is
#   saved by ours (numeric and with names: what ipvsadm -S prints),
#   planned onto itself by ours (a dry run must plan nothing),
#   restored by ours onto an empty table and onto an unrelated table:
# each must give T again. Tables are compared as the set of -Sn lines:
# 1.31's sort of real servers depends on the kernel's order when addresses
# above and below 128.0.0.0 mix (scenario 134), so re-adding the same servers
# can list them in another order. Tables 1.31 itself cannot round-trip
# (flush + -R of its own save) are counted and skipped; 1.31 is asked only
# when ours' restore did not give T, and the same with names.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
. "$(dirname "$0")/check.inc"
command -v ipvsadm-restore >/dev/null || fail "no ipvsadm-restore in PATH"
here=$(cd "$(dirname "$0")" && pwd)
dir=${SCENARIOS:-}
for candidate in "${FILES:-/nonexistent}/scenarios" "$here/../scenarios"; do
    [ -n "$dir" ] || { [ -d "$candidate" ] && dir=$candidate; }
done
[ -n "$dir" ] && [ -d "$dir" ] || fail "no scenario directory (set SCENARIOS)"
work=$(mktemp -d) || fail "mktemp"
CR=$(printf '\r')

# reset: an empty table. Only the scenarios played here can leave timeouts,
# sync daemons or files behind (reset_all); the recorded tables go in and
# out through -R, ipvsadm-save and ipvsadm-restore of -A/-a lines, which
# touch neither.
reset() {
    $REF -C
}
reset_all() {
    $REF -C
    $REF --set 900 120 300
    $REF --stop-daemon master 2>/dev/null
    $REF --stop-daemon backup 2>/dev/null
    rm -rf /tmp/scn && mkdir /tmp/scn
}

# play FILE: runs the scenario's commands with the reference, as the
# differential test bed does (in /tmp/scn, no stdin, 10 s each).
play() {
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line%"$CR"}
        case $line in
        '$ '* | '> '* | '% '*)
            (cd /tmp/scn && PATH=/sbin:/bin timeout 10 sh -c "${line#? }") </dev/null >/dev/null 2>&1
            ;;
        esac
    done <"$1"
}

# flushed_then FILE: `-C`, then FILE's lines, for one `ipvsadm -R` (each exec
# of 1.31 costs tens of milliseconds in the emulated guest).
flushed_then() {
    echo -C
    while IFS= read -r line; do echo "$line"; done <"$1"
}

# The table as a sorted set of -Sn lines.
table() { $REF -Sn | sort; }

# ref_roundtrips FILE: whether 1.31's -R of FILE (its own save of T) onto an
# empty table gives T. Asked only when ours' restore did not give T: a table
# that 1.31 itself cannot round-trip is skipped, not failed.
ref_roundtrips() {
    $REF -C
    $REF -R <"$1" >/dev/null 2>&1
    table | cmp -s - "$work/T"
}

# skip WHY: counts the table as skipped, saying why.
skip() {
    skipped=$((skipped + 1))
    echo "restore-roundtrip: $name: $1; skipped"
}

# The unrelated table that saves are restored onto, as 1.31's -R lines.
OTHER='-C
-A -t 10.0.0.99:80 -s rr
-a -t 10.0.0.99:80 -r 10.0.0.98:80 -m
-A -f 4242 -s wlc'

# restored_onto_empty SAVE: ours' ipvsadm-restore of $work/SAVE onto the
# current (empty) table succeeds and gives T (what it gave is in
# $work/got). Then the unrelated table is loaded, by the run of 1.31 that
# reads the table.
restored_onto_empty() {
    ipvsadm-restore "$work/$1" 2>"$work/err" || fail "$name: restore of save $1 onto empty: $(cat "$work/err")"
    printf '%s\n' '-S -n' "$OTHER" | $REF -R | sort >"$work/got"
    cmp -s "$work/got" "$work/T"
}

# restored_onto_other SAVE [loaded]: with the unrelated table loaded (here,
# unless the second argument says it is already), ours' ipvsadm-restore of
# $work/SAVE succeeds and gives T.
restored_onto_other() {
    [ "${2:-}" = loaded ] || echo "$OTHER" | $REF -R
    ipvsadm-restore "$work/$1" 2>"$work/err" && table | cmp -s - "$work/T"
}

tables=0 empty=0 skipped=0
recorded=0 played=0
for scn in "$dir"/*.scn; do
    name=$(basename "$scn" .scn)
    state=${RESULTS:-/nonexistent}/$name/ref/state.out
    if [ -f "$state" ]; then
        recorded=$((recorded + 1))
        # The `-S -n` part of the recorded state (its other lines are the
        # timeouts and daemons), loaded after a flush by one run of 1.31.
        grep -e '^-A ' -e '^-a ' "$state" >"$work/saved"
        flushed_then "$work/saved" | $REF -R >/dev/null 2>&1
        sort "$work/saved" >"$work/T"
    else
        played=$((played + 1))
        reset_all
        play "$scn"
        $REF -Sn | sort >"$work/T"
        # What is checked is a table 1.31 loads from its own save, as in
        # the recorded case (a played table can hold what -S does not say).
        reset
        $REF -R <"$work/T" >/dev/null 2>&1
    fi
    if [ ! -s "$work/T" ]; then
        empty=$((empty + 1))
        continue
    fi
    ipvsadm-save -n >"$work/S" || fail "$name: ipvsadm-save -n failed"
    ipvsadm-save >"$work/N" || fail "$name: ipvsadm-save failed"
    ipvsadm-restore --dry-run "$work/S" >"$work/plan" 2>"$work/err" ||
        fail "$name: --dry-run onto itself failed: $(cat "$work/err")"
    [ -s "$work/plan" ] && fail "$name: restoring a table onto itself plans changes:
$(cat "$work/plan")"
    # 1.31's -Sn and -S (ours' two saves, one after the other), then a
    # flush: one run of it.
    printf '%s\n' '-S -n' '-S' '-C' | $REF -R >"$work/ref-saves"
    cat "$work/S" "$work/N" | cmp -s - "$work/ref-saves" ||
        fail "$name: ipvsadm-save -n and ipvsadm-save differ from ipvsadm -Sn and -S:
$(cat "$work/S" "$work/N" | diff "$work/ref-saves" -)"

    if ! restored_onto_empty S; then
        got=$(diff "$work/T" "$work/got")
        ref_roundtrips "$work/T" ||
            { skip "1.31 cannot round-trip its own save"; continue; }
        fail "$name: restore onto an empty table gives:
$got"
    fi

    # With names (what ipvsadm-save prints), onto another table; numeric
    # only where 1.31 cannot read back its own save with names either.
    if ! restored_onto_other N loaded; then
        got=$(table | diff "$work/T" -)
        ref_roundtrips "$work/N" && fail "$name: restore of save N onto another table: $(cat "$work/err")
$got"
        echo "restore-roundtrip: $name: 1.31 cannot read back its save with names; numeric only"
        restored_onto_other S || fail "$name: restore of save S onto another table: $(cat "$work/err")
$(table | diff "$work/T" -)"
    fi
    tables=$((tables + 1))
done
reset_all
[ "$tables" -gt 0 ] || fail "no scenario left a table"
echo "restore-roundtrip: $tables tables round-tripped ok ($empty scenarios end with an empty table, $skipped skipped; $recorded tables as recorded, $played played)"
rm -rf "$work"
exit 0
