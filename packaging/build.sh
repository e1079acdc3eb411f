#!/usr/bin/env bash
# Builds the .deb and the .rpm of a built ipvsadm binary, from the
# [package.metadata.packages] tables of Cargo.toml (see there), with
# dpkg-deb, dpkg-shlibdeps and rpmbuild.
#
#   packaging/build.sh BINARY OUTDIR
#
# BINARY: the ipvsadm to package (target/release/ipvsadm, or a static musl
# build). Writes OUTDIR/NAME_VERSION_ARCH.deb and OUTDIR/NAME-VERSION-1.ARCH.rpm
# and prints their paths. Needs cargo, jq, dpkg-dev, rpm and binutils.
# SOURCE_DATE_EPOCH (default: the time of the last commit) dates the files
# and the Debian changelog.
set -euo pipefail

die() { echo "packaging/build.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: packaging/build.sh BINARY OUTDIR"
binary=$(realpath -e "$1") || die "no binary $1"
mkdir -p "$2"
outdir=$(realpath "$2")
cd "$(dirname "$0")/.."
repo=$(pwd -P)

for tool in cargo jq dpkg-deb dpkg-shlibdeps rpmbuild strip readelf gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

meta=$(cargo metadata --offline --no-deps --format-version 1 |
    jq '.packages[] | select(.manifest_path == "'"$repo"'/Cargo.toml")')
field() { jq -r "$1 // empty" <<<"$meta"; }
name=$(field .metadata.packages.name)
version=$(field .version)
license=$(field '.metadata.packages."binary-license"')
maintainer=$(field .metadata.packages.maintainer)
summary=$(field .metadata.packages.summary)
extended=$(field '.metadata.packages."extended-description"')
replaces=$(field '.metadata.packages."replaces-package"')
[ -n "$name" ] && [ -n "$version" ] && [ -n "$summary" ] && [ -n "$license" ] ||
    die "Cargo.toml has no [package.metadata.packages] name, summary and binary-license"

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

case $(readelf -h "$binary" | sed -n 's/^ *Machine: *//p') in
*X86-64*) deb_arch=amd64 rpm_arch=x86_64 ;;
*AArch64*) deb_arch=arm64 rpm_arch=aarch64 ;;
*) die "$binary: not an x86-64 or AArch64 ELF binary" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Debian policy: installed binaries are stripped.
strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$work/ipvsadm" "$binary"

# stage ROOT FAMILY: the common files and FAMILY's files under ROOT.
stage() {
    local root=$1 family=$2 src dst mode
    while IFS=$'\t' read -r src dst mode; do
        mkdir -p "$root$(dirname "$dst")"
        # shellcheck disable=SC2016 # the word $binary, not a variable
        case $src in
        '$binary') install -m "$mode" "$work/ipvsadm" "$root$dst" ;;
        '->'*) ln -s "${src#->}" "$root$dst" ;;
        *)
            [ -f "$src" ] || die "Cargo.toml names $src, which does not exist"
            if [[ $dst == *.gz && $src != *.gz ]]; then
                gzip -9nc "$src" >"$root$dst"
                chmod "$mode" "$root$dst"
            else
                install -m "$mode" "$src" "$root$dst"
            fi
            ;;
        esac
    done < <(jq -r --arg f "$family" \
        '(.metadata.packages.files + .metadata.packages[$f].files)[] | @tsv' <<<"$meta")
    find "$root" -type d -exec chmod 755 {} +
}

# The files under /etc: conffiles.
etc_files() { (cd "$1" && find etc -type f | sed 's|^|/|' | sort); }

