#!/bin/sh
# timeout: 600
# parallel: yes
# `make run`'s demo driven from its serial line as README says
# (tests/linux/test_demo.py): xl create -c boots a Debian domU to its shell.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build_toolstack
exec python3 tests/linux/test_demo.py
