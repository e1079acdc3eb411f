#!/usr/bin/env bash
# Makes sure this host can build and boot the test guest: installs missing
# Debian packages (qemu-system-x86, busybox-static, ipvsadm; root only),
# downloads + unpacks Debian's current kernel package into target/vm/kernel/
# and, on Debian 12, qemu 10 from bookworm-backports into target/vm/qemu/.
# Prints the unpacked kernel directory. Exits 3 when the guest cannot be had
# here (the reason goes to stderr), 1 on other errors.
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"

ensure_host_packages
ensure_qemu
kernel_dir=$(ensure_kernel)
compgen -G "$kernel_dir/boot/vmlinuz-*" >/dev/null || die "no kernel image in $kernel_dir"
echo "$kernel_dir"
