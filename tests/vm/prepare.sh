#!/usr/bin/env bash
# Makes sure this host can build and boot the test guest: installs missing
# Debian packages (qemu-system-x86, busybox-static, ipvsadm; root only) and
# downloads + unpacks Debian's current kernel package into target/vm/kernel/.
# Prints the unpacked kernel directory. Exits 3 when the guest cannot be had
# here (the reason goes to stderr), 1 on other errors.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"

ensure_host_packages
kernel_dir=$(ensure_kernel)
compgen -G "$kernel_dir/boot/vmlinuz-*" >/dev/null || die "no kernel image in $kernel_dir"
echo "$kernel_dir"
