#!/bin/sh
# timeout: 600
# parallel: yes
# The xl contract on pvx's own toolstack: the same scenario and the same
# checks as suite 52 runs on Xen 4.17's (tests/linux/xl-scenario.sh,
# tests/linux/xl_scenario.py), with pvx's xl, xenstored, pvxconsoled and
# pvx-lifecycled in the same Debian Linux dom0.  About a minute under TCG.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/xl_scenario.py --hypervisor pvx
