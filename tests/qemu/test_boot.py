#!/usr/bin/env python3
"""QEMU integration tests of the hypervisor's boot: both boot protocols,
the self-tests, the fatal-exception report and bad input.  Each case boots
pvx, reads its serial console and checks lines and the exit status.

Usage: test_boot.py [CASE ...]     (default: all cases)
"""
import os
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

PVX = os.path.join(ROOT, "build", "hypervisor", "pvx")
GUEST = os.path.join(ROOT, "build", "testguest", "testguest")
BANNER = re.compile(r"^pvx \d+\.\d+ - a paravirtualizing hypervisor")
EXIT_OK, EXIT_FAIL, EXIT_PANIC = 0, 1, 2
TMP = tempfile.mkdtemp(prefix="pvx-boot-")

checks = qh.Checks()


def check(name, result, expect=(), absent=(), status=None):
    problems = []
    if result.timed_out:
        problems.append("timed out (pvx hung)")
    for pat in expect:
        if not result.search(pat):
            problems.append(f"missing /{pat}/")
    for pat in absent:
        if result.search(pat):
            problems.append(f"unexpected /{pat}/")
    if status is not None and result.status != status:
        problems.append(f"exit status {result.status}, expected {status}")
    checks.check(f"{name} ({result.elapsed:.1f}s)" if not problems else name, not problems, result,
                 "; ".join(problems), tail=30)


