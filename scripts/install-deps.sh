#!/bin/sh
# Installs the Debian packages k1fw builds and tests with (scdoc for the man
# pages, man-db and zsh for their tests) and packages itself with
# (debhelper, dpkg-dev, lintian: dpkg-buildpackage -us -uc -b). Idempotent:
# does nothing (and needs no network) when every package is installed.
set -eu

PKGS="build-essential pkg-config clang
libssl-dev zlib1g-dev libjansson-dev libfdt-dev libusb-1.0-0-dev
libcmocka-dev android-libsparse-dev libzip-dev
u-boot-tools device-tree-compiler fastboot gdisk fdisk android-sdk-libsparse-utils e2fsprogs
genimage bmap-tools dosfstools mtools libext2fs-dev clang-format python3 python3-cryptography openssl
scdoc man-db zsh
debhelper dpkg-dev lintian"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
