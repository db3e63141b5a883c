# SPDX-License-Identifier: GPL-2.0-only
# Serial input switched between domains (Ctrl-A x3) and written into domUs'
# console rings: console.c and console_ring.c together, with fake domains.
TESTS += console_input
src_console_input := $(HV)/console.c $(HV)/console_ring.c $(HV)/param.c timer_stub.c
extra_console_input := -DHARNESS_OWN_PRINTK