def module_file(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def case_multiboot1():
    m1 = module_file("first.bin", b"x" * 5000)
    m2 = module_file("second.bin", b"y" * 12345)
    r = qh.boot(kernel=PVX, append="selftest", modules=[f"{m1} alpha=1 beta", f"{m2}"], timeout=60)
    check("multiboot1: banner, loader, command line", r,
          expect=[r"^pvx \d+\.\d+ - a paravirtualizing hypervisor",
                  r"^Boot loader: qemu \(multiboot1\)", r"^Command line: selftest$"])
    check("multiboot1: memory map and modules", r,
          expect=[r"Memory map from the boot loader \(\d+ entries\)",
                  r"0000000000100000 - [0-9a-f]{16} RAM",
                  r"Boot modules: 2",
                  r"module 0: name '\S*first\.bin' at 0x[0-9a-f]+ size 5000 cmdline 'alpha=1 beta'",
                  r"module 1: name '\S*second\.bin' at 0x[0-9a-f]+ size 12345 cmdline ''"])
    check("multiboot1: frame table, heap and clock", r,
          expect=[r"Frame table: \d+ frames", r"Memory: \d+ MiB RAM, \d+ MiB free",
                  r"Time: TSC \d+\.\d+ MHz .* APIC timer \d+\.\d+ MHz"])
    check("multiboot1: self-tests pass and pvx exits with status 0", r,
          expect=[r"selftest: PASS timers fired in deadline order",
                  r"selftest: [1-9]\d* passed, 0 failed"], absent=[r"selftest: FAIL"],
          status=EXIT_OK)


def case_multiboot2_grub():
    iso = os.path.join(TMP, "pvx.iso")
    mod = module_file("mod.bin", b"z" * 4096)
    qh_iso = [sys.executable, os.path.join(ROOT, "scripts", "mkiso.py"), "--out", iso,
              "--kernel", PVX, "--append", "selftest", "--module", f"{mod} modname k=v"]
    import subprocess
    subprocess.run(qh_iso, check=True, stdout=subprocess.DEVNULL)
    r = qh.boot(iso=iso, timeout=90)
    check("multiboot2 (GRUB ISO): loader, modules, self-tests", r,
          expect=[r"^Boot loader: GRUB .*\(multiboot2\)", r"^Command line: selftest$",
                  r"module 0: name 'modname' at 0x[0-9a-f]+ size 4096 cmdline 'k=v'",
                  r"Memory map from the boot loader", r"selftest: [1-9]\d* passed, 0 failed"],
          status=EXIT_OK)


FAULTS = {
    "ud": (6, r"#UD invalid opcode"),
    "pf": (14, r"#PF page fault"),
    "gp": (13, r"#GP general protection"),
    "de": (0, r"#DE divide error"),
    "df": (8, r"#DF double fault"),
}


def case_fatal_exceptions():
    for kind, (vec, name) in FAULTS.items():
        r = qh.boot(kernel=PVX, append=f"selftest-fault={kind}", timeout=60)
        expect = [rf"\*\*\* pvx: fatal exception {vec} \({name}\), error code 0x[0-9a-f]+|"
                  rf"\*\*\* pvx: fatal exception {vec} \({name}\), error code 0",
                  r"RIP: e008:ffff81[0-9a-f]{10}", r"RAX: [0-9a-f]{16} RBX:",
                  r"R15: [0-9a-f]{16}", r"CR0: [0-9a-f]{16} CR2: [0-9a-f]{16}",
                  r"Backtrace:", r"\[<ffff81[0-9a-f]{10}>\] arch_selftest_fault\+0x[0-9a-f]+",
                  r"start_pvx\+0x", r"\*\*\* pvx: halting"]
        if kind == "pf":
            expect.append(r"Page fault address \(CR2\): 0000000000000008 \(not-present write")
        check(f"fatal exception report: {kind}", r, expect=expect, status=EXIT_PANIC)


def case_bad_command_line():
    r = qh.boot(kernel=PVX, timeout=60,
                append="bogus=1 console=com9 e820-min-region=12Q selftest=maybe "
                       "selftest-fault=waytoolongvalue poweroff")
    check("bad command line: each bad option reported, boot goes on", r,
          expect=[r"cmdline: unknown option 'bogus' ignored",
                  r"cmdline: option 'console': invalid value 'com9'",
                  r"cmdline: option 'e820-min-region': invalid value '12Q' \(expected a size",
                  r"cmdline: option 'selftest': invalid value 'maybe' \(expected a boolean",
                  r"cmdline: option 'selftest-fault': invalid value 'waytoolongvalue'",
                  r"Command line: 5 options ignored", r"pvx: boot complete"],
          status=EXIT_OK)


def case_bad_modules():
    empty = module_file("empty.bin", b"")
    good = module_file("good.bin", b"g" * 100)
    r = qh.boot(kernel=PVX, append="poweroff", modules=[f"{empty} e", f"{good} g"], timeout=60)
    check("bad module: an empty module is reported and skipped", r,
          expect=[r"module 0 \('\S*empty\.bin e'\) ignored: it is empty", r"Boot modules: 1",
                  r"module 0: name '\S*good\.bin' .* size 100 cmdline 'g'"],
          status=EXIT_OK)


def case_too_little_memory():
    r = qh.boot(kernel=PVX, append="poweroff", memory="12M", timeout=60)
    check("too little RAM: a clear panic, not a hang", r,
          expect=[r"PANIC: only \d+ KiB of usable RAM; pvx needs at least 16 MiB"],
          status=EXIT_PANIC)


def case_console_none():
    r = qh.boot(kernel=PVX, append="console=none poweroff", timeout=60)
    check("console=none: serial output stops after the command line", r,
          expect=[r"^pvx \d+\.\d+"], absent=[r"Memory map from the boot loader"],
          status=EXIT_OK)


def case_hardening():
    r = qh.boot(kernel=PVX, append="poweroff", cpu=qh.SMAP_CPU, timeout=60)
    check("hardening: SMEP, SMAP and XPTI on by default (no RDCL_NO)", r,
          expect=[r"^CPU hardening: SMEP on, SMAP on, XPTI on \(Meltdown: affected\)",
                  r"^CPU hardening: L1TF affected; non-present PV entries checked for dom0 no, "
                  r"domU yes", r"^CR4: 0x3[0-9a-f]{5}$"], status=EXIT_OK)
    r = qh.boot(kernel=PVX, append="poweroff smep=0 smap=0 xpti=off pv-l1tf=dom0,domu=0",
                cpu=qh.SMAP_CPU, timeout=60)
    check("hardening: smep=0 smap=0 xpti=off pv-l1tf= turn them off", r,
          expect=[r"^CPU hardening: SMEP off, SMAP off, XPTI off",
                  r"checked for dom0 yes, domU no"], absent=[r"cmdline: "], status=EXIT_OK)


def case_power():
    """Without QEMU's test device, as on a real machine: dom0's power-off
    turns the machine off through ACPI (QEMU exits by itself), and dom0's
    reboot resets it (QEMU starts it again): through the keyboard controller
    on i440fx, whose ACPI 1.0 FADT has no reset register, and through the
    FADT's reset register on q35.  pvx writes to the test device's port only
    where it finds the device."""
    guest = f"{GUEST} only=version"
    r = qh.boot(kernel=PVX, modules=[guest], append="dom0_mem=32M", test_device=False, smp=2,
                accel=smp_accel(), timeout=60)
    check("power: dom0's poweroff turns the machine off through ACPI S5 (2 CPUs)", r,
          expect=[r"^ACPI: power off through PM1a_CNT 0x[0-9a-f]+ \(S5 SLP_TYP \d+\)",
                  r"^SMP: 2 of 2 CPUs online$", r"pvx: shutting down with status 0"],
          absent=[r"did not stop", r"isa-debug-exit"])
    checks.check("power: QEMU exited by itself, status 0", not r.timed_out and r.returncode == 0, r,
                 f"QEMU status {r.returncode}, timed out {r.timed_out}", tail=10)

    banners, online = [], []

    def second_boot(line, _seconds):
        if BANNER.search(line):
            banners.append(line)
        if re.search(r"^SMP: 2 of 2 CPUs online$", line):
            online.append(line)
        return len(banners) == 2 and len(online) == 2

    r = qh.boot(kernel=PVX, modules=[f"{guest} reboot"], append="dom0_mem=32M", test_device=False,
                no_reboot=False, on_line=second_boot, smp=2, accel=smp_accel(), timeout=90)
    check("power: dom0's reboot resets the machine (2 CPUs)", r,
          expect=[r"pvx: shutting down with status 3",
                  r"^ACPI: no usable FADT reset register; reset through the keyboard controller"])
    checks.check("power: the machine booted pvx again, with both CPUs",
                 len(banners) == 2 and len(online) == 2, r,
                 f"{len(banners)} banner(s), {len(online)} boot(s) with 2 CPUs online", tail=10)
    # q35's FADT (ACPI 2.0+) has a reset register: pvx resets through it.
    banners.clear()

    def q35_second_boot(line, _seconds):
        if BANNER.search(line):
            banners.append(line)
        return len(banners) == 2

    r = qh.boot(kernel=PVX, modules=[f"{guest} reboot"], append="dom0_mem=32M", test_device=False,
                no_reboot=False, on_line=q35_second_boot, extra=("-machine", "q35"), timeout=90)
    check("power: on q35, dom0's reboot resets through the FADT's reset register", r,
          expect=[r"^ACPI: reset through the FADT's reset register \(I/O 0xcf9, value 0xf\)",
                  r"pvx: shutting down with status 3"])
    checks.check("power: the q35 machine booted pvx again", len(banners) == 2, r,
                 f"{len(banners)} banner(s)", tail=10)


smp_accel = qh.smp_accel


def case_smp():
    """Secondary CPUs: found in the ACPI MADT (or the MP table), started,
    each reporting the APIC id it reads itself; maxcpus= limits them."""
    for n in (1, 2, 4):
        r = qh.boot(kernel=PVX, append="poweroff", smp=n, accel=smp_accel(), timeout=90)
        up = [rf"^SMP: CPU{i} up \(APIC id {i}\)$" for i in range(1, n)]
        check(f"smp: {n} CPU(s) listed in the MADT, all online", r,
              expect=[rf"^SMP: {n} CPUs? listed in the ACPI MADT",
                      rf"^SMP: {n} of {n} CPUs? online$",
                      r"^QEMU's isa-debug-exit at 0xf4: shutdown ends the emulator"] + up,
              absent=[r"did not start", r"not the firmware's", rf"CPU{n} up"], status=EXIT_OK)
    r = qh.boot(kernel=PVX, append="poweroff", smp=4, cpu=qh.SMAP_CPU, accel=smp_accel(),
                timeout=90)
    check("smp: 4 CPUs with SMEP, SMAP and XPTI on", r,
          expect=[r"XPTI on", r"^SMP: CPU3 up \(APIC id 3\)$", r"^SMP: 4 of 4 CPUs online$"],
          status=EXIT_OK)
    for limit in (1, 2):
        r = qh.boot(kernel=PVX, append=f"poweroff maxcpus={limit}", smp=4, accel=smp_accel(),
                    timeout=90)
        check(f"smp: maxcpus={limit} of 4", r,
              expect=[rf"using at most {limit} \(maxcpus=\)", rf"^SMP: {limit} of 4 CPUs online$"],
              absent=[rf"^SMP: CPU{limit} up"], status=EXIT_OK)
    # Without ACPI: SeaBIOS's MP table lists one processor per socket.
    r = qh.boot(kernel=PVX, append="poweroff", smp="3,sockets=3,cores=1,threads=1",
                accel=smp_accel(), extra=["-machine", "pc,acpi=off"], timeout=90)
    check("smp: no ACPI, 3 CPUs from the MP table", r,
          expect=[r"^SMP: 3 CPUs listed in the MP table", r"^SMP: CPU2 up \(APIC id 2\)$",
                  r"^SMP: 3 of 3 CPUs online$"], status=EXIT_OK)
    # Cross-CPU calls and a TLB shootdown, checked by pvx's self-tests.
    r = qh.boot(kernel=PVX, append="selftest", smp=4, accel=smp_accel(), timeout=90)
    check("smp: cross-CPU calls reach every other CPU; a TLB shootdown takes effect", r,
          expect=[r"selftest: PASS every other CPU, and only they, ran the call",
                  r"selftest: PASS TLB shootdown: after it, CPU1 reads the new page",
                  r"selftest: [1-9]\d* passed, 0 failed"],
          absent=[r"selftest: FAIL", r"has not answered"], status=EXIT_OK)
    # A crash on one CPU stops the others, each printing its own state.
    r = qh.boot(kernel=PVX, append="selftest-fault=ud", smp=3, accel=smp_accel(), timeout=90)
    check("smp: a fatal exception stops the other CPUs, each prints its state", r,
          expect=[r"fatal exception 6 .* on CPU 0", r"^\*\*\* CPU1 stopped:$",
                  r"^\*\*\* CPU2 stopped:$", r"\] (start_secondary|arch_cpu_idle)\+0x"],
          absent=[r"did not stop"], status=EXIT_PANIC)
    # The same from a crash on CPU2 (a cross-CPU call faults there): CPU2
    # reports, stops CPU0 (waiting for the call) and CPU1, and ends QEMU.
    r = qh.boot(kernel=PVX, append="selftest-fault=ud@2", smp=3, accel=smp_accel(), timeout=90)
    check("smp: a fatal exception on CPU2 stops CPU0 and CPU1, each prints its state", r,
          expect=[r"^selftest: triggering a deliberate 'ud' fault on CPU 2$",
                  r"fatal exception 6 .* on CPU 2$", r"\] raise_fault\+0x",
                  r"^\*\*\* CPU0 stopped:$", r"\] arch_selftest_fault\+0x",
                  r"^\*\*\* CPU1 stopped:$", r"\] (start_secondary|arch_cpu_idle)\+0x"],
          absent=[r"did not stop", r"CPU2 stopped", r"did not take the machine down",
                  r"status [01]$"], status=EXIT_PANIC)
    # A CPU that never checks in (selftest-ap-stall= stalls APIC id 2 before
    # it does): reported, put back into INIT and left out; its index goes to
    # the next CPU, and cross-CPU calls, the shootdown and the stop NMIs at
    # power-off neither reach nor wait for it.
    r = qh.boot(kernel=PVX, append="selftest selftest-ap-stall=2", smp=4, accel=smp_accel(),
                timeout=90)
    check("smp: a CPU that does not start is reported and left out; the others work", r,
          expect=[r"^SMP: CPU1 up \(APIC id 1\)$",
                  r"^SMP: CPU with APIC id 2 did not start; left out$",
                  r"^SMP: CPU2 up \(APIC id 3\)$", r"^SMP: 3 of 4 CPUs online$",
                  r"selftest: PASS every other CPU, and only they, ran the call",
                  r"selftest: PASS TLB shootdown: after it, CPU1 reads the new page",
                  r"selftest: [1-9]\d* passed, 0 failed", r"^pvx: shutting down with status 0$"],
          absent=[r"selftest: FAIL", r"has not answered", r"did not stop", r"CPU3 up"],
          status=EXIT_OK)
    # ... nor does the scheduler give it vCPUs (here the last CPU, whose
    # index no other CPU takes): the test guest's two vCPUs run at once on
    # the two CPUs that did start, and dom0 runs to its end.  Only these
    # checks: the group's 1 s probe waits can miss on an overloaded host,
    # with or without a stalled CPU.
    r = qh.boot(kernel=PVX, modules=[f"{GUEST} suite only=smp pcpus=2"],
                append="dom0_mem=32M dom0_max_vcpus=2 selftest-ap-stall=2", smp=3,
                accel=smp_accel(), timeout=180)
    check("smp: vCPUs run only on the CPUs that started", r,
          expect=[r"^SMP: CPU1 up \(APIC id 1\)$",
                  r"^SMP: CPU with APIC id 2 did not start; left out$",
                  r"^SMP: 2 of 3 CPUs online$", r"^sched: vCPUs run on 2 CPUs$",
                  r"PASS smp\.parallel_up", r"PASS smp\.parallel_both_running_on_two_cpus",
                  r"PASS smp\.parallel_runstate_vcpu1_running",
                  r"^pvx: shutting down with status [01]$"],
          absent=[r"has not answered", r"did not stop"])
    # The test guest's two vCPUs on the two CPUs at once (pcpus=2): pvx reports
    # vCPU 1 running on the other CPU while vCPU 0 asks, and a TLB shootdown
    # reaches it there.
    r = qh.boot(kernel=PVX, modules=[f"{GUEST} suite only=boot+smp+events pcpus=2"],
                append="dom0_mem=32M dom0_max_vcpus=2", smp=2, accel=smp_accel(), timeout=180)
    check("smp: the test guest's boot, smp and events groups pass, its vCPUs in parallel", r,
          expect=[r"^SMP: 2 of 2 CPUs online$", r"^sched: vCPUs run on 2 CPUs$",
                  r"PASS smp\.parallel_both_running_on_two_cpus",
                  r"PASS smp\.parallel_runstate_vcpu1_running",
                  r"PASS smp\.tlb_vcpu1_sees_new_page", r"[1-9]\d* passed, 0 failed"],
          absent=[r"FAIL "], status=EXIT_OK)
    # sched-smp=0 keeps every vCPU on the boot CPU: the same check fails.
    r = qh.boot(kernel=PVX, modules=[f"{GUEST} suite only=smp pcpus=2"],
                append="dom0_mem=32M dom0_max_vcpus=2 sched-smp=0", smp=2, accel=smp_accel(),
                timeout=180)
    check("smp: sched-smp=0 runs vCPUs on the boot CPU only (the parallel check fails)", r,
          expect=[r"^sched: vCPUs run on 1 CPU \(sched-smp=0",
                  r"FAIL smp\.parallel_both_running_on_two_cpus"],
          status=EXIT_FAIL)


CASES = {
    "multiboot1": case_multiboot1,
    "multiboot2": case_multiboot2_grub,
    "faults": case_fatal_exceptions,
    "cmdline": case_bad_command_line,
    "modules": case_bad_modules,
    "memory": case_too_little_memory,
    "console": case_console_none,
    "hardening": case_hardening,
    "power": case_power,
    "smp": case_smp,
}


def main():
    return checks.run_cases(CASES, [PVX, GUEST], sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
