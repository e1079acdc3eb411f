#!/usr/bin/env bash
# The README's quick start, followed on a fresh Debian 12: a minimal root
# made by debootstrap (nothing but Debian's required packages), with the
# apt sources of a standard install (bookworm, bookworm-updates,
# bookworm-security). In that root, as root, the quick start's install lines
# run exactly as the README has them; the rest of its lines (they need the
# ip_vs module, which the host may lack) then run in the test guest with the
# binary built there (tests/vm/run-guest.sh).
#
# Not part of the test command: it downloads Debian's base system, Rust and
# the crates (a few minutes). Run it as root when the quick start or the
# build requirements change.
#
# Usage: tests/vm/fresh-debian12.sh [WORKDIR]   (default: a new temporary one)
# Env: CARGO_HTTP_CAINFO: a CA bundle for cargo inside the root, for a
# network whose HTTPS goes through a proxy with its own CA (the root's
# ca-certificates cannot know it); bound into the root and passed on. With
# it, a quick start that forgot ca-certificates would pass here.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/vm/common.sh
source "$repo/tests/vm/common.sh"
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null || apt_install debootstrap || die "no debootstrap"

work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/fresh-debian12.XXXXXX")}
root=$work/root
mkdir -p "$work"
[ ! -e "$root" ] || die "$root exists: give a new WORKDIR"
mounted=()
cleanup() {
    local m
    for m in "${mounted[@]}"; do umount "$m" || true; done
}
trap cleanup EXIT

echo "fresh-debian12: debootstrap bookworm (minbase) into $root" >&2
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    die "debootstrap failed (see $work/debootstrap.log)"
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
git -C "$repo" archive --prefix=ipvsadm/ HEAD | tar -C "$root/root" -xf -
for m in proc sys dev; do
    mount --bind "/$m" "$root/$m"
    mounted=("$root/$m" "${mounted[@]}")
done
env_args=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    DEBIAN_FRONTEND=noninteractive)
if [ -n "${CARGO_HTTP_CAINFO:-}" ]; then
    touch "$root/host-ca.crt"
    mount --bind "$CARGO_HTTP_CAINFO" "$root/host-ca.crt"
    mounted=("$root/host-ca.crt" "${mounted[@]}")
    env_args+=(CARGO_HTTP_CAINFO=/host-ca.crt)
fi

# The quick start's shell block: the install lines (up to the last `ln`)
# in the root, the rest in the guest.
awk '/^## Quick start on a director/ { q = 1 }
    q && /^```sh/ { c = 1; next }
    c && /^```/ { exit }
    c' "$repo/README.md" >"$work/quickstart.sh"
split=$(grep -n '^ln -sf ipvsadm /usr/local/bin/ipvsadm-restore' "$work/quickstart.sh" | cut -d: -f1)
[ -n "$split" ] || die "the quick start has no ipvsadm-restore link line"
{
    echo 'set -ex'
    echo 'cd /root/ipvsadm'
    head -n "$split" "$work/quickstart.sh"
} >"$root/root/install.sh"
mkdir -p "$work/guest-files"
tail -n +"$((split + 1))" "$work/quickstart.sh" >"$work/guest-files/lines.sh"

echo "fresh-debian12: the install lines, in the root (log $work/install.log)" >&2
chroot "$root" /usr/bin/env -i "${env_args[@]}" bash /root/install.sh >"$work/install.log" 2>&1 ||
    die "the install lines failed in a fresh Debian 12 (see $work/install.log)"
binary=$root/usr/local/bin/ipvsadm
[ -x "$binary" ] || die "no $binary after the install lines"

cat >"$work/guest.sh" <<'EOF'
#!/bin/sh
# The rest of the quick start, with the binary built in the fresh root.
export PATH=/opt/ours/bin:/sbin:/bin
cd /tmp || exit 1
(set -ex; . "$FILES/lines.sh") >"$RESULTS/out" 2>&1
EOF
echo "fresh-debian12: the other lines, in the test guest" >&2
status=0
bash "$repo/tests/vm/run-guest.sh" --script "$work/guest.sh" --out "$work/guest" \
    --ours "$binary" --files "$work/guest-files" || status=$?
cat "$work/guest/out" 2>/dev/null || true
[ "$status" -eq 0 ] || die "the quick start's lines failed in the guest (status $status)"
echo "fresh-debian12: the quick start works as written ($(chroot "$root" rustc --version))"
