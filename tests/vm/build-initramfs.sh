#!/usr/bin/env bash
# Packs the test guest's initramfs (an uncompressed newc cpio archive):
#   /init                         tests/vm/guest/init
#   /bin                          busybox-static and its applets, bash
#   /sbin/ipvsadm{,-save,-restore} Debian's ipvsadm 1.31: the reference
#   /opt/ours/bin/ipvsadm         the binary under test (--ours), with
#                                 ipvsadm-save and ipvsadm-restore symlinks
#   /opt/ours2/bin/ipvsadm        a second binary under test (--ours2), the same
#   DEST                          each --extra SRC=DEST executable (tools the
#                                 guest script runs, e.g. the library's example)
#   /lib/modules/...              IPVS, its schedulers, dummy, veth, bridge
#                                 and their deps
#   /etc                          hosts, services, protocols, nsswitch.conf
#   /guest/script, /guest/files   what the guest runs (--script, --files)
#   /guest/env                    NAME=VALUE lines exported to the script (--env)
# Shared libraries are copied as ldd lists them. Cheap enough to run for
# every boot; only the kernel download is cached.
#
# Usage: build-initramfs.sh --kernel-dir DIR --script FILE --out FILE
#                           [--ours BINARY] [--ours2 BINARY] [--files DIR]
#                           [--extra SRC=DEST]... [--env NAME=VALUE]...
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"

usage() {
    sed -n '/^# Usage:/,/^#  *\[--extra/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

kernel_dir="" script="" out="" ours="" ours2="" files=""
envs=() extras=()
while [ $# -gt 0 ]; do
    case $1 in
    --kernel-dir) kernel_dir=$2 ;;
    --script) script=$2 ;;
    --out) out=$2 ;;
    --ours) ours=$2 ;;
    --ours2) ours2=$2 ;;
    --files) files=$2 ;;
    --extra) extras+=("$2") ;;
    --env) envs+=("$2") ;;
    *) usage ;;
    esac
    shift 2
done
{ [ -n "$kernel_dir" ] && [ -n "$script" ] && [ -n "$out" ]; } || usage
[ -f "$script" ] || die "no guest script $script"
[ -z "$ours" ] || [ -f "$ours" ] || die "no binary $ours"
[ -z "$ours2" ] || [ -f "$ours2" ] || die "no binary $ours2"
[ -z "$files" ] || [ -d "$files" ] || die "no directory $files"

root=$(mktemp -d "${TMPDIR:-/tmp}/ipvsadm-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# copy_binary SOURCE DEST: copies an executable and the shared libraries ldd
# lists for it (at the same paths, so the dynamic loader finds them).
copy_binary() {
    local src=$1 dest=$2 lib
    install -D -m 0755 "$src" "$root$dest"
    # ldd fails for static binaries: nothing to copy then.
    for lib in $(ldd "$src" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
        [ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
    done
}

mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,guest/files,guest/results}

# busybox provides the shell and every tool the guest uses (init links the
# applets into /bin).
install -m 0755 /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# Debian's ipvsadm-save and ipvsadm-restore are bash scripts.
copy_binary /bin/bash /bin/bash

# The reference: Debian's ipvsadm 1.31 and its wrapper scripts. The scripts
# set PATH=/bin:/sbin:..., so they always run /sbin/ipvsadm.
copy_binary /sbin/ipvsadm /sbin/ipvsadm
install -m 0755 /sbin/ipvsadm-save /sbin/ipvsadm-restore "$root/sbin/"

# install_ours BINARY DIR: the binary under test as DIR/ipvsadm, with
# ipvsadm-save and ipvsadm-restore beside it.
install_ours() {
    local binary=$1 dir=$2
    copy_binary "$binary" "$dir/ipvsadm"
    if cmp -s "$binary" /sbin/ipvsadm; then
        # Ours is the reference binary (validating the test corpus): it does
        # not act on its name, so give it the wrapper scripts instead.
        install -m 0755 /sbin/ipvsadm-save /sbin/ipvsadm-restore "$root$dir/"
    else
        ln -s ipvsadm "$root$dir/ipvsadm-save"
        ln -s ipvsadm "$root$dir/ipvsadm-restore"
    fi
}
[ -z "$ours" ] || install_ours "$ours" /opt/ours/bin
[ -z "$ours2" ] || install_ours "$ours2" /opt/ours2/bin
for extra in ${extras[@]+"${extras[@]}"}; do
    [[ $extra == ?*=/?* ]] || die "bad --extra $extra (SRC=/DEST)"
    [ -f "${extra%%=*}" ] || die "no file ${extra%%=*} (--extra)"
    copy_binary "${extra%%=*}" "${extra#*=}"
done

# Name resolution from files only, with the names the scenarios rely on.
install -m 0644 "$VM_DIR/guest/hosts" "$root/etc/hosts"
install -m 0644 "$VM_DIR/guest/nsswitch.conf" "$root/etc/nsswitch.conf"
install -m 0644 /etc/services /etc/protocols "$root/etc/"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

# Kernel modules, in an order insmod can load them (dependencies first).
modules=$(echo "$kernel_dir"/lib/modules/*)
[ -d "$modules/kernel" ] || die "no modules under $kernel_dir/lib/modules"
kver=$(basename "$modules")
declare -A module_path=() loaded=()
while IFS= read -r path; do
    name=${path##*/}
    name=${name%%.ko*}
    module_path[${name//-/_}]=$path
done < <(find "$modules/kernel" -name '*.ko*')
load_order=()
# add_module NAME: appends NAME after the modules it depends on.
add_module() {
    local name=${1//-/_} path dep
    [ -z "${loaded[$name]:-}" ] || return 0
    path=${module_path[$name]:-}
    [ -n "$path" ] || die "kernel module $name not found under $modules"
    loaded[$name]=1
    for dep in $(busybox strings -a "$path" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    load_order+=("$path")
}
# libcrc32c only soft-depends on a crc32c implementation: load one first.
roots=(crc32c_generic)
for path in "$modules"/kernel/net/netfilter/ipvs/ip_vs*.ko*; do
    name=${path##*/}
    roots+=("${name%%.ko*}")
done
# --pe sip needs the SIP conntrack helper; dummy gives the guest addresses;
# veth and bridge join network namespaces into a LAN (two-directors check).
roots+=(nf_conntrack_sip dummy veth bridge)
for name in "${roots[@]}"; do
    add_module "$name"
done
guest_modules=/lib/modules/$kver
for path in "${load_order[@]}"; do
    rel=${path#"$modules"/}
    dest=$root$guest_modules/${rel%%.ko*}.ko
    mkdir -p "$(dirname "$dest")"
    case $path in
    *.ko) cp "$path" "$dest" ;;
    *.ko.xz) busybox xzcat "$path" >"$dest" ;;
    *) die "cannot unpack module $path" ;;
    esac
    echo "$guest_modules/${rel%%.ko*}.ko"
done >"$root/etc/modules.order"

# What the guest runs.
install -m 0755 "$VM_DIR/guest/init" "$root/init"
install -D -m 0755 "$VM_DIR/guest/net-up" "$root/guest/bin/net-up"
install -m 0755 "$script" "$root/guest/script"
[ -z "$files" ] || cp -R "$files/." "$root/guest/files/"
for assignment in ${envs[@]+"${envs[@]}"}; do
    [[ $assignment =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "bad --env $assignment"
    printf '%s\n' "$assignment"
done >"$root/guest/env"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | busybox cpio -o -H newc 2>/dev/null) >"$out.tmp"
mv "$out.tmp" "$out"
