# SPDX-License-Identifier: GPL-2.0-only
# pvx top-level build.  Quick start: `make run` and `make test`.
#
#   make              build everything (hypervisor, xenstore, dom0 tools, test guest)
#   make run          boot the demo in QEMU, serial console on this terminal
#   make test         build, then run every test suite (tests/suites.d)
#   make test-xen     run the PV test guest on Debian's Xen 4.17 (the peer)
#   make iso          a GRUB (multiboot2) ISO: build/pvx.iso
#   make deb          Debian packages in build/deb (docs/install.md)
#   make test-install Debian 12 disk image with the packages, booted on pvx from
#                     GRUB (tests/install; not in make test; .ci/run runs it)
#   make bench        benchmarks, pvx beside its peer
#   make bench-io     PV against HVM-style I/O: table, JSON and chart in build/bench-io
#   make xen-stream-on-pvx  restore on pvx a file saved by Xen 4.17's xl (a report)
#   make format       reformat all C sources with clang-format
#
# Every target that needs packages installs them first (scripts/install-deps.sh).

BUILD := $(CURDIR)/build
PYTHON := python3
HAVE_XENSTORE := $(wildcard xenstore/Makefile)
HAVE_TESTGUEST := $(wildcard guest-patches/testguest/Makefile)

.PHONY: all deps hypervisor xenstore dom0-tools testguest unit iso deb run test test-xen test-install bench bench-pv bench-dom0 \
	bench-toolstack bench-smp-domains bench-devices bench-io bench-xenstore fuzz xen-stream-on-pvx format \
	format-check clean

all: deps hypervisor $(if $(HAVE_XENSTORE),xenstore) dom0-tools $(if $(HAVE_TESTGUEST),testguest)

deps:
	@./scripts/install-deps.sh

hypervisor: deps
	@$(MAKE) --no-print-directory -C hypervisor O=$(BUILD)/hypervisor

# Also the static daemon and tool that go into the Linux dom0's initramfs.
xenstore: deps
	@$(MAKE) --no-print-directory -C xenstore O=$(BUILD)/xenstore all static

# The toolstack (xl, the console and lifecycle daemons, the domain builder)
# and the /dev/xen checks, static, for dom0's initramfs.  Links xenstore's
# client library.
dom0-tools: deps xenstore
	@$(MAKE) --no-print-directory -C dom0-tools O=$(BUILD)/dom0-tools

testguest: deps
	@$(MAKE) --no-print-directory -C guest-patches/testguest O=$(BUILD)/testguest

unit: deps
	@$(MAKE) --no-print-directory -C tests/unit O=$(BUILD)/unit run

iso: hypervisor
	@$(PYTHON) scripts/mkiso.py --out $(BUILD)/pvx.iso --kernel $(BUILD)/hypervisor/pvx \
		--append "$(PVX_CMDLINE)"

# Debian packages (docs/install.md): pvx-hypervisor and pvx-utils in
# build/deb, made with dpkg-deb by scripts/mkdeb.py.  The packaged tools are
# linked with shared libraries (dom0-tools again, with LINK_STATIC=, in
# build/deb/dom0-tools); the initramfs keeps its static ones.  DEB_VERSION
# overrides the version (hypervisor/include/pvx/version.h).
DEB_TOOLS := xl pvx-lifecycled pvxconsoled pvxconsole pvx-migrate
DEB_VERSION ?=
# The packaged programs (and the xenstore library they link) are built again
# in build/deb with Debian's hardening flags from dpkg-buildflags
# (hardening=+all: stack protector, _FORTIFY_SOURCE=2, format-security,
# relro and now; gcc makes PIEs by default); the hypervisor is
# freestanding and keeps its own flags.
DEB_BUILDFLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb: deps hypervisor
	@$(MAKE) --no-print-directory -s -C xenstore O=$(BUILD)/deb/xenstore \
		HARDEN_CFLAGS="$$($(DEB_BUILDFLAGS) CFLAGS) $$($(DEB_BUILDFLAGS) CPPFLAGS)" \
		HARDEN_LDFLAGS="$$($(DEB_BUILDFLAGS) LDFLAGS)" \
		$(BUILD)/deb/xenstore/xenstored $(BUILD)/deb/xenstore/xenstore
	@$(MAKE) --no-print-directory -s -C dom0-tools O=$(BUILD)/deb/dom0-tools LINK_STATIC= \
		XS_BUILD=$(BUILD)/deb/xenstore \
		HARDEN_CFLAGS="$$($(DEB_BUILDFLAGS) CFLAGS) $$($(DEB_BUILDFLAGS) CPPFLAGS)" \
		HARDEN_LDFLAGS="$$($(DEB_BUILDFLAGS) LDFLAGS)" \
		$(addprefix $(BUILD)/deb/dom0-tools/,$(DEB_TOOLS))
	@$(PYTHON) scripts/mkdeb.py --out $(BUILD)/deb $(if $(DEB_VERSION),--version $(DEB_VERSION))

# The demo: pvx boots Debian's stock Linux kernel as dom0 with a busybox
# shell on its console and pvx's toolstack up (docs/dom0.md,
# docs/toolstack.md): `xl create /etc/pvx/debian.cfg -c` there boots a
# Debian Linux domU.  DEMO=testguest runs the PV test guest's conformance
# suite as dom0 instead.  Extra pvx options go in PVX_CMDLINE.
DEMO ?= linux
PVX_CMDLINE ?=
LINUX_CMDLINE ?= console=hvc0 earlyprintk=xen
run: all
ifeq ($(DEMO),testguest)
	@$(PYTHON) scripts/run-demo.py --cmdline "dom0_mem=64M $(PVX_CMDLINE)" \
		--module "$(BUILD)/testguest/testguest suite"
