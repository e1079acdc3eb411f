#!/usr/bin/env bash
# Builds the binary and the library (normal dependencies, locked versions)
# with the Rust that Cargo.toml's `rust-version` names, so that the declared
# minimum is one that has built this code.
#
# The toolchain is Debian 12's `rustc-web`/`cargo-web` of that version
# (installed with apt-get when missing; they go to /usr/bin, behind rustup's
# ~/.cargo/bin in PATH, and are called here by full path). rustup cannot
# install an older toolchain where only package registries are reachable.
#
# Env: CARGO_TARGET_DIR (the build goes to its msrv/ directory).
set -euo pipefail
cd "$(dirname "$0")/.."

# The one rust-version, [workspace.package]'s, which both packages inherit.
msrv=$(sed -n '/^\[workspace.package\]/,/^\[/s/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
if [ -z "$msrv" ]; then
    echo "msrv: no rust-version in Cargo.toml's [workspace.package]" >&2
    exit 1
fi
for manifest in Cargo.toml ipvs/Cargo.toml; do
    if ! grep -qx 'rust-version.workspace = true' "$manifest"; then
        echo "msrv: $manifest does not inherit the workspace's rust-version" >&2
        exit 1
    fi
done

rustc=/usr/bin/rustc
cargo=/usr/bin/cargo
have() {
    "$rustc" --version 2>/dev/null | grep -q "^rustc $msrv\.[0-9]* " &&
        "$cargo" --version 2>/dev/null | grep -q "^cargo $msrv\.[0-9]* "
}
if ! have; then
    find_version() {
        apt-cache madison rustc-web | awk -v v="$msrv." '$3 ~ "^" v {print $3; exit}'
    }
    version=$(find_version)
    # A fresh machine may have no package lists yet.
    [ -n "$version" ] || { apt-get update -qq >&2 && version=$(find_version); }
    if [ -z "$version" ]; then
        echo "msrv: no rustc-web $msrv in apt's lists" >&2
        exit 1
    fi
    echo "msrv: installing Debian's rustc-web $version" >&2
    # Every package of the toolchain pinned: a newer rustc-web elsewhere
    # (bookworm-security) must not pull newer dependencies.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        --allow-downgrades \
        "rustc-web=$version" "cargo-web=$version" \
        "libstd-rust-web-dev=$version" "libstd-rust-web-$msrv=$version" >&2
    have || {
        echo "msrv: $rustc/$cargo are not $msrv after installing" >&2
        exit 1
    }
fi

target=${CARGO_TARGET_DIR:-$PWD/target}/msrv
echo "msrv: building with $("$rustc" --version)" >&2
RUSTC=$rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_DIR=$target \
    "$cargo" build --locked -p ipvsadm -p ipvs --lib --bins
echo "msrv: ipvsadm and ipvs build with Rust $msrv"
