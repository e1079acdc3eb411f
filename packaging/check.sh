#!/usr/bin/env bash
# The packages' check, run by tests/all.sh after the release build:
#
#   packaging/check.sh BINARY OUTDIR
#
# Builds the .deb and the .rpm of BINARY into OUTDIR (packaging/build.sh),
# compares their file lists and relations with packaging/expected/ (and the
# crates debian/copyright names with those the static build links), installs
# the .deb with dpkg into a throwaway root (maintainer scripts included, run
# with DPKG_ROOT) and runs the installed programs, installs the .rpm with rpm
# into another, runs lintian on the .deb (no errors allowed; every tag is
# listed), scores both units with `systemd-analyze security` (no worse than
# MEDIUM), then purges the .deb and checks that nothing is left. As root on
# Debian, it installs the tools it needs from apt.
set -euo pipefail

die() { echo "packaging/check.sh: FAILED: $*" >&2; exit 1; }
step() { echo "==> packaging: $*" >&2; }

[ $# -eq 2 ] || die "usage: packaging/check.sh BINARY OUTDIR"
binary=$1
mkdir -p "$2"
out=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)

# Tools: command -> Debian package.
missing=()
for tool in jq:jq dpkg-shlibdeps:dpkg-dev rpmbuild:rpm lintian:lintian \
    systemd-analyze:systemd strip:binutils readelf:binutils; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    [ "$(id -u)" -eq 0 ] || die "needs ${missing[*]} (run as root to install them)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
        die "could not install ${missing[*]}"
fi

step "build the .deb and the .rpm of $binary"
rm -f "$out"/*.deb "$out"/*.rpm
mapfile -t built < <("$here/build.sh" "$binary" "$out")
deb=${built[0]}
rpm=${built[1]}
[ -f "$deb" ] && [ -f "$rpm" ] || die "build.sh did not write both packages"

step "file lists and relations"
# "mode owner path[ -> target]", sorted.
dpkg-deb -c "$deb" | awk '{ $3 = $4 = $5 = ""; print }' | tr -s ' ' | LC_ALL=C sort >"$out/deb.txt"
# A static binary gets a lintian override (see build.sh).
{
    cat "$here/expected/deb.txt"
    if ! readelf -d "$binary" | grep -q NEEDED; then
        printf '%s\n' 'drwxr-xr-x root/root ./usr/share/lintian/' \
            'drwxr-xr-x root/root ./usr/share/lintian/overrides/' \
            '-rw-r--r-- root/root ./usr/share/lintian/overrides/ipvsadm-rs'
    fi
} | LC_ALL=C sort >"$out/deb.expected.txt"
diff -u "$out/deb.expected.txt" "$out/deb.txt" || die ".deb files differ from packaging/expected/deb.txt"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES} -> %{FILELINKTOS}\n]' "$rpm" |
    sed 's/ -> $//; s/^\([^ ]* [^ ]*\)  /\1 - /' >"$out/rpm.txt"
diff -u "$here/expected/rpm.txt" "$out/rpm.txt" || die ".rpm files differ from packaging/expected/rpm.txt"
deb_conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)
[ "$deb_conffiles" = $'/etc/default/ipvsadm\n/etc/ipvsadm.rules' ] ||
    die ".deb conffiles: $deb_conffiles"
for field in Provides Conflicts Replaces; do
    value=$(dpkg-deb -f "$deb" "$field")
    [ "$value" = ipvsadm ] || die ".deb $field: '$value', not ipvsadm"
done
grep -qx 'libc6 (>= 2\.[0-9]*).*' <<<"$(dpkg-deb -f "$deb" Depends)" ||
    ! readelf -d "$binary" | grep -q NEEDED || die ".deb does not depend on libc6"
# The crates the copyright file names are the ones linked into the static
# build (cargo tree of the musl target; no proc-macros, which run at build
# time only), so the list cannot fall behind Cargo.lock.
linked=$(cd "$here/.." && cargo tree -q --offline --locked -p ipvsadm --target x86_64-unknown-linux-musl \
    -e normal,no-proc-macro --prefix none --format '{p}' | awk '$1 != "ipvsadm" && $1 != "ipvs" { print $1 }' | LC_ALL=C sort -u)
named=$(tr '\n' ' ' <"$here/debian/copyright" | sed 's/.*includes it: *//; s/\. .*//' | tr -s ', ' '\n' | LC_ALL=C sort -u)
[ -n "$linked" ] && [ "$linked" = "$named" ] ||
    die "debian/copyright names the crates: $(tr '\n' ' ' <<<"$named"); the static build links: $(tr '\n' ' ' <<<"$linked")"
rpm -qp --provides "$rpm" | grep -qx ipvsadm || die ".rpm does not provide ipvsadm"
[ "$(rpm -qp --conflicts "$rpm")" = ipvsadm ] || die ".rpm conflicts: $(rpm -qp --conflicts "$rpm")"

step "dpkg -i into a throwaway root"
root=$out/root
rm -rf "$root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
# The maintainer scripts run on this system with DPKG_ROOT=$root (the root
# has no shell to chroot into); libc6 is not in the root, hence
# --force-depends.
dpkg_root() {
    dpkg --root="$root" --force-script-chrootless --force-depends --log=/dev/null "$@"
}
dpkg_root -i "$deb" >"$out/dpkg-install.log" 2>&1 ||
    { cat "$out/dpkg-install.log" >&2; die "dpkg -i failed"; }
