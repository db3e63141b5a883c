// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcpu_op: is_up, runstate (get and registered area), register_vcpu_info
 * (moving vcpu_info out of shared_info), time memory area, and refusals.
 * The timer sub-ops are checked in t_time.c.
 */
#include "guest.h"
#include "test.h"
#include <public/vcpu.h>

static u8 vcpu_info_page[PAGE_SIZE] __page_aligned;

void t_vcpu(void)
{
    struct vcpu_runstate_info ri;
    static struct vcpu_runstate_info area;
    struct vcpu_register_runstate_memory_area ra;
    struct vcpu_register_vcpu_info vi;
    struct vcpu_register_time_memory_area ta;
    static struct vcpu_time_info tarea;
    struct vcpu_info *nv;

    CHECK_RC("is_up_0", hc_vcpu_op(VCPUOP_is_up, 0, 0), 1);
    /* The vCPU the domain lacks: 1 on a one-vCPU domain. */
    CHECK_RC("is_up_1_no_vcpu", hc_vcpu_op(VCPUOP_is_up, smp_absent_vcpu(), 0), -XEN_ENOENT);
    CHECK_RC("is_up_huge", hc_vcpu_op(VCPUOP_is_up, 100000, 0), -XEN_ENOENT);

    memset(&ri, 0xff, sizeof(ri));
    CHECK_RC("get_runstate_info", hc_vcpu_op(VCPUOP_get_runstate_info, 0, &ri), 0);
    CHECK_EQ("runstate_running", ri.state, RUNSTATE_running);
    CHECK("runstate_time_running", ri.time[RUNSTATE_running] > 0);
    CHECK_RC("get_runstate_bad_ptr", hc_vcpu_op(VCPUOP_get_runstate_info, 0, HV_ADDR_XEN),
             -XEN_EFAULT);

    memset(&area, 0xff, sizeof(area));
    ra.addr.v = &area;
    CHECK_RC("register_runstate_area", hc_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra), 0);
    CHECK_EQ("runstate_area_written", area.state, RUNSTATE_running);
    {
        u64 before = area.state_entry_time;
        hc_sched_op(0, 0); /* yield: a reschedule updates the area */
        CHECK("runstate_area_updated", area.state_entry_time >= before);
    }
    ra.addr.p = 0;
    CHECK_RC("unregister_runstate_area", hc_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &ra),
             0);

    memset(&ta, 0, sizeof(ta));
    ta.addr.v = &tarea;
    CHECK_RC("register_time_area", hc_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &ta), 0);
    CHECK("time_area_written", tarea.tsc_to_system_mul != 0);
    ta.addr.p = 0;
    hc_vcpu_op(VCPUOP_register_vcpu_time_memory_area, 0, &ta);

    /* register_vcpu_info: bad arguments first, then the real move. */
    memset(&vi, 0, sizeof(vi));
    vi.mfn = va_to_mfn(vcpu_info_page);
    vi.offset = PAGE_SIZE - 32;
    CHECK_RC("vcpu_info_crosses_page", hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -XEN_ENXIO);
    vi.offset = 68;
    CHECK_RC("vcpu_info_misaligned", hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -XEN_ENXIO);
    vi.offset = 0;
    vi.mfn = 1UL << 33;
    CHECK_RC("vcpu_info_not_ram", hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), -XEN_EINVAL);
    vi.mfn = va_to_mfn(vcpu_info_page);
    vi.offset = 128;
    events_disable();
    CHECK_RC("register_vcpu_info", hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi), 0);
    nv = (struct vcpu_info *)(vcpu_info_page + 128);
    CHECK_EQ("vcpu_info_copied_mask", nv->evtchn_upcall_mask, 1);
    CHECK("vcpu_info_copied_time", nv->time.tsc_to_system_mul != 0);
    CHECK_EQ("vcpu_info_pending_after_move", nv->evtchn_upcall_pending, 1);
    vcpu = nv;
    events_enable();
    CHECK_EQ("events_work_after_move", vcpu->evtchn_upcall_pending, 0);
    CHECK_RC("register_vcpu_info_twice", hc_vcpu_op(VCPUOP_register_vcpu_info, 0, &vi),
             -XEN_EINVAL);
    CHECK_RC("register_vcpu_info_no_vcpu",
             hc_vcpu_op(VCPUOP_register_vcpu_info, smp_absent_vcpu(), &vi), -XEN_ENOENT);

    CHECK_RC("unknown_cmd", hc_vcpu_op(99, 0, 0), -XEN_ENOSYS);
    CHECK_RC("initialise_bad_ptr", hc_vcpu_op(VCPUOP_initialise, 0, HV_ADDR_XEN), -XEN_EFAULT);
}
