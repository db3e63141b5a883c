// SPDX-License-Identifier: GPL-2.0-only
/*
 * A seeded random-hypercall fuzz.  Each call draws a hypercall number and
 * arguments from several classes: small integers, random 64-bit values,
 * pointers into the hypervisor's range, non-canonical or unmapped
 * addresses, and a scratch buffer full of random bytes.  Calls that could
 * legitimately wreck the guest itself (shutdown, block, iret, trap table,
 * callbacks, debug registers, vCPU state, privileged platform calls) only
 * ever get unusable pointers.  Half the event channel calls are steered to
 * the FIFO operations with arguments that can succeed (our own frames as
 * control block and event array), so the fuzzing domain may switch to
 * FIFO part-way and go on with its words full of random bytes: the
 * upcall's 2-level scan then finds nothing, which is harmless.
 * Afterwards the guest must still run and the hypervisor must still answer.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/grant_table.h>
#include <public/event_channel.h>
#include <public/sched.h>

static u8 fuzzbuf[2 * PAGE_SIZE] __page_aligned;
/*
 * The buffer is handed out through an alias in the scratch area with
 * unmapped pages on both sides, so a call that walks on past it (a
 * multicall or batch with a huge count) faults instead of reaching our data.
 */
#define FUZZ_ALIAS (SCRATCH_BASE + 128 * PAGE_SIZE)
static u8 *fuzzptr;

/*
 * How a hypercall may be fuzzed:
 *   SAFE_BUF   any argument, including our scratch buffer of random bytes;
 *   CMD_BAD    a small command number, every other argument an unusable
 *              (non-NULL) pointer;
 *   BAD_ONLY   unusable pointers only;
 *   SKIP       never called (its plain arguments alone can stop or
 *              redirect the guest: set_callbacks, set_debugreg, the old
 *              sched_op with a shutdown reason, iret, console output).
 */
enum { SAFE_BUF, CMD_BAD, BAD_ONLY, SKIP };

static unsigned hc_class(unsigned nr)
{
    switch (nr) {
    case __HYPERVISOR_xen_version:
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op:
    case __HYPERVISOR_update_va_mapping:
    case __HYPERVISOR_update_va_mapping_otherdomain:
    case __HYPERVISOR_update_descriptor:
    case __HYPERVISOR_set_gdt:
    case __HYPERVISOR_multicall:
    case __HYPERVISOR_grant_table_op:
    case __HYPERVISOR_event_channel_op:
    case __HYPERVISOR_vm_assist:
    case __HYPERVISOR_set_timer_op:
    case __HYPERVISOR_fpu_taskswitch:
    case __HYPERVISOR_get_debugreg:
    case __HYPERVISOR_set_segment_base:
    case __HYPERVISOR_stack_switch:
        return SAFE_BUF;
    case __HYPERVISOR_sched_op:
    case __HYPERVISOR_vcpu_op:
    case __HYPERVISOR_callback_op:
    case __HYPERVISOR_memory_op:
    case __HYPERVISOR_physdev_op:
    case __HYPERVISOR_nmi_op:
    case __HYPERVISOR_xenpmu_op:
    case __HYPERVISOR_kexec_op:
    case __HYPERVISOR_hvm_op:
        return CMD_BAD;
    case __HYPERVISOR_set_callbacks:
    case __HYPERVISOR_set_debugreg:
    case __HYPERVISOR_sched_op_compat:
    case __HYPERVISOR_iret:
    case __HYPERVISOR_console_io:
        return SKIP;
    default:
        return BAD_ONLY;
    }
}

static unsigned long bad_pointer(void)
{
    switch (rng_next() % 4) {
    case 0:
        return HV_ADDR_XEN + (rng_next() & 0xffffff8UL);
    case 1:
        return HV_ADDR_M2P + (rng_next() & 0xffff8UL);
    case 2:
        return BAD_NONCANON + (rng_next() & 0xffffffffffUL);
    default:
        return BAD_UNMAPPED + (rng_next() & 0xfff8UL);
    }
}

