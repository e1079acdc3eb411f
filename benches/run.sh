#!/usr/bin/env bash
# Benchmark (issue 5): ours vs ipvsadm 1.31 vs a minimal raw-netlink client
# (the floor, benches/floor/floor.rs), all in one boot of the test guest.
#
# Usage: benches/run.sh [OUTDIR]        (default target/bench)
# Env:   BENCH_SIZES   service counts, 10 real servers each (default "1000 4000 10000")
#        BENCH_REPS    runs of each restore, churn, -Sn, -Ln, dump and
#                      single-add loop, every tool alike, in turns; the
#                      fastest is kept (default 1)
#        BENCH_SINGLE  separate `ipvsadm -A` processes (default 200)
#        BENCH_CHURN   0: leave out the churn case (ipvsadm-restore of a file
#                      differing in about 1% from the live table; see guest.sh)
#        BENCH_TOOLS   which of "ref ours floor base" run the restores and
#                      churns (default "ref ours floor", with base when
#                      BENCH_BASE is set; fewer for a quick look at one case)
#        BENCH_OURS    the ipvsadm binary to time (default: the static musl
#                      release build, built here: what the packages hold;
#                      target/release/ipvsadm for the glibc one)
#        BENCH_BASE    a baseline ipvsadm binary (another build of ours, say
#                      the one before a change), timed as "base" on every
#                      operation in turns with the others; the report
#                      compares its ratios to the floor with ours'
#        BENCH_TIMEOUT guest time limit in seconds (default 5400)
#        IPVSADM_VM_MEMORY guest memory in MiB (default here 2048)
# Prints the table (also OUTDIR/report.txt); raw numbers in OUTDIR/times.txt,
# equality checks in OUTDIR/checks.txt, saved tables next to them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/target/bench}
target=${CARGO_TARGET_DIR:-$repo/target}
sizes=${BENCH_SIZES:-1000 4000 10000}

musl=x86_64-unknown-linux-musl
if [ -n "${BENCH_OURS:-}" ]; then
    ours=$(realpath -e "$BENCH_OURS")
    echo "bench: ours is $ours; building the floor" >&2
else
    ours=$target/$musl/release/ipvsadm
    echo "bench: building ours (release, static musl) and the floor" >&2
    rustup target list --installed 2>/dev/null | grep -qx "$musl" || rustup target add "$musl"
    (cd "$repo" && cargo build --release --quiet --target "$musl" --bin ipvsadm)
fi
tools=${BENCH_TOOLS:-ref ours floor}
base_args=()
if [ -n "${BENCH_BASE:-}" ]; then
    base_args=(--ours2 "$(realpath -e "$BENCH_BASE")")
    [ -n "${BENCH_TOOLS:-}" ] || tools="$tools base"
fi
files=$(mktemp -d "${TMPDIR:-/tmp}/ipvsadm-bench.XXXXXX")
trap 'rm -rf "$files"' EXIT
rustc --edition 2021 -O -C target-feature=+crt-static \
    "$repo/benches/floor/floor.rs" -o "$files/floor"

echo "bench: booting the guest (sizes: $sizes)" >&2
status=0
IPVSADM_VM_MEMORY=${IPVSADM_VM_MEMORY:-2048} \
    bash "$repo/tests/vm/run-guest.sh" --script "$repo/benches/guest.sh" \
    --out "$out" --ours "$ours" "${base_args[@]}" --files "$files" \
    --env "BENCH_SIZES=$sizes" --env "BENCH_REPS=${BENCH_REPS:-1}" \
    --env "BENCH_SINGLE=${BENCH_SINGLE:-200}" --env "BENCH_CHURN=${BENCH_CHURN:-1}" \
    --env "BENCH_TOOLS=$tools" \
    --timeout "${BENCH_TIMEOUT:-5400}" || status=$?
[ -f "$out/times.txt" ] || exit "${status/#0/1}"
bash "$repo/benches/report.sh" "$out" | tee "$out/report.txt"
exit "$status"
