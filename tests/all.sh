#!/usr/bin/env bash
# The one test command. As root on a fresh Debian 12 machine (with Rust from
# rustup) it installs what is missing (a C linker, the musl target,
# qemu-system-x86, busybox-static, ipvsadm, Debian's current kernel unpacked
# under target/vm/), then runs formatting and lint checks and the whole test
# suite, including the real-kernel scenarios in qemu guests (tests/kernel.rs):
# the whole corpus with the static musl build (the binary the packages and
# the README's static install put on a director) and the smoke set with the
# glibc build (what `cargo install` gives); it also builds with the declared
# rust-version (tests/msrv.sh, Debian's rustc-web) and builds and checks the
# packages.
#
# To finish sooner on a small machine, the work overlaps: the installs and
# downloads, and clippy (at a lower priority, in its own target directory),
# run while the binaries the guests need are built; the guests then run
# while the other tests, the msrv build and the package check build and
# run, again at a lower priority, so that the guests keep their CPU.
#
# Env: IPVSADM_VM (default "required": no guest is a failure; any other
# value lets tests/kernel.rs skip when no guest can be booted here);
# IPVSADM_SCENARIOS, IPVSADM_OURS, IPVSADM_OURS2, IPVSADM_OURS2_SCENARIOS,
# IPVSADM_QUICKSTART and IPVSADM_VM_GUESTS are passed on to tests/kernel.rs
# (IPVSADM_OURS defaults to the static musl release build, IPVSADM_OURS2 to
# the glibc one, IPVSADM_QUICKSTART to the library's example, all made
# here; IPVSADM_OURS2_SCENARIOS to tests/kernel.rs's smoke set).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/vm/common.sh
source tests/vm/common.sh

MUSL=x86_64-unknown-linux-musl
target=${CARGO_TARGET_DIR:-$PWD/target}
logs=$target/all-sh
mkdir -p "$logs"
begun=$(date +%s)
phase_started=$begun
phases=()
step() {
    echo "==> [$(($(date +%s) - begun))s] $*" >&2
}
# phase NAME: records how long the phase that just ended took.
phase() {
    local now
    now=$(date +%s)
    phases+=("$(printf '%5ss  %s' "$((now - phase_started))" "$1")")
    phase_started=$now
}

export IPVSADM_VM=${IPVSADM_VM-required}
# Debug builds (the tests, the example, tests/msrv.sh) with line tables
# only: backtraces still name files and lines, and the build takes about a
# seventh less time (the test builds from scratch: 56 s against 65 s).
export CARGO_PROFILE_DEV_DEBUG=${CARGO_PROFILE_DEV_DEBUG-line-tables-only}

# Rust needs a C toolchain to link (also for the musl target, which brings
# its own C library and start files: no musl-gcc needed).
if ! command -v cc >/dev/null; then
    apt_install gcc libc6-dev || die "no C compiler (cc) and cannot install gcc"
fi
if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' ||
        rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' ||
        rustup component add clippy
    rustup target list --installed 2>/dev/null | grep -qx "$MUSL" ||
        rustup target add "$MUSL"
fi

# In the background while the builds run (apt and the downloads wait on
# the network and the disk, the builds on the CPU): the shells and man tools
# for tests/generated_docs.rs (it skips, with a note, what is missing;
# installing them makes those checks run), then the guests' prerequisites
# (tests/vm/prepare.sh: qemu, busybox-static, ipvsadm, the kernel). The
# kernel suite waits for them; nothing else installs with apt before then.
prerequisites() {
    local tool pkg status=0
    for tool in zsh fish groff man; do
        command -v "$tool" >/dev/null && continue
        case $tool in
        groff) pkg=groff-base ;;
        man) pkg=man-db ;;
        *) pkg=$tool ;;
        esac
        apt_install "$pkg" || echo "note: could not install $pkg; its checks will be skipped" >&2
    done
    bash tests/vm/prepare.sh >/dev/null || status=$?
    # 3: no guest on this host; tests/kernel.rs skips or fails (IPVSADM_VM=required).
    [ "$status" -eq 0 ] || [ "$status" -eq "$EXIT_UNAVAILABLE" ] ||
        die "tests/vm/prepare.sh failed"
}
step "prerequisites: shells, man tools and the test guest's (in the background, log in $logs/prerequisites.log)"
prerequisites >"$logs/prerequisites.log" 2>&1 &
prerequisites_pid=$!
phase "toolchain"

step "cargo fmt --check"
cargo fmt --check
phase "cargo fmt --check"

# Clippy shares no build products with the builds below: in its own target
# directory it can run beside them.
step "cargo clippy --workspace --all-targets -- -D warnings (in the background)"
clippy_started=$(date +%s)
CARGO_TARGET_DIR=$target/clippy nice -n 10 \
    cargo clippy --workspace --all-targets -- -D warnings >"$logs/clippy.log" 2>&1 &
clippy_pid=$!

# The kernel suite runs the release binaries, what `cargo install` and the
# packages put on a director (also several times faster in the emulated
# guest): the glibc one and the static musl one, in one cargo run (in a
# target directory of their own) so that their link-time optimisation, one
# CPU each, runs at once; beside it, the kernel suite's test program and the
# library's example (debug builds, in the usual target directory).
host=$(rustc -vV | sed -n 's/^host: //p')
release_target=$target/all-sh-release
step "cargo build --release --target $host --target $MUSL --bin ipvsadm (in the background, in $release_target)"
CARGO_TARGET_DIR=$release_target cargo build --release --target "$host" --target "$MUSL" \
    --bin ipvsadm >"$logs/release-build.log" 2>&1 &
