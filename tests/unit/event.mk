# SPDX-License-Identifier: GPL-2.0-only
# Event channels: the EVTCHNOP_* ABI and the 2-level bit logic, against fake
# domains, vCPUs and guest memory (event_harness.c); PIRQs (pirq.c) over a
# fake interrupt controller.
TESTS += event event_fuzz
src_event := $(HV)/event_channel.c $(HV)/event_2l.c $(HV)/pirq.c event_harness.c
src_event_fuzz := $(HV)/event_channel.c $(HV)/event_2l.c $(HV)/pirq.c event_harness.c
