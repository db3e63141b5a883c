# Sourced by the two-host dom0 inits (busybox sh) as /etc/pvx-twohost.sh
# (tests/linux/twohost.py boots them): the link between the two hosts, and
# messages from one init to the other so each can wait for the other's steps.
#
#     twohost_up            eth0 up as a port of xenbr0, this host's address
#                           on the bridge; waits until the peer answers;
#                           starts the message listener
#     twohost_say MSG       tell the peer MSG (retried until it is heard)
#     twohost_wait MSG SEC  wait up to SEC seconds for the peer to say MSG
#
# HOST, ADDR and PEER (this host's name, address and the peer's) come from
# the kernel command line (pvx_host=, pvx_ip=, pvx_peer=).
TWOHOST_PORT=7001
TWOHOST_INBOX=/tmp/twohost-inbox

twohost_param() {
    tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1
}

twohost_up() {
    HOST=$(twohost_param pvx_host)
    ADDR=$(twohost_param pvx_ip)
    PEER=$(twohost_param pvx_peer)
    : >"$TWOHOST_INBOX"
    # As on a Xen host, the NIC is a port of xenbr0 and the host's address
    # is the bridge's: a domU's vif in xenbr0 is on the hosts' network, and
    # keeps its address when it migrates.  (dom0_bridge's default address
    # goes: both hosts would have it.)
    ip addr flush dev xenbr0 &&
        { brctl addif xenbr0 eth0 2>/dev/null || ip link set eth0 master xenbr0; } &&
        ip link set eth0 up && ip addr add "$ADDR/24" dev xenbr0 || return 1
    # Every connection appends one message to the inbox.
    (while :; do nc -l -p $TWOHOST_PORT >>"$TWOHOST_INBOX" 2>/dev/null; done) &
    TWOHOST_LISTENER=$!
    n=0
    while ! ping -c 1 -W 1 "$PEER" >/dev/null 2>&1; do
        n=$((n + 1))
        [ $n -lt 300 ] || return 1
    done
    echo "pvx-dom0: step host $HOST ($ADDR) reaches $PEER"
}

twohost_say() {
    n=0
    until echo "$1" | nc -w 5 "$PEER" $TWOHOST_PORT 2>/dev/null; do
        n=$((n + 1))
        [ $n -lt 60 ] || return 1
        sleep 1
    done
}

twohost_wait() {
    n=0
    while ! grep -qx "$1" "$TWOHOST_INBOX" && [ $n -lt $(($2 * 5)) ]; do
        usleep 200000
        n=$((n + 1))
    done
    grep -qx "$1" "$TWOHOST_INBOX"
}
