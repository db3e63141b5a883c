# pvxconsoled (the console daemon) and pvxconsole (the console client), see
# docs/console.md.  Included from dom0-tools/Makefile, which provides CC,
# CFLAGS, O, ROOT and XS_BUILD.
#
#   $(O)/pvxconsoled       the daemon (static unless LINK_STATIC is empty)
#   $(O)/pvxconsole        the client program (likewise)
#   $(O)/libpvxconsole.a   pvx_console_attach (client.h), for xl
#   consoled-unit          cmocka tests of the ring, buffer, logs and rate
#                          limit, built with ASan/UBSan, run
#   consoled-e2e           the end-to-end test program (needs a xenstored;
#                          tests/suites.d/16-console-unit.sh runs it)

CONSOLED_CORE := ring.c cbuf.c logfile.c ratelimit.c msg.c opts.c console.c domains.c hvlog.c loop.c
CONSOLED_OBJS := $(addprefix $(O)/consoled/,$(CONSOLED_CORE:.c=.o) hv_pvxctl.o main.o)
CONSOLED_XS_LIB := $(XS_BUILD)/libxenstore.a

.PHONY: consoled consoled-unit consoled-e2e consoled-tests consoled-force

consoled: $(O)/pvxconsoled $(O)/pvxconsole $(O)/libpvxconsole.a

# libxenstore is xenstore/'s; its own Makefile decides whether it is current.
$(CONSOLED_XS_LIB): consoled-force
	@$(MAKE) --no-print-directory -s -C $(ROOT)/xenstore O=$(XS_BUILD) $(CONSOLED_XS_LIB)

$(O)/pvxconsoled: $(CONSOLED_OBJS) $(O)/libpvxctl.a $(CONSOLED_XS_LIB)
	$(CC) $(LINK_STATIC) $(HARDEN_LDFLAGS) -s -o $@ $^ -lpthread -lutil

$(O)/libpvxconsole.a: $(O)/consoled/client.o
	rm -f $@ && ar rcs $@ $^

$(O)/pvxconsole: $(O)/consoled/pvxconsole.o $(O)/libpvxconsole.a $(CONSOLED_XS_LIB)
	$(CC) $(LINK_STATIC) $(HARDEN_LDFLAGS) -s -o $@ $^ -lpthread

# ---- tests: every source again, with AddressSanitizer and UBSan ----------
CONSOLED_TCFLAGS := $(CFLAGS) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -I$(CURDIR)/consoled
CONSOLED_UNIT_SRCS := tests/unit_main.c tests/unit_ring.c tests/unit_cbuf.c tests/unit_logfile.c \
	tests/unit_ratelimit.c tests/unit_opts.c
CONSOLED_E2E_SRCS := tests/e2e.c tests/fake_hv.c

$(O)/consoled-test/%.o: consoled/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CONSOLED_TCFLAGS) -c -o $@ $<

$(O)/consoled-unit: $(addprefix $(O)/consoled-test/,$(CONSOLED_UNIT_SRCS:.c=.o) \
		ring.o cbuf.o logfile.o ratelimit.o msg.o opts.o)
	$(CC) $(CONSOLED_TCFLAGS) -o $@ $^ -lcmocka

$(O)/consoled-e2e: $(addprefix $(O)/consoled-test/,$(CONSOLED_E2E_SRCS:.c=.o) \
		$(CONSOLED_CORE:.c=.o) client.o) $(CONSOLED_XS_LIB)
	$(CC) $(CONSOLED_TCFLAGS) -o $@ $^ -lpthread -lutil

consoled-tests: $(O)/consoled-unit $(O)/consoled-e2e

consoled-unit: $(O)/consoled-unit
	$(O)/consoled-unit

consoled-e2e: $(O)/consoled-e2e