else
	@$(PYTHON) scripts/fetch-linux.py
	@$(PYTHON) scripts/mkinitramfs.py --dom0 --rootfs --init tests/linux/init-demo --out $(BUILD)/linux/initrd-demo.gz
	@$(PYTHON) scripts/run-demo.py --memory 1G \
		--cmdline "dom0_mem=512M $(PVX_CMDLINE)" \
		--module "$(BUILD)/linux/vmlinuz linux $(LINUX_CMDLINE)" \
		--module "$(BUILD)/linux/initrd-demo.gz initrd"
endif

test: all
	@$(PYTHON) scripts/run-tests.py

test-xen: all
	@$(PYTHON) scripts/run-tests.py 41-testguest-xen

# The install test (docs/install.md): a Debian 12 disk image built with
# mmdebstrap (scripts/mkimage-debian.py, cached in build/install), the
# packages installed in it, booted in QEMU from its disk through GRUB's pvx
# entry.  Not in `make test` (15-30 minutes more under TCG).
test-install: all deb
	@$(PYTHON) scripts/fetch-linux.py
	@$(PYTHON) scripts/mkinitramfs.py --domu --out $(BUILD)/linux/initrd-domu.gz
	@$(PYTHON) tests/install/test_install.py

bench: all bench-xenstore bench-pv bench-dom0 bench-toolstack bench-smp-domains bench-devices bench-io

# Hypercall and trap microbenchmarks: pvx beside Xen 4.17, and both again
# without XPTI, in one run, same QEMU machine; then the SMP rows (two CPUs,
# dom0 with two vCPUs: cross-vCPU round trips, TLB shootdowns, aggregate
# throughput) on both; results in docs/benchmarks.md.
bench-pv: all
	@$(PYTHON) scripts/bench.py --xen-extra-append xpti=0 --pvx-extra-append xpti=0 --write-doc

# Wall time to a Linux dom0's /init, pvx beside Xen 4.17 (same kernel, initramfs, machine),
# with one CPU and dom0 vCPU, and with two CPUs and dom0_max_vcpus=2.
bench-dom0: all
	@$(PYTHON) scripts/bench-dom0-boot.py --write-doc

# xl create to the guest's first console line, xl destroy, memory per domU:
# pvx's toolstack beside Xen 4.17's (xl, xenstored, xenconsoled), same machine.
bench-toolstack: all
	@$(PYTHON) scripts/bench-toolstack.py --write-doc

# Two CPU-bound Debian domUs on 2 CPUs (QEMU -smp 2, multi-threaded TCG,
# dom0 with one vCPU): a fixed work in one alone, then in both at once, and
# the aggregate throughput, pvx beside Xen 4.17; results in docs/benchmarks.md.
bench-smp-domains: all
	@$(PYTHON) scripts/bench-smp-domains.py --write-doc

# Split drivers: a Debian domU's disk (xvdb: blkfront/blkback over a loop
# device) and TCP throughput against the same in dom0 itself, with dom0's
# CPU time per MiB, on pvx and on Xen 4.17 with Debian's toolstack (one boot
# each, same QEMU machine; Xen once more with xpti=0, for reference);
# results in docs/benchmarks.md.
bench-devices: all
	@$(PYTHON) scripts/bench-devices.py --xen-extra-append xpti=0 --write-doc

# PV against HVM-style I/O: the same disk and network workloads on the same
# Debian kernel as a PV domU on pvx and on Xen 4.17, as a QEMU guest with
# emulated IDE + e1000 and with virtio, as a Xen HVM guest where it can run,
# and natively in dom0; table, JSON and chart in build/bench-io, and in
# docs/benchmarks.md.
bench-io: all
	@$(PYTHON) scripts/bench-io.py --write-doc

# A long seeded random-hypercall fuzz of pvx (FUZZ_CALLS calls, default
# 10^6; FUZZ_SEED): the test guest as dom0 prints its progress every 2^16
# calls and must end with pvx and itself still answering.  Not in make test.
FUZZ_CALLS ?= 1000000
FUZZ_SEED ?= 17
fuzz: all
	@$(PYTHON) scripts/testguest-run.py --hypervisor pvx --log-prefix build/testguest/fuzz- --echo \
		--timeout $$(( 120 + $(FUZZ_CALLS) / 200 )) --append "dom0_mem=32M" \
		--guest-args "only=fuzz seed=$(FUZZ_SEED) fuzz=$(FUZZ_CALLS)"

bench-xenstore: all
	@$(PYTHON) scripts/bench-xenstore.py

# A file saved by Xen 4.17's own `xl save` restored on pvx (docs/migration.md,
# "Restoring a file saved by Xen 4.17"): Xen saves the counting Debian domU
# onto a virtio disk, then pvx's dom0 runs `xl -v restore` on it; prints how
# far it gets.  Two QEMU boots, about 4 minutes under TCG.  Not in make test.
xen-stream-on-pvx: all
	@$(PYTHON) scripts/xen-stream-on-pvx.py

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@tests/suites.d/00-format.sh

clean:
	rm -rf $(BUILD)
