#!/usr/bin/env bash
# Try ours in a real IPVS kernel: builds ipvsadm (cargo build --release),
# boots the test guest, sets up an LVS-DR example with ours (wrr service
# 10.0.0.3:80, real servers 10.0.0.11 weight 3 and 10.0.0.12 weight 1), opens
# a few TCP connections to the VIP from inside the guest, and prints
# `ipvsadm -Ln`, `ipvsadm -Ln --stats` and `ipvsadm -Lnc`.
# With --ha instead: two directors, master and backup, on a LAN of network
# namespaces (tests/guest-checks/two-directors.sh): the connections made
# through the master show up in the backup's `ipvsadm -Lnc` through the IPVS
# sync daemons, with ours and 1.31 on either side.
#
# Usage: tests/vm/try-it.sh [-- IPVSADM_ARGS... [-- IPVSADM_ARGS...]...]
#        tests/vm/try-it.sh --ha
#   Each `--` group is one more ipvsadm command (ours), run after the setup:
#   tests/vm/try-it.sh -- -Ln --rate -- -S -n
# Env: IPVSADM_OURS=PATH tries that binary instead of building one.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

usage() { die "usage: $0 [-- IPVSADM_ARGS... [-- IPVSADM_ARGS...]...] | --ha"; }

commands=$(mktemp -d "${TMPDIR:-/tmp}/ipvsadm-try-it.XXXXXX")
trap 'rm -rf "$commands"' EXIT
mkdir "$commands/commands"
script=$VM_DIR/guest/try-it.sh
if [ "${1:-}" = --ha ]; then
    [ $# -eq 1 ] || usage
    shift
    # The guest check is the demonstration; its transcript is the output.
    cp "$REPO_ROOT/tests/guest-checks/two-directors.sh" "$commands/"
    script=$commands/ha.sh
    printf '%s\n' '#!/bin/sh' \
        'sh "$FILES/two-directors.sh" >"$RESULTS/output.txt" 2>&1' >"$script"
fi
# One file per `--` group, one argument per line.
count=0
while [ $# -gt 0 ]; do
    [ "$1" = -- ] || usage
    shift
    count=$((count + 1))
    file=$commands/commands/$(printf '%03d' "$count")
    : >"$file"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        printf '%s\n' "$1" >>"$file"
        shift
    done
done

if [ -n "${IPVSADM_OURS:-}" ]; then
    ours=$IPVSADM_OURS
else
    note "building ipvsadm (cargo build --release)"
    cargo build --release --quiet --bin ipvsadm
    ours=${CARGO_TARGET_DIR:-target}/release/ipvsadm
fi

out=$VM_CACHE/try-it
# What a failed run leaves is still shown, but never an earlier run's output.
rm -f "$out/output.txt"
status=0
bash "$VM_DIR/run-guest.sh" --ours "$ours" --script "$script" \
    --files "$commands" --out "$out" --timeout 300 || status=$?
[ ! -f "$out/output.txt" ] || cat "$out/output.txt"
exit "$status"