static unsigned long random_arg(void)
{
    switch (rng_next() % 4) {
    case 0:
        return rng_next() % 64;
    case 1:
        return bad_pointer();
    case 2:
        return (unsigned long)fuzzptr + (rng_next() % PAGE_SIZE);
    default:
        return rng_next();
    }
}

/*
 * Grant table versions with plausible arguments (random commands seldom
 * reach them): switches both ways, status-frame and version queries of
 * random domains into random lists, and copies of random references in
 * whichever layout is in force.  Ends in version 1 for what follows.
 */
static unsigned long fuzz_grant_versions(unsigned long count)
{
    struct gnttab_set_version v1 = {.version = 1};
    unsigned long errors = 0;

    for (unsigned long i = 0; i < count; i++) {
        union {
            struct gnttab_set_version sv;
            struct gnttab_get_version gv;
            struct gnttab_get_status_frames gs;
            struct gnttab_copy c[2];
        } *op = (void *)fuzzptr;
        unsigned cmd, n = 1 + (unsigned)(rng_next() % 2);
        domid_t dom = rng_next() % 2 ? DOMID_SELF : (domid_t)(rng_next() % 4);

        for (size_t j = 0; j < sizeof(fuzzbuf); j += 8)
            *(u64 *)(fuzzbuf + j) = rng_next();
        switch (rng_next() % 4) {
        case 0:
            cmd = GNTTABOP_set_version;
            op->sv.version = (u32)(rng_next() % 4);
            break;
        case 1:
            cmd = GNTTABOP_get_version;
            op->gv.dom = dom;
            break;
        case 2:
            cmd = GNTTABOP_get_status_frames;
            op->gs.nr_frames = (u32)(rng_next() % 12);
            op->gs.dom = dom;
            set_xen_guest_handle(op->gs.frame_list, (u64 *)random_arg());
            break;
        default:
            cmd = GNTTABOP_copy;
            for (unsigned k = 0; k < 2; k++) {
                op->c[k].source.u.ref = (u32)(rng_next() % 1024);
                op->c[k].dest.u.ref = (u32)(rng_next() % 1024);
                op->c[k].source.domid = op->c[k].dest.domid = dom;
                op->c[k].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
            }
            break;
        }
        if (hc_grant_table_op(cmd, op, n) < 0)
            errors++;
    }
    hc_grant_table_op(GNTTABOP_set_version, &v1, 1);
    return errors;
}

/* EVTCHNOP_init_control / expand_array / set_priority with plausible
 * arguments in the scratch buffer: one of its frames, an offset that is
 * often valid, a vCPU or port that may exist.  Returns the argument. */
static unsigned long fifo_arg(unsigned long *cmd)
{
    u8 *arg = fuzzptr + ((rng_next() % (PAGE_SIZE - 32)) & ~7UL);
    u64 frame = va_to_mfn(fuzzbuf + (rng_next() % 2) * PAGE_SIZE);

    *cmd = EVTCHNOP_init_control + rng_next() % 3;
    switch (*cmd) {
    case EVTCHNOP_init_control: {
        struct evtchn_init_control *ic = (void *)arg;

        ic->control_gfn = rng_next() % 4 ? frame : rng_next();
        ic->offset = (u32)(rng_next() % 4 ? (rng_next() % PAGE_SIZE) & ~7UL : rng_next());
        ic->vcpu = (u32)(rng_next() % 3);
        break;
    }
    case EVTCHNOP_expand_array:
        ((struct evtchn_expand_array *)arg)->array_gfn = rng_next() % 4 ? frame : rng_next();
        break;
    default: {
        struct evtchn_set_priority *sp = (void *)arg;

        sp->port = (u32)(rng_next() % 64);
        sp->priority = (u32)(rng_next() % 20);
        break;
    }
    }
    return (unsigned long)arg;
}