clamp_times() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# ---- .deb
deb_root=$work/deb
stage "$deb_root" deb
doc=$deb_root/usr/share/doc/$name
mkdir -p "$doc"
{
    echo "$name ($version) unstable; urgency=medium"
    echo
    echo "  * Package of ipvsadm $version, built from its Cargo.toml."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 644 "$doc/changelog.gz"

# A static build is static on purpose (it runs on directors with an older C
# library). Rust's static musl build is a static position-independent
# executable, which lintian takes for a shared library without the C
# library among its prerequisites.
if ! readelf -d "$work/ipvsadm" | grep -q NEEDED; then
    overrides=$deb_root/usr/share/lintian/overrides
    mkdir -p "$overrides"
    {
        echo "# A static-pie executable: no shared library is needed, libc included."
        echo "$name: shared-library-lacks-prerequisites [usr/sbin/ipvsadm]"
    } >"$overrides/$name"
    chmod 644 "$overrides/$name"
fi

mkdir -p "$deb_root/DEBIAN"
scripts=$(field '.metadata.packages.deb."maintainer-scripts"')
for script in preinst postinst prerm postrm; do
    [ -f "$scripts/$script" ] && install -m 755 "$scripts/$script" "$deb_root/DEBIAN/$script"
done
etc_files "$deb_root" >"$deb_root/DEBIAN/conffiles"
[ -s "$deb_root/DEBIAN/conffiles" ] || rm "$deb_root/DEBIAN/conffiles"
(cd "$deb_root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
    LC_ALL=C sort -z | xargs -0 md5sum) >"$deb_root/DEBIAN/md5sums"

# Shared library dependencies (none for a static binary).
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e "$deb_root/usr/sbin/ipvsadm" 2>/dev/null |
    sed -n 's/^shlibs:Depends=//p')
installed_size=$(du -sk --exclude=DEBIAN "$deb_root" | cut -f1)
{
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: $deb_arch"
    echo "Maintainer: $maintainer"
    echo "Installed-Size: $installed_size"
    [ -z "$depends" ] || echo "Depends: $depends"
    if [ -n "$replaces" ]; then
        echo "Provides: $replaces"
        echo "Conflicts: $replaces"
        echo "Replaces: $replaces"
    fi
    echo "Section: $(field .metadata.packages.deb.section)"
    echo "Priority: $(field .metadata.packages.deb.priority)"
    echo "Description: $summary"
    fold -s -w 72 <<<"$extended" | sed 's/ *$//; s/^/ /'
} >"$deb_root/DEBIAN/control"
chmod 644 "$deb_root/DEBIAN/control" "$deb_root/DEBIAN/md5sums"
[ ! -f "$deb_root/DEBIAN/conffiles" ] || chmod 644 "$deb_root/DEBIAN/conffiles"
clamp_times "$deb_root"
deb=$outdir/${name}_${version}_${deb_arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$deb_root" "$deb" >/dev/null

# ---- .rpm
rpm_root=$work/rpm
stage "$rpm_root" rpm
clamp_times "$rpm_root"
spec=$work/$name.spec
{
    echo "Name: $name"
    echo "Version: $version"
    echo "Release: 1"
    echo "Summary: $summary"
    echo "License: $license"
    echo "Group: $(field .metadata.packages.rpm.group)"
    echo "BuildArch: $rpm_arch"
    if [ -n "$replaces" ]; then
        echo "Provides: $replaces"
        echo "Conflicts: $replaces"
    fi
    echo
    echo "%description"
    fold -s -w 72 <<<"$extended" | sed 's/ *$//'
    echo
    echo "%install"
    echo "cp -a '$rpm_root/.' %{buildroot}/"
    echo
    grep -v '^#' "$(field .metadata.packages.rpm.scriptlets)"
    echo
    echo "%files"
    (cd "$rpm_root" && find . -mindepth 1 \( -type f -o -type l \) -printf '/%P\n' | sort) |
        while read -r path; do
            if [[ $path == /etc/* ]]; then
                echo "%config(noreplace) $path"
            else
                echo "$path"
            fi
        done
    # The directories only this package uses.
    echo "%dir /usr/libexec/ipvsadm"
    echo "%dir /usr/share/ipvsadm"
} >"$spec"
rpmbuild -bb --quiet \
    --define "_topdir $work/rpmbuild" \
    --define "_rpmdir $outdir" \
    --define "_build_id_links none" \
    --define "debug_package %{nil}" \
    --define "__os_install_post %{nil}" \
    --define "_buildhost reproducible" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --target "$rpm_arch" "$spec" >/dev/null
rpm=$outdir/$rpm_arch/$name-$version-1.$rpm_arch.rpm
mv "$rpm" "$outdir/"
rmdir "$outdir/$rpm_arch" 2>/dev/null || true
echo "$deb"
echo "$outdir/${rpm##*/}"
