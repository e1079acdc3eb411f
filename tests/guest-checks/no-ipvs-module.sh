#!/bin/sh
# A kernel without IPVS and no modprobe to load it: with every ip_vs module
# unloaded (and /sbin/modprobe absent, as in the guest), each command prints
# what ipvsadm 1.31 prints, with its exit code, on stdout and stderr alike;
# nothing panics or hangs. The modules are loaded again at the end (also
# when the check fails), for the checks after this one.
#
# Guest check: ours is `ipvsadm` (first in PATH), the reference /sbin/ipvsadm.
set -u
REF=/sbin/ipvsadm
OURS_DIR=$(dirname "$(command -v ipvsadm)")
fail() {
    echo "FAIL no-ipvs-module: $*" >&2
    exit 1
}
[ "$OURS_DIR" != /sbin ] || fail "ipvsadm in PATH is the reference"
[ ! -e /sbin/modprobe ] || fail "/sbin/modprobe exists: the kernel could load ip_vs"
work=$(mktemp -d) || fail "mktemp"
cd "$work" || fail "cd $work"

# The IPVS modules in the reverse of their load order (schedulers and
# helpers first, ip_vs last), and the same list forwards for loading.
grep '/ipvs/' /etc/modules.order >load-order
awk '{ line[NR] = $0 } END { for (i = NR; i > 0; i--) print line[i] }' load-order >unload-order
[ -s load-order ] || fail "no IPVS modules in /etc/modules.order"

reload() {
    while IFS= read -r module; do
        name=$(basename "$module" .ko)
        grep -q "^$name " /proc/modules || insmod "$module" ||
            echo "no-ipvs-module: insmod $module failed" >&2
    done <"$work/load-order"
}
trap reload EXIT

# The namespaces of earlier tests may still be going away (their services
# hold module references until then): retry for up to a minute.
tries=0
while grep -q '^ip_vs ' /proc/modules; do
    while IFS= read -r module; do
        name=$(basename "$module" .ko)
        grep -q "^$name " /proc/modules && rmmod "$name" 2>/dev/null
    done <unload-order
    grep -q '^ip_vs ' /proc/modules || break
    tries=$((tries + 1))
    [ "$tries" -lt 60 ] || fail "cannot unload ip_vs: $(grep ip_vs /proc/modules)"
    sleep 1
done
[ ! -e /proc/net/ip_vs ] || fail "/proc/net/ip_vs still there after unloading"
echo "ip_vs unloaded after $tries retries"

printf '%s\n' '-A -t 10.0.0.3:80 -s rr' '-a -t 10.0.0.3:80 -r 10.0.0.11:80 -m' >rules

# same LABEL COMMAND...: COMMAND with the reference and with ours (both
# found through PATH, as scripts run them), stdout, stderr and status equal.
failures=0
same() {
    label=$1
    shift
    PATH=/sbin:/bin timeout 20 sh -c "$*" <rules >ref.out 2>ref.err
    ref_rc=$?
    PATH=$OURS_DIR:/sbin:/bin timeout 20 sh -c "$*" <rules >ours.out 2>ours.err
    ours_rc=$?
    if [ "$ref_rc" != "$ours_rc" ] || ! cmp -s ref.out ours.out || ! cmp -s ref.err ours.err; then
        echo "DIFFERENT $label: $*"
        echo "  exit status: 1.31 $ref_rc, ours $ours_rc"
        diff ref.out ours.out | sed 's/^/  stdout /'
        diff ref.err ours.err | sed 's/^/  stderr /'
        failures=$((failures + 1))
    else
        echo "same ($ours_rc) $label: $(head -c 100 ours.err | head -n 1)"
    fi
    [ "$ours_rc" -lt 128 ] || [ "$ours_rc" = 255 ] || {
        echo "  ours died of a signal ($ours_rc)"
        failures=$((failures + 1))
    }
}

same list ipvsadm
same list-numeric ipvsadm -Ln
same list-stats ipvsadm -L --stats
same list-service ipvsadm -Ln -t 10.0.0.3:80
same connections ipvsadm -Lnc
same timeouts ipvsadm -L --timeout
same daemons ipvsadm -L --daemon
same save ipvsadm -Sn
same add-service ipvsadm -A -t 10.0.0.3:80 -s rr
same add-server ipvsadm -a -t 10.0.0.3:80 -r 10.0.0.11
same edit-service ipvsadm -E -t 10.0.0.3:80 -s wlc
same delete-service ipvsadm -D -t 10.0.0.3:80
same flush ipvsadm -C
same zero ipvsadm -Z
same set ipvsadm --set 900 120 300
same start-daemon ipvsadm --start-daemon master --mcast-interface lo
same stop-daemon ipvsadm --stop-daemon master
same restore-stdin ipvsadm -R
same bad-option ipvsadm --bogus
same bad-port ipvsadm -A -t 10.0.0.3:99999
same help-exit 'ipvsadm -h >/dev/null 2>&1; echo $?'
same version-exit 'ipvsadm -v >/dev/null 2>&1; echo $?'
same save-script 'ipvsadm-save -n'

# ipvsadm-restore (ours is not Debian's script): a clear error, non-zero.
ipvsadm-restore rules >restore.out 2>restore.err
rc=$?
cat restore.err
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "ipvsadm-restore without IPVS exited $rc"
grep -q 'IP Virtual Server' restore.err || fail "ipvsadm-restore gave no reason"
ipvsadm-restore --test rules || fail "ipvsadm-restore --test needs no kernel, but failed"

[ "$failures" -eq 0 ] || fail "$failures commands differ from ipvsadm 1.31"

trap - EXIT
reload
[ -e /proc/net/ip_vs ] || fail "ip_vs did not load again"
$REF -Ln >/dev/null || fail "the reference cannot list after reloading"
echo "PASS no-ipvs-module"
