#!/usr/bin/env bash
# User-space instruction counts of the bulk paths (listing 4,000 x 10 from
# Linux-shaped dump datagrams; a 44,000-request batch), repeatable on a
# loaded machine: callgrind counts instructions, not time. Counts only the
# two measured functions of ipvs's ignored test `bulk_paths`.
# Usage: benches/callgrind.sh        Prints: <function> <instructions>
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bin=$(cargo test --release -p ipvs --lib --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
out=$(mktemp -d "${TMPDIR:-/tmp}/ipvs-callgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT
for phase in measured_listing measured_batch; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$phase" \
        --toggle-collect="*$phase*" "$bin" --ignored --exact \
        client::bench::bulk_paths --test-threads=1 >/dev/null 2>&1
    printf '%s %s\n' "$phase" "$(sed -n 's/^totals: //p' "$out/$phase")"
done
