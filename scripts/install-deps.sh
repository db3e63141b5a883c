#!/bin/sh
# Install the Debian packages pvx needs to build, run and test.
# Idempotent: only missing packages are installed; sudo only when not root.
set -eu

# dpkg-dev and lintian: make deb (dpkg-shlibdeps) and its test (suite 18);
# mmdebstrap: the Debian disk image of make test-install.
# The six before them are what Debian's qemu-system-xen (fetched, not installed)
# loads from the host when make bench-io packs it into Xen's dom0: firmware
# and libraries that qemu-system-x86 brings today, named so they stay.
PACKAGES="build-essential gcc libc6-dev make python3 cpio qemu-system-x86 grub-pc-bin \
grub-common xorriso mtools libcmocka-dev libxen-dev clang clang-format \
libclang-rt-14-dev valgrind busybox-static xz-utils lz4 zstd \
liblzma-dev zlib1g-dev libzstd-dev liblz4-dev e2fsprogs iperf3 sockperf \
python3-matplotlib seabios ipxe-qemu qemu-system-data libspice-server1 libusb-1.0-0 libfdt1 \
dpkg-dev lintian mmdebstrap"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
else
    SUDO="sudo"
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || {
    echo "install-deps: apt-get update failed; check the network or apt sources" >&2
    exit 1
}
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing || {
    echo "install-deps: apt-get install failed for:$missing" >&2
    exit 1
}
