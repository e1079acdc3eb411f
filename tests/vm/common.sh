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

# The qemu that boots the guest: software emulation is nearly all of the
# guest's cost, and Debian 13's qemu 10 (in Debian 12's bookworm-backports)
# runs the same share of the test corpus about a third faster than Debian
# 12's own qemu 7.2 (one guest, 20 scenarios and checks: 119 s against 165 s
# and 179 s). On Debian 12 its packages are downloaded from
# bookworm-backports and unpacked into the cache (like the kernel: nothing
# is installed); it runs on the libraries and firmware that the host's
# qemu-system-x86 brought. IPVSADM_VM_QEMU names another qemu-system-x86_64;
# elsewhere, or when the download fails, the host's is used.
QEMU_SUITE=bookworm-backports
QEMU_PACKAGES=(qemu-system-x86 qemu-system-common qemu-system-data)

# Fetches the qemu of QEMU_SUITE into the cache when this host is Debian 12
# and it is not there yet (a failure is a note: the host's qemu still boots
# the guest).
ensure_qemu() {
    local cache=$VM_CACHE/qemu codename dir
    [ -z "${IPVSADM_VM_QEMU:-}" ] || return 0
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}" || true)
    [ "$codename" = bookworm ] || return 0
    mkdir -p "$cache"
    exec 8>"$cache/.lock"
    flock 8
    dir=$(cat "$cache/current" 2>/dev/null || true)
    if [ -z "$dir" ] || [ ! -f "$cache/$dir/.complete" ]; then
        if dir=$(fetch_qemu "$cache"); then
            echo "$dir" >"$cache/current"
        else
            note "no qemu from $QEMU_SUITE: the guests boot with the host's (slower)"
        fi
    fi
    exec 8>&-
}

# Prints the qemu-system-x86_64 to boot the guest with (see ensure_qemu).
qemu_binary() {
    local cache=$VM_CACHE/qemu dir
    if [ -n "${IPVSADM_VM_QEMU:-}" ]; then
        echo "$IPVSADM_VM_QEMU"
        return
    fi
    dir=$(cat "$cache/current" 2>/dev/null || true)
    if [ -n "$dir" ] && [ -f "$cache/$dir/.complete" ]; then
        echo "$cache/$dir/usr/bin/qemu-system-x86_64"
    else
        command -v qemu-system-x86_64
    fi
}

# fetch_qemu CACHE_DIR: downloads QEMU_PACKAGES from QEMU_SUITE with package
# lists of its own (the host's apt configuration is left as it is), unpacks
# them into CACHE_DIR/VERSION and prints VERSION once the binary runs here.
fetch_qemu() {
    local cache=$1 apt_dir=$1/apt tmp version bin
    local config=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
        -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache")
    # As root apt would hand the download to its _apt user, who cannot write here.
    is_root && config+=(-o APT::Sandbox::User=root)
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" || return 1
    echo "deb http://deb.debian.org/debian $QEMU_SUITE main" >"$apt_dir/sources.list"
    note "downloading ${QEMU_PACKAGES[*]} from $QEMU_SUITE"
    apt-get "${config[@]}" update -qq >&2 || return 1
    tmp=$(mktemp -d "$cache/.download.XXXXXX") || return 1
    if ! (cd "$tmp" && apt-get "${config[@]}" download -qq \
        "${QEMU_PACKAGES[@]/%//$QEMU_SUITE}" >&2); then
        rm -rf "$tmp"
        return 1
    fi
    version=$(dpkg-deb -f "$tmp"/qemu-system-x86_*.deb Version | tr ':~+' '___')
    for deb in "$tmp"/*.deb; do
        dpkg -x "$deb" "$tmp/root" || {
            rm -rf "$tmp"
            return 1
        }
    done
    bin=$tmp/root/usr/bin/qemu-system-x86_64
    if ! "$bin" --version >/dev/null 2>&1; then
        note "qemu from $QEMU_SUITE does not run here: $("$bin" --version 2>&1 | head -n 1)"
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "${cache:?}/$version"
    mv "$tmp/root" "$cache/$version" && touch "$cache/$version/.complete" && rm -rf "$tmp" ||
        return 1
    echo "$version"
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
