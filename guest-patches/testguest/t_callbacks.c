// SPDX-License-Identifier: GPL-2.0-only
/* set_callbacks and callback_op: registration of each type, and refusals. */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/callback.h>
#include <public/vcpu.h>

static long reg(unsigned type, unsigned flags, unsigned long addr)
{
    struct callback_register cb;

    memset(&cb, 0, sizeof(cb));
    cb.type = (u16)type;
    cb.flags = (u16)flags;
    cb.address = addr;
    return hc_callback_op(CALLBACKOP_register, &cb);
}

static long unreg(unsigned type)
{
    struct callback_unregister cb = {.type = (u16)type};

    return hc_callback_op(CALLBACKOP_unregister, &cb);
}

void t_callbacks(void)
{
    unsigned long ev = (unsigned long)event_callback, fs = (unsigned long)failsafe_callback;

    CHECK_RC("set_callbacks", hc_set_callbacks(ev, fs, 0), 0);
    CHECK_RC("set_callbacks_with_syscall",
             hc_set_callbacks(ev, fs, (unsigned long)syscall_callback), 0);
    CHECK_RC("register_event", reg(CALLBACKTYPE_event, 0, ev), 0);
    CHECK_RC("register_failsafe_masked", reg(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, fs), 0);
    CHECK_RC("register_syscall",
             reg(CALLBACKTYPE_syscall, CALLBACKF_mask_events, (unsigned long)syscall_callback), 0);
    CHECK_RC("register_syscall32", reg(CALLBACKTYPE_syscall32, 0, (unsigned long)syscall_callback),
             0);
    CHECK_RC("register_sysenter", reg(CALLBACKTYPE_sysenter, 0, (unsigned long)syscall_callback),
             0);
    CHECK_RC("register_nmi", reg(CALLBACKTYPE_nmi, 0, (unsigned long)nmi_callback), 0);
    /* An NMI sent to ourselves arrives at the NMI callback. */
    trap_expect(VEC_NMI);
    CHECK_RC("send_nmi_self", hc_vcpu_op(VCPUOP_send_nmi, 0, 0), 0);
    hc_xen_version(0, 0);
    CHECK_EQ("nmi_delivered", last_trap.vector, VEC_NMI);
    trap_expect_clear();
    CHECK_RC("unregister_nmi", unreg(CALLBACKTYPE_nmi), 0);
    CHECK_RC("unregister_event_refused", unreg(CALLBACKTYPE_event), -XEN_EINVAL);
    CHECK_RC("unregister_syscall_refused", unreg(CALLBACKTYPE_syscall), -XEN_EINVAL);
    CHECK_RC("register_unknown_type", reg(99, 0, ev), -XEN_ENOSYS);
    CHECK_RC("register_deprecated_sysenter", reg(CALLBACKTYPE_sysenter_deprecated, 0, ev),
             -XEN_ENOSYS);
    CHECK_RC("register_noncanon", reg(CALLBACKTYPE_event, 0, BAD_NONCANON), -XEN_EINVAL);
    CHECK_RC("unknown_cmd", hc_callback_op(7, 0), -XEN_ENOSYS);
    CHECK_RC("arg_hv_addr", hc_callback_op(CALLBACKOP_register, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("arg_null", hc_callback_op(CALLBACKOP_register, 0), -XEN_EFAULT);
    /* Leave the boot configuration in place. */
    reg(CALLBACKTYPE_event, 0, ev);
    reg(CALLBACKTYPE_failsafe, 0, fs);
}
