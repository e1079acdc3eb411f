#!/usr/bin/env bash
# Boots the IPVS test guest once (qemu, software emulation, no network device)
# and runs a shell script inside it.
#
# Usage: tests/vm/run-guest.sh --script GUEST_SCRIPT --out HOSTDIR
#            [--ours BINARY] [--ours2 BINARY] [--files DIR]
#            [--extra SRC=DEST]... [--env NAME=VALUE]...
#            [--timeout SECONDS] [--cpus N] [--log FILE]
#
# In the guest, GUEST_SCRIPT runs as root in DIR's copy (/guest/files, also
# $FILES) with RESULTS=/guest/results and the --env variables exported; it
# finds the reference ipvsadm at /sbin/ipvsadm (with ipvsadm-save and
# ipvsadm-restore) and BINARY at /opt/ours/bin/ipvsadm (with -save/-restore
# symlinks), a second binary (--ours2) at /opt/ours2/bin/ipvsadm, and each
# --extra SRC at DEST. Whatever it leaves in $RESULTS is copied to HOSTDIR (which is
# replaced if empty or left by an earlier run).
# The guest console goes to --log (default HOSTDIR/console.log). Exits with
# the script's status; 1 if the guest failed or ran out of time (default
# timeout 600 s; env IPVSADM_VM_TIMEOUT); 3 if the guest cannot be had on
# this host. --cpus: virtual CPUs (default 1; env IPVSADM_VM_CPUS).
# Env: IPVSADM_VM_MEMORY (guest memory in MiB, default 1024),
# IPVSADM_VM_KERNEL_ARGS (added to the kernel command line),
# IPVSADM_VM_QEMU_ARGS (added to qemu's arguments, split on blanks),
# IPVSADM_VM_QEMU (the qemu-system-x86_64 to run; see tests/vm/common.sh).
set -euo pipefail
# shellcheck source=tests/vm/common.sh
source "$(dirname "$0")/common.sh"

usage() {
    sed -n '/^# Usage:/,/^#  *\[--timeout/s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

script="" out="" log=""
timeout=${IPVSADM_VM_TIMEOUT:-600}
cpus=${IPVSADM_VM_CPUS:-1}
build_args=()
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || usage
    case $1 in
    --script) script=$2 ;;
    --out) out=$2 ;;
    --ours | --ours2 | --files | --extra | --env) build_args+=("$1" "$2") ;;
    --timeout) timeout=$2 ;;
    --cpus) cpus=$2 ;;
    --log) log=$2 ;;
    *) usage ;;
    esac
    shift 2
done
{ [ -n "$script" ] && [ -n "$out" ]; } || usage
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"
[[ $cpus =~ ^[1-9][0-9]*$ ]] || die "--cpus needs a number"
log=${log:-$out/console.log}

kernel_dir=$(bash "$VM_DIR/prepare.sh")
qemu=$(qemu_binary) || die "no qemu-system-x86_64"
# The uncompressed kernel when there is one: it boots seconds faster.
kernel=$kernel_dir/vmlinux
[ -f "$kernel" ] || kernel=$(echo "$kernel_dir"/boot/vmlinuz-*)

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/ipvsadm-guest.XXXXXX")
trap 'rm -rf "$run_dir"' EXIT
bash "$VM_DIR/build-initramfs.sh" --kernel-dir "$kernel_dir" --script "$script" \
    --out "$run_dir/initramfs.cpio" ${build_args[@]+"${build_args[@]}"}

# HOSTDIR is replaced, but only if it is empty or an earlier run's.
if [ -e "$out" ] && [ ! -f "$out/.run-guest" ] && [ -n "$(ls -A "$out")" ]; then
    die "$out is not empty and not from an earlier run: not replacing it"
fi
rm -rf "$out"
mkdir -p "$out" "$(dirname "$log")"
: >"$out/.run-guest"
serial_out=$run_dir/serial1.txt
: >"$log"
: >"$serial_out"

show_log_tail() {
    echo "---- last lines of the guest console ($log) ----" >&2
    tail -n 40 "$log" | tr -d '\r' >&2
    echo "----" >&2
}

started=$(date +%s)
qemu_status=0
# shellcheck disable=SC2086 # IPVSADM_VM_QEMU_ARGS holds several arguments
timeout --kill-after=10 "$timeout" \
    "$qemu" -accel tcg -nodefaults -nic none -no-reboot \
    -m "${IPVSADM_VM_MEMORY:-1024}" -smp "$cpus" -display none -monitor none \
    -serial "file:$log" -serial "file:$serial_out" \
    -kernel "$kernel" -initrd "$run_dir/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 ${IPVSADM_VM_KERNEL_ARGS:-}" \
    ${IPVSADM_VM_QEMU_ARGS:-} ||
    qemu_status=$?
elapsed=$(($(date +%s) - started))

if [ "$qemu_status" -eq 124 ] || { [ "$qemu_status" -eq 137 ] && [ "$elapsed" -ge "$timeout" ]; }; then
    show_log_tail
    die "guest still running after ${timeout}s: stopped it"
elif [ "$qemu_status" -gt 128 ]; then
    show_log_tail
    die "qemu was killed by signal $((qemu_status - 128)) after ${elapsed}s"
elif [ "$qemu_status" -ne 0 ]; then
    show_log_tail
    die "qemu exited with status $qemu_status"
fi

# The second serial port carries: a BEGIN marker, base64 lines, an END marker
# with the script's status. Anything missing means the guest did not finish.
tr -d '\r' <"$serial_out" >"$run_dir/serial1.clean"
end_line=$(grep -m 1 '^IPVSADM-GUEST-RESULTS-END status=' "$run_dir/serial1.clean" || true)
if ! grep -q '^IPVSADM-GUEST-RESULTS-BEGIN$' "$run_dir/serial1.clean" || [ -z "$end_line" ]; then
    show_log_tail
    die "the guest sent no complete results (after ${elapsed}s)"
fi
sed -n '/^IPVSADM-GUEST-RESULTS-BEGIN$/,/^IPVSADM-GUEST-RESULTS-END/{//!p}' \
    "$run_dir/serial1.clean" | base64 -d | tar -xzf - -C "$out" ||
    {
        show_log_tail
        die "could not unpack the guest's results"
    }
status=${end_line#*status=}
note "guest finished in ${elapsed}s, script status $status"
if [ "$status" -ne 0 ]; then
    show_log_tail
fi
exit "$status"
