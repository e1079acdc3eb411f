# shellcheck shell=bash
# Shared by the tests/vm scripts (sourced, not run): paths, messages and the
# host prerequisites of the test guest (qemu, busybox-static, ipvsadm and a
# Debian kernel unpacked into the cache; nothing is installed into the host's
# kernel).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VM_DIR/../.." && pwd)
# Everything downloaded or generated lives here (kernel, initramfs, run dirs).
VM_CACHE=${IPVSADM_VM_CACHE:-$REPO_ROOT/target/vm}
# Exit status meaning "this host cannot run the test guest" (callers may skip).
readonly EXIT_UNAVAILABLE=3

PROG=$(basename "$0")

note() { echo "$PROG: $*" >&2; }
die() {
    echo "$PROG: error: $*" >&2
    exit 1
}
unavailable() {
    echo "$PROG: test guest unavailable: $*" >&2
    exit "$EXIT_UNAVAILABLE"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# have COMMAND: COMMAND is on PATH and executable (bash's `command -v` also
# reports files it could not run).
have() {
    local path
    path=$(command -v "$1") && [ -x "$path" ]
}

apt_lists_present() {
    compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

apt_update() {
    note "running apt-get update"
    apt-get update -qq >&2
}

# Installs Debian packages (root only), updating the package lists first when
# there are none and once more if the first attempt fails (stale lists).
apt_install() {
    is_root || return 1
    apt_lists_present || apt_update || return 1
    note "installing: $*"
    local install=(apt-get install -y -qq --no-install-recommends "$@")
    DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2 && return 0
    apt_update && DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2
}

is_static_busybox() {
    [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1
}

# Makes sure the host has what building and booting the guest needs,
# installing missing Debian packages when running as root; exits 3
# (unavailable) when it cannot.
ensure_host_packages() {
    local missing
    missing=$(missing_host_packages)
    [ -z "$missing" ] && return 0
    have apt-get || unavailable "missing $missing and no apt-get"
    is_root || unavailable "missing $missing (run as root to install them)"
    # shellcheck disable=SC2086 # a list of package names
    apt_install $missing || unavailable "could not install $missing"
    missing=$(missing_host_packages)
    [ -z "$missing" ] || unavailable "still missing after installing: $missing"
}

# Prints the Debian packages the host still needs, space-separated.
missing_host_packages() {
    local missing=()
    have qemu-system-x86_64 || missing+=(qemu-system-x86)
    is_static_busybox || missing+=(busybox-static)
    [ -x /sbin/ipvsadm ] && [ -x /sbin/ipvsadm-save ] && [ -x /sbin/ipvsadm-restore ] ||
        missing+=(ipvsadm)
    [ -f /etc/services ] && [ -f /etc/protocols ] || missing+=(netbase)
    [ -x /bin/bash ] || missing+=(bash)
    have xz || missing+=(xz-utils)
    echo "${missing[*]}"
}

# Prints the versioned kernel package that linux-image-amd64 depends on.
current_kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

# Downloads and unpacks Debian's current amd64 kernel package into the cache
# and prints the directory it was unpacked into. apt is asked for the current
# package at most once a day; when it cannot name or fetch one, the most
# recently unpacked kernel is used.
ensure_kernel() {
    local cache=$VM_CACHE/kernel pkg
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
    pkg=$(cat "$cache/current" 2>/dev/null || true)
    if [ -z "$pkg" ] || [ ! -f "$cache/$pkg/.complete" ] ||
        [ -z "$(find "$cache/current" -mmin -1440)" ]; then
        # Stale package lists may name no kernel, or one the mirror no longer has.
        if ! pkg=$(fetch_current_kernel "$cache"); then
            if ! is_root || ! apt_update || ! pkg=$(fetch_current_kernel "$cache"); then
                pkg=$(cat "$cache/current" 2>/dev/null || true)
                { [ -n "$pkg" ] && [ -f "$cache/$pkg/.complete" ]; } ||
                    unavailable "cannot download Debian's linux-image-amd64 kernel package"
                note "using the cached kernel $pkg"
            fi
        fi
        echo "$pkg" >"$cache/current"
    fi
    exec 9>&-
    echo "$cache/$pkg"
}

# fetch_current_kernel CACHE_DIR: unpacks the current kernel package into
# CACHE_DIR/PACKAGE unless already there; prints PACKAGE.
fetch_current_kernel() {
    local cache=$1 pkg tmp
    local download=(apt-get download -qq)
    # As root apt would hand the download to its _apt user, who cannot write here.
    is_root && download+=(-o APT::Sandbox::User=root)
    pkg=$(current_kernel_package)
    [ -n "$pkg" ] || return 1
    if [ ! -f "$cache/$pkg/.complete" ]; then
        note "downloading $pkg"
        tmp=$(mktemp -d "$cache/.download.XXXXXX") || return 1
        if ! (cd "$tmp" && "${download[@]}" "$pkg" >&2) ||
            ! dpkg -x "$tmp/$pkg"_*.deb "$tmp/root"; then
            rm -rf "$tmp"
            return 1
        fi
        extract_vmlinux "$tmp/root" || note "booting the compressed kernel (slower)"
        rm -rf "${cache:?}/$pkg"
        mv "$tmp/root" "$cache/$pkg" && touch "$cache/$pkg/.complete" && rm -rf "$tmp" || return 1
    fi
    echo "$pkg"
}

# extract_vmlinux KERNEL_DIR: writes KERNEL_DIR/vmlinux, the uncompressed ELF
# kernel inside boot/vmlinuz-* (xz-compressed in Debian). qemu boots it
# through its PVH entry point, skipping the decompression that takes seconds
# under software emulation.
extract_vmlinux() {
    local dir=$1 image offset
    image=$(echo "$dir"/boot/vmlinuz-*)
    have xz || return 1
    offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$image" | head -n 1 | cut -d: -f1)
    [ -n "$offset" ] || return 1
    # xz stops with an error at the data after the stream; the ELF check below
    # tells whether the stream itself was complete.
    tail -c +"$((offset + 1))" "$image" | xz -dc >"$dir/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$dir/vmlinux" | od -An -c | tr -d ' ')" != '177ELF' ]; then
        rm -f "$dir/vmlinux"
        return 1
    fi
}