release_pid=$!
# Both in one cargo run over both packages, as `cargo test --workspace`
# builds them: the dependencies are built once, with the features the
# workspace unifies (the example alone would build ten of them again with
# other features). `cargo test --no-run` of the same packages, with nothing
# left to build, names the test executable.
step "cargo build -p ipvsadm -p ipvs --test kernel --example quickstart"
cargo build -p ipvsadm -p ipvs --test kernel --example quickstart
cargo test -p ipvsadm -p ipvs --test kernel --no-run 2>&1 | tee "$logs/kernel-build.log" >&2
kernel_test=$(sed -n 's/^ *Executable tests\/kernel\.rs (\(.*\))$/\1/p' "$logs/kernel-build.log")
[ -x "$kernel_test" ] || die "cannot find the kernel suite's test executable"
quickstart=$target/debug/examples/quickstart
wait "$release_pid" || {
    cat "$logs/release-build.log" >&2
    die "the release builds failed"
}
glibc_binary=$release_target/$host/release/ipvsadm
musl_binary=$release_target/$MUSL/release/ipvsadm
# Static: no program interpreter and no shared libraries.
if LC_ALL=C readelf -lW "$musl_binary" | grep -q 'INTERP' ||
    LC_ALL=C readelf -dW "$musl_binary" | grep -q '(NEEDED)'; then
    die "$musl_binary is not static"
fi
echo "$musl_binary: static" >&2
# The static binary is what the packages hold and what the README copies to
# a director: it runs the whole corpus and the guest checks. The glibc one,
# what `cargo install` builds, runs the smoke set (tests/kernel.rs's
# OURS2_SMOKE_SET): the same code, another C library and start-up.
export IPVSADM_OURS=${IPVSADM_OURS:-$musl_binary}
export IPVSADM_OURS2=${IPVSADM_OURS2-$glibc_binary}
export IPVSADM_QUICKSTART=${IPVSADM_QUICKSTART:-$quickstart}
phase "builds (release glibc and musl; kernel suite and example)"

wait "$prerequisites_pid" || {
    cat "$logs/prerequisites.log" >&2
    die "installing the prerequisites failed"
}
cat "$logs/prerequisites.log" >&2
phase "prerequisites (what was left of them after the builds)"

step "IPVSADM_VM=$IPVSADM_VM IPVSADM_OURS=$IPVSADM_OURS IPVSADM_OURS2=$IPVSADM_OURS2 tests/kernel.rs (in the background, log in $logs/kernel.log)"
kernel_started=$(date +%s)
"$kernel_test" --nocapture >"$logs/kernel.log" 2>&1 &
kernel_pid=$!

step "tests/msrv.sh: the build with Cargo.toml's rust-version (in the background, log in $logs/msrv.log)"
msrv_started=$(date +%s)
nice -n 10 bash tests/msrv.sh >"$logs/msrv.log" 2>&1 &
msrv_pid=$!

step "packages: build, file lists, install into a throwaway root, lintian, unit hardening (in the background, log in $logs/packages.log)"
packages_started=$(date +%s)
nice -n 10 bash packaging/check.sh "$musl_binary" "$target/packages" >"$logs/packages.log" 2>&1 &
packages_pid=$!

step "cargo test --workspace, but the kernel suite (beside it)"
tests_started=$(date +%s)
tests_status=0
nice -n 10 cargo test --workspace -- --skip scenarios_match_the_reference_in_a_real_kernel ||
    tests_status=$?
# The library's documentation builds without a warning (no link to a
# private item, no broken link).
RUSTDOCFLAGS='-D warnings' nice -n 10 cargo doc -q -p ipvs --no-deps || tests_status=$?
tests_took=$(($(date +%s) - tests_started))

packages_status=0
wait "$packages_pid" || packages_status=$?
packages_took=$(($(date +%s) - packages_started))
step "packages (took ${packages_took}s):"
cat "$logs/packages.log" >&2

clippy_status=0
wait "$clippy_pid" || clippy_status=$?
clippy_took=$(($(date +%s) - clippy_started))
step "clippy (finished $((clippy_started + clippy_took - begun))s in, took ${clippy_took}s):"
cat "$logs/clippy.log" >&2

msrv_status=0
wait "$msrv_pid" || msrv_status=$?
msrv_took=$(($(date +%s) - msrv_started))
step "tests/msrv.sh (took ${msrv_took}s):"
tail -n 3 "$logs/msrv.log" >&2

kernel_status=0
wait "$kernel_pid" || kernel_status=$?
kernel_took=$(($(date +%s) - kernel_started))
step "kernel suite:"
cat "$logs/kernel.log" >&2
phase "tests (guests beside the other tests)"

{
    echo "phases:"
    printf '  %s\n' "${phases[@]}"
    echo "  beside one another: clippy ${clippy_took}s, other tests ${tests_took}s, packages ${packages_took}s, msrv ${msrv_took}s, kernel suite ${kernel_took}s"
    echo "  total $(($(date +%s) - begun))s"
} >&2
[ "$clippy_status" -eq 0 ] || die "cargo clippy failed"
[ "$tests_status" -eq 0 ] || die "cargo test failed"
[ "$packages_status" -eq 0 ] || die "the package check failed"
[ "$msrv_status" -eq 0 ] || die "the build with the declared rust-version failed (tests/msrv.sh)"
[ "$kernel_status" -eq 0 ] || die "the kernel suite failed"
step "all tests passed"
