#!/bin/sh
# timeout: 900
# parallel: yes
# xl save / xl restore of a Debian Linux domU on pvx from a Linux dom0
# (tests/linux/test_saverestore.py): the count on its console goes on and
# its memory pattern is unchanged after a restore, xl save -c leaves it
# running, and bad input (truncated or corrupted files, wrong versions, a
# name in use, a domain that does not exist or does not suspend) fails
# cleanly with nothing left behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_saverestore.py