void t_fuzz(unsigned long seed, unsigned long count)
{
    unsigned long errors = 0, calls = 0, ok = 0;
    long v0 = hc_xen_version(0, 0);

    if (map_frame(FUZZ_ALIAS, va_to_mfn(fuzzbuf), PTE_KERN_RW) ||
        map_frame(FUZZ_ALIAS + PAGE_SIZE, va_to_mfn(fuzzbuf + PAGE_SIZE), PTE_KERN_RW)) {
        test_fail("setup", "cannot map the fuzz buffer");
        return;
    }
    unmap_va(FUZZ_ALIAS - PAGE_SIZE);
    unmap_va(FUZZ_ALIAS + 2 * PAGE_SIZE);
    fuzzptr = (u8 *)FUZZ_ALIAS;
    rng_seed(seed);
    printk("note: fuzz seed %lu, %lu calls\n", seed, count);
    for (unsigned long i = 0; i < count; i++) {
        unsigned nr = (unsigned)(rng_next() % 64);
        unsigned cls;
        unsigned long a[5];
        long rc;

        cls = hc_class(nr);
        if (cls == SKIP)
            continue;
        for (int j = 0; j < 5; j++)
            a[j] = cls == SAFE_BUF ? random_arg() : bad_pointer();
        if (cls == CMD_BAD)
            a[0] = rng_next() % 16;
        /* Remapping our own pages (the scratch buffer) is allowed, and fatal. */
        if ((nr == __HYPERVISOR_update_va_mapping ||
             nr == __HYPERVISOR_update_va_mapping_otherdomain) &&
            a[0] >= VIRT_BASE)
            a[0] = bad_pointer();
        /* Blocking with no timer armed would never return. */
        if (nr == __HYPERVISOR_sched_op && a[0] == SCHEDOP_block)
            continue;
        for (size_t j = 0; j < sizeof(fuzzbuf); j += 8)
            *(u64 *)(fuzzbuf + j) = rng_next();
        if (nr == __HYPERVISOR_event_channel_op && rng_next() % 2)
            a[1] = fifo_arg(&a[0]);
        rc = hc_syscall(nr, a[0], a[1], a[2], a[3], a[4]);
        calls++;
        if (rc < 0)
            errors++;
        else
            ok++;
        if ((i & 0xffff) == 0xffff)
            printk("note: fuzz progress %lu/%lu calls\n", i + 1, count);
        if ((i & 255) == 0 && hc_xen_version(0, 0) != v0) {
            test_fail("hypervisor_answers", "xen_version changed after %lu calls", i);
            return;
        }
    }
    {
        unsigned long gerr = fuzz_grant_versions(count / 8);

        calls += count / 8;
        errors += gerr;
        ok += count / 8 - gerr;
    }
    hc_fpu_taskswitch(0);
    hc_set_timer_op(0);
    hc_set_trap_table(trap_table);
    hc_stack_switch(FLAT_KERNEL_SS, (u64)boot_stack_top);
    hc_set_segment_base(SEGBASE_FS, 0);
    hc_set_segment_base(SEGBASE_GS_KERNEL, 0);
    printk("note: fuzz made %lu calls: %lu errors, %lu successes\n", calls, errors, ok);
    {
        /* -EOPNOTSUPP only while the domain is still on 2-level. */
        struct evtchn_expand_array ea = {.array_gfn = ~0UL >> 12};

        printk("note: fuzz ended on the %s event channel ABI\n",
               hc_event_channel_op(EVTCHNOP_expand_array, &ea) == -XEN_EOPNOTSUPP ? "2-level"
                                                                                  : "FIFO");
    }
    CHECK("calls_made", calls > count / 2);
    CHECK_EQ("hypervisor_still_answers", hc_xen_version(0, 0), v0);
    CHECK("guest_still_alive", tests_passed > 0);
}
