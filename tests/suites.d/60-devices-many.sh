#!/bin/sh
# timeout: 1200
# parallel: yes
# Split drivers, second half (tests/linux/test_devices.py many): three
# Debian Linux domUs on PV disks and vifs at once, one destroyed in the
# middle of its transfer and file writes, its image consistent after; bad
# input to xl create and to live attach and detach, each with a clear error
# and nothing half-made.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_devices.py many