dpkg_root -s ipvsadm-rs | grep -qx 'Status: install ok installed' || die "not installed"
[ "$(readlink "$root/etc/systemd/system/multi-user.target.wants/ipvsadm.service")" = \
    /lib/systemd/system/ipvsadm.service ] || die "postinst did not enable ipvsadm.service"

step "run the installed programs"
sbin=$root/usr/sbin
# Every rule file the package ships is valid, and the symbolic link runs
# ipvsadm-restore: --test checks a file without a kernel.
"$sbin/ipvsadm-restore" --test <"$root/etc/ipvsadm.rules" || die "ipvsadm-restore --test refuses /etc/ipvsadm.rules"
printf -- '-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.1.1:80 -m\n' >"$out/good.rules"
"$sbin/ipvsadm-restore" --test <"$out/good.rules" || die "ipvsadm-restore --test refuses a valid file"
status=0
"$sbin/ipvsadm-restore" --test <<<'-A -t 10.0.0.1' 2>"$out/bad.err" || status=$?
[ "$status" -ne 0 ] && grep -q '^ipvsadm-restore: <stdin>:1: ' "$out/bad.err" ||
    die "ipvsadm-restore --test took a bad file (status $status): $(cat "$out/bad.err")"
# -h lists the usage once the kernel's IPVS answers; without IPVS (as in a
# container) ipvsadm says so, as 1.31 does.
status=0
"$sbin/ipvsadm" -h >"$out/help.out" 2>&1 || status=$?
if ! grep -q '^ipvsadm v1.31 ' "$out/help.out"; then
    [ "$status" -eq 2 ] && grep -q "^Can't initialize ipvs: " "$out/help.out" ||
        die "ipvsadm -h (status $status): $(cat "$out/help.out")"
    echo "    (no IPVS in this kernel: ipvsadm -h says so)" >&2
fi
sh -n "$root/usr/libexec/ipvsadm/ipvsadm-service" || die "ipvsadm-service is not valid sh"
status=0
"$root/usr/libexec/ipvsadm/ipvsadm-service" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || die "ipvsadm-service without arguments: status $status"
for page in ipvsadm ipvsadm-save ipvsadm-restore; do
    zcat "$root/usr/share/man/man8/$page.8.gz" | grep -q '^\.TH' || die "$page.8.gz is not a man page"
done

step "rpm -i into a throwaway root"
rpm_root=$out/rpm-root
rm -rf "$rpm_root"
mkdir -p "$rpm_root"
rpm --root="$rpm_root" --initdb
# No shell in the root for the scriptlets, no libc for the dependencies.
rpm --root="$rpm_root" --force-debian --nodeps --noscripts -i "$rpm" 2>"$out/rpm-install.log" ||
    { cat "$out/rpm-install.log" >&2; die "rpm -i failed"; }
rpm --root="$rpm_root" -V --nodeps ipvsadm-rs || die "rpm -V finds the installed files changed"
"$rpm_root/usr/sbin/ipvsadm-restore" --test <"$rpm_root/etc/sysconfig/ipvsadm" ||
    die "the .rpm's ipvsadm-restore refuses /etc/sysconfig/ipvsadm"

step "lintian"
status=0
lintian --display-info --pedantic --fail-on error "$deb" >"$out/lintian.txt" 2>&1 || status=$?
grep -v 'running with root privileges is not recommended' "$out/lintian.txt" | grep '^[EWIP]:' >&2 ||
    echo "    (no tags)" >&2
[ "$status" -eq 0 ] || die "lintian found errors (status $status)"

step "systemd-analyze security (no worse than MEDIUM)"
for unit in "$root/lib/systemd/system/ipvsadm.service" "$rpm_root/usr/lib/systemd/system/ipvsadm.service"; do
    level=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/^→ Overall exposure level for ipvsadm.service: //p')
    echo "    ${unit#"$out"/}: $level" >&2
    case ${level#* } in
    PERFECT* | SAFE* | OK* | MEDIUM*) ;;
    *) die "${unit#"$out"/} scores '$level'" ;;
    esac
done

step "systemd-analyze verify"
# The programs are in the throwaway root, not on this system: that one
# complaint is expected, anything else is a fault of the unit.
for unit in "$root/lib/systemd/system/ipvsadm.service" "$rpm_root/usr/lib/systemd/system/ipvsadm.service"; do
    complaints=$(systemd-analyze verify "$unit" 2>&1 |
        grep -v '^ipvsadm.service: Command /usr/libexec/ipvsadm/ipvsadm-service is not executable: No such file or directory$' || true)
    [ -z "$complaints" ] || die "systemd-analyze verify ${unit#"$out"/}: $complaints"
done

step "dpkg --purge"
dpkg_root --purge ipvsadm-rs >"$out/dpkg-purge.log" 2>&1 ||
    { cat "$out/dpkg-purge.log" >&2; die "dpkg --purge failed"; }
left=$(cd "$root" && find . -mindepth 1 -not -type d -not -path './var/lib/dpkg/*' | sort)
[ -z "$left" ] || die "left after purge: $left"

step "packages OK: $deb $rpm"
