# Sourced by the init of the reference Xen 4.17 dom0 (busybox sh; the
# initramfs is built by scripts/mk-xen-dom0-initrd.py): bring up what Debian's
# /etc/init.d/xen brings up, with Debian's own binaries.  Each function reports
# its steps as "pvx-dom0:" lines (FAILED when a step did not work); the
# harness (tests/linux/xl_scenario.py) reads them.
#
#   xen_dom0_modules      insmod the /dev/xen drivers listed in
#                         /lib/modules/dom0/order, mount xenfs on /proc/xen
#                         and devpts (xenconsoled allocates a pty per guest)
#   xen_dom0_dirs         the run, state and log directories xl, libxl and
#                         the daemons expect, and the /dev/fd, /dev/std*
#                         links udev makes on a distribution (devtmpfs has
#                         none; the hotplug scripts' locking.sh stats
#                         /dev/stdin, and loops for ever without it)
#   xen_dom0_xenstored    the C xenstored (Debian's init script would try
#                         oxenstored first), database in memory
#   xen_dom0_init_dom0    xen-init-dom0: Domain-0's name, domid and the stub
#                         libxl config
#   xen_dom0_xenconsoled  xenconsoled logging every guest's console to
#                         /var/log/xen/console/guest-NAME.log
#   xen_dom0_up           all of the above, in that order
#   xen_dom0_network      (not part of xen_dom0_up) the bridge xenbr0 with
#                         dom0's address, for guests' vifs: what a Debian
#                         host's /etc/network/interfaces would set up, the
#                         same as pvx's dom0_network (tests/linux/dom0-up.sh);
#                         libxl's vif-bridge script adds each vif to it

XEN_BIN=/usr/lib/xen-4.17/bin

xen_dom0_modules() {
    for m in $(cat /lib/modules/dom0/order 2>/dev/null); do
        if insmod "/lib/modules/dom0/$m.ko"; then
            echo "pvx-dom0: module $m loaded"
        else
            echo "pvx-dom0: module $m FAILED"
        fi
    done
    mkdir -p /proc/xen /dev/pts
    mount -t xenfs xenfs /proc/xen || echo "pvx-dom0: mount xenfs FAILED"
    mount -t devpts -o mode=0620,ptmxmode=0666 devpts /dev/pts ||
        echo "pvx-dom0: mount devpts FAILED"
}

xen_dom0_dirs() {
    mkdir -p /run/xen /run/xenstored /run/lock /run/xen-hotplug /var/lib/xen/dump \
        /var/log/xen/console /var/lock
    chmod 700 /run/xen
    [ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
    [ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
    [ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
    [ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
}

# Wait up to $2 tenths of a second for path $1 to exist.
xen_dom0_wait_for() {
    n=0
    while [ ! -e "$1" ] && [ "$n" -lt "$2" ]; do
        usleep 100000
        n=$((n + 1))
    done
    [ -e "$1" ]
}

xen_dom0_xenstored() {
    # Forks into the background itself once its socket is listening and
    # dom0's ring is set up; the pid file is written by the daemon.
    if XENSTORED_ROOTDIR=/run/xenstored $XEN_BIN/xenstored --pid-file /run/xenstore.pid \
            </dev/null >/var/log/xen/xenstored.out 2>&1 &&
        xen_dom0_wait_for /run/xenstored/socket 100; then
        echo "pvx-dom0: xenstored started (C xenstored, pid $(cat /run/xenstore.pid 2>/dev/null))"
    else
        echo "pvx-dom0: xenstored FAILED to start"
        sed 's/^/pvx-dom0: xenstored: /' /var/log/xen/xenstored.out
    fi
}

xen_dom0_init_dom0() {
    if $XEN_BIN/xen-init-dom0 >/var/log/xen/xen-init-dom0.log 2>&1; then
        echo "pvx-dom0: xen-init-dom0 done"
    else
        echo "pvx-dom0: xen-init-dom0 FAILED"
        sed 's/^/pvx-dom0: xen-init-dom0: /' /var/log/xen/xen-init-dom0.log
    fi
}

xen_dom0_xenconsoled() {
    if $XEN_BIN/xenconsoled --pid-file=/run/xen/xenconsoled.pid --log=guest \
            --log-dir=/var/log/xen/console </dev/null >/var/log/xen/xenconsoled.out 2>&1 &&
        xen_dom0_wait_for /run/xen/xenconsoled.pid 100; then
        echo "pvx-dom0: xenconsoled started (pid $(cat /run/xen/xenconsoled.pid))"
    else
        echo "pvx-dom0: xenconsoled FAILED to start"
        sed 's/^/pvx-dom0: xenconsoled: /' /var/log/xen/xenconsoled.out
    fi
}

xen_dom0_up() {
    xen_dom0_modules
    xen_dom0_dirs
    xen_dom0_xenstored
    xen_dom0_init_dom0
    xen_dom0_xenconsoled
}

# The bridge xenbr0 for the domUs' vifs, as pvx's dom0 makes it
# (/etc/dom0-bridge.sh).
xen_dom0_network() {
    . /etc/dom0-bridge.sh
    dom0_bridge
}
