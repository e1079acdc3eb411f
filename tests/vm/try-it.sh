#!/usr/bin/env bash
# Try ours in a real IPVS kernel: builds ipvsadm (cargo build --release),
# boots the test guest, sets up an LVS-DR example with ours (wrr service
# 10.0.0.3:80, real servers 10.0.0.11 weight 3 and 10.0.0.12 weight 1), opens
# a few TCP connections to the VIP from inside the guest, and prints
# `ipvsadm -Ln`, `ipvsadm -Ln --stats` and `ipvsadm -Lnc`.
#
# Usage: tests/vm/try-it.sh [-- IPVSADM_ARGS... [-- IPVSADM_ARGS...]...]
#   Each `--` group is one more ipvsadm command (ours), run after the setup:
#   tests/vm/try-it.sh -- -Ln --rate -- -S -n
# Env: IPVSADM_OURS=PATH tries that binary instead of building one.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

commands=$(mktemp -d "${TMPDIR:-/tmp}/ipvsadm-try-it.XXXXXX")
trap 'rm -rf "$commands"' EXIT
mkdir "$commands/commands"
# One file per `--` group, one argument per line.
count=0
while [ $# -gt 0 ]; do
    [ "$1" = -- ] || die "usage: $0 [-- IPVSADM_ARGS... [-- IPVSADM_ARGS...]...]"
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
bash "$VM_DIR/run-guest.sh" --ours "$ours" --script "$VM_DIR/guest/try-it.sh" \
    --files "$commands" --out "$out" --timeout 300
cat "$out/output.txt"
