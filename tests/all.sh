#!/usr/bin/env bash
# The one test command. As root on a fresh Debian 12 machine (with Rust from
# rustup) it installs what is missing (a C linker, qemu-system-x86,
# busybox-static, ipvsadm, Debian's current kernel unpacked under target/vm/),
# then runs formatting and lint checks and the whole test suite, including
# the real-kernel scenarios in a qemu guest (tests/kernel.rs).
#
# Env: IPVSADM_VM (default "required": no guest is a failure; any other
# value lets tests/kernel.rs skip when no guest can be booted here);
# IPVSADM_SCENARIOS and IPVSADM_OURS are passed on to tests/kernel.rs
# (IPVSADM_OURS defaults to the release build, made here).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tests/vm/common.sh
source tests/vm/common.sh

step() { echo "==> $*" >&2; }

export IPVSADM_VM=${IPVSADM_VM:-required}

# Rust needs a C toolchain to link.
if ! command -v cc >/dev/null; then
    apt_install gcc libc6-dev || die "no C compiler (cc) and cannot install gcc"
fi
if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' ||
        rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' ||
        rustup component add clippy
fi

# Shells and man tools for tests/generated_docs.rs (it skips, with a note,
# what is missing; installing them makes those checks run).
for tool in zsh fish groff man; do
    command -v "$tool" >/dev/null && continue
    case $tool in
    groff) pkg=groff-base ;;
    man) pkg=man-db ;;
    *) pkg=$tool ;;
    esac
    apt_install "$pkg" || echo "note: could not install $pkg; its checks will be skipped" >&2
done

step "test guest prerequisites (tests/vm/prepare.sh)"
prepare_status=0
bash tests/vm/prepare.sh >/dev/null || prepare_status=$?
# 3: no guest on this host; tests/kernel.rs skips or fails (IPVSADM_VM=required).
[ "$prepare_status" -eq 0 ] || [ "$prepare_status" -eq "$EXIT_UNAVAILABLE" ] ||
    die "tests/vm/prepare.sh failed"

step "cargo fmt --check"
cargo fmt --check
step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
# The kernel suite runs the release binary, the one `cargo install` puts on a
# director (it is also several times faster in the emulated guest).
step "cargo build --release --bin ipvsadm (the binary the kernel suite runs)"
cargo build --release --bin ipvsadm
export IPVSADM_OURS=${IPVSADM_OURS:-${CARGO_TARGET_DIR:-$PWD/target}/release/ipvsadm}
step "IPVSADM_VM=$IPVSADM_VM IPVSADM_OURS=$IPVSADM_OURS cargo test --workspace"
started=$(date +%s)
cargo test --workspace
step "all tests passed in $(($(date +%s) - started))s"
