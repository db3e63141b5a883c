# SPDX-License-Identifier: GPL-2.0-only
# Event channels: the EVTCHNOP_* ABI, the 2-level and FIFO bit logic, against fake
# domains, vCPUs and guest memory (event_harness.c); PIRQs (pirq.c) over a
# fake interrupt controller.
TESTS += event event_fuzz event_fifo
src_event_fifo := $(HV)/event_channel.c $(HV)/event_2l.c $(HV)/event_fifo.c $(HV)/pirq.c event_harness.c
src_event := $(HV)/event_channel.c $(HV)/event_2l.c $(HV)/event_fifo.c $(HV)/pirq.c event_harness.c
src_event_fuzz := $(HV)/event_channel.c $(HV)/event_2l.c $(HV)/event_fifo.c $(HV)/pirq.c event_harness.c
