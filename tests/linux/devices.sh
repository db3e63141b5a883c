# Sourced by the split-driver dom0 inits (tests/linux/init-devices and
# init-devices-many, busybox sh) as /etc/pvx-devices.sh: dom0 brought up
# with its bridge, a tmpfs for images, and the helpers both use.  $idle is
# what dom0 looks like with no domU, which every scenario returns to.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
echo "pvx-dom0: init reached"
. /etc/dom0-up.sh
dom0_up | grep -v "module .* loaded"
. /etc/pvx-checks.sh

IMG=/var/lib/pvx/images
ROOTFS=$IMG/rootfs-domu.ext4
# The images live on their own tmpfs: the initramfs's root is half of
# dom0's memory and mostly taken.  Each scenario removes its images.
mkdir -p /srv && mount -t tmpfs -o size=320m tmpfs /srv
# A domU's configuration: NAME MAC-LAST-BYTE, then extra lines on stdin.
# 128 MiB: at 96 a guest with two disks and a vif once ran out of memory
# loading ext4 from its initramfs (MemTotal 49 MB, OOM-killed insmod).
mkcfg() {
    {
        echo "name = \"$1\""
        echo "kernel = \"$IMG/vmlinuz\""
        echo "ramdisk = \"$IMG/initrd-domu.gz\""
        echo 'root = "/dev/xvda"'
        echo 'extra = "console=hvc0"'
        echo "memory = 128"
        echo 'on_reboot = "restart"'
        cat
    } >"/srv/$1.cfg"
}
# A root image for NAME with job file $2.
mkroot() {
    cp "$ROOTFS" "/srv/$1.img" && debugfs -w -R "write $2 job.sh" "/srv/$1.img" >/dev/null 2>&1
}
# The value of domain $1's node data/$2 once it exists (waiting up to $3 s).
guest_node() {
    local gid
    gid=$(xl domid "$1" 2>/dev/null)
    wait_until "xenstore-exists /local/domain/$gid/data/$2" "$3" &&
        xenstore-read "/local/domain/$gid/data/$2"
}
# The last lines of guest $1's console, for the log when a check on it fails.
show_guest() {
    tail -n 25 "$LOGS/guest-$1.log" | sed "s/^/pvx-dom0: guest $1: /"
}
# What a device set-up leaves behind in dom0: domains, loop devices in use,
# network interfaces, backend and /libxl nodes.
leftovers() {
    echo "domains=$(xl list | tail -n +2 | wc -l) loops=$(losetup -a | wc -l)" \
        "nets=$(ls /sys/class/net | tr '\n' ,)" \
        "be=$(xenstore-ls /local/domain/0/backend 2>/dev/null | grep -cE '^ *(vbd|vif) ')" \
        "libxl=$(xenstore-ls /libxl 2>/dev/null | wc -l)"
}
idle=$(leftovers)
