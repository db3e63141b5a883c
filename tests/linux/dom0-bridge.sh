# Sourced by pvx's dom0-up.sh and by the Xen 4.17 peer's xen-dom0-up.sh
# (installed beside them as /etc/dom0-bridge.sh), so both dom0s give their
# domUs the same network.
#
# dom0_bridge: the bridge the domUs' vifs join (xl.cfg's default
# bridge=xenbr0), with dom0's address on it: what a Xen host's network
# configuration provides.  DOM0_BRIDGE_ADDR overrides the address (default
# 10.0.0.1/24).  Reports a "pvx-dom0:" line (FAILED when it did not work).
dom0_bridge() {
    ip link set lo up
    if [ ! -d /sys/class/net/xenbr0 ]; then
        brctl addbr xenbr0 2>/dev/null || ip link add xenbr0 type bridge
    fi
    # No physical port: no loops to break, so forward at once.
    brctl setfd xenbr0 0 2>/dev/null
    brctl stp xenbr0 off 2>/dev/null
    ip addr add "${DOM0_BRIDGE_ADDR:-10.0.0.1/24}" dev xenbr0 2>/dev/null
    if ip link set xenbr0 up; then
        echo "pvx-dom0: bridge xenbr0 ${DOM0_BRIDGE_ADDR:-10.0.0.1/24}"
    else
        echo "pvx-dom0: bridge xenbr0 FAILED (is the bridge module loaded?)"
    fi
}
