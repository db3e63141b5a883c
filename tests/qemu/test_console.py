#!/usr/bin/env python3
"""Serial console input switched between domains on pvx: dom0 and two domUs
run the test guest's `coninput` mode, which reports every line of console
input it receives (dom0 through VIRQ_CONSOLE and CONSOLEIO_read, a domU
through its console ring's event and `in` half).  The test types on QEMU's
serial line, switches with Ctrl-A three times, and checks that each line
reached exactly the domain input was switched to, that a domain that shut
down is skipped, and that fewer than three Ctrl-As pass through as bytes.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

PVX = os.path.join(ROOT, "build", "hypervisor", "pvx")
GUEST = os.path.join(ROOT, "build", "testguest", "testguest")
SWITCH = b"\x01\x01\x01"
checks = qh.Checks()
check = checks.check


def got(output, dom):
    """The lines domain `dom` reported receiving, in order."""
    prefix = "" if dom == 0 else rf"\(d{dom}\) "
    return re.findall(rf"^{prefix}coninput: got '(.*)'$", output, re.M)


def case_switching():
    # Each step waits for its line, then types; see qemu_harness.boot(inputs=).
    steps = [
        (r"^coninput: ready$", b""),
        (r"^\(d1\) coninput: ready$", b""),
        (r"^\(d2\) coninput: ready$", b"zero\r"),
        (r"^coninput: got 'zero'$", SWITCH),
        (r"^\(pvx\) console input: d1 \(web\); press Ctrl-A three times", b"one\r"),
        (r"^\(d1\) coninput: got 'one'$", b"quit\r"),
        (r"^\(pvx\) console input: d0 \(dom0\), d1 is gone", SWITCH),
        (r"^\(pvx\) console input: d2 \(db\);", b"t\x01wo\x01\x01\r"),
        (r"^\(d2\) coninput: got 't\^Awo\^A\^A'$", SWITCH),
        (r"^\(pvx\) console input: d0 \(dom0\);", b"end\r"),
        (r"^coninput: got 'end'$", b"quit\r"),
    ]
    r = qh.boot(kernel=PVX, modules=[f"{GUEST} coninput"], memory="256M", timeout=120,
                append="dom0_mem=32M domU=web,mem=16M,kernel=0 domU=db,mem=16M,kernel=0",
                inputs=steps)
    check("pvx says where input goes at boot",
          bool(r.search(r"^\(pvx\) console input: d0 \(dom0\); press Ctrl-A three times to "
                        r"switch$")), r, "no announcement")
    check("every step of the typing script was reached", r.inputs_sent == len(steps), r,
          f"stuck after step {r.inputs_sent} of {len(steps)}: waiting for "
          f"/{steps[min(r.inputs_sent, len(steps) - 1)][0]}/")
    check("dom0 got exactly what was typed while input was its",
          got(r.output, 0) == ["zero", "end", "quit"], r, f"dom0 got {got(r.output, 0)}")
    check("d1 got exactly its lines", got(r.output, 1) == ["one", "quit"], r,
          f"d1 got {got(r.output, 1)}")
    check("d2 got its line, with fewer than three Ctrl-As passed through as bytes",
          got(r.output, 2) == ["t^Awo^A^A"], r, f"d2 got {got(r.output, 2)}")
    check("the switch sequence itself reaches no domain", "^A^A^A" not in r.output, r,
          "a switch sequence was delivered")
    check("d1 shuts down after its quit", bool(r.search(r"domain 1 \(web\): shut down \(poweroff\)")),
          r, "no shutdown")
    order = re.findall(r"^\(pvx\) console input: (d\d+)", r.output, re.M)
    check("input went d0, d1, back to d0 when d1 died, then past dead d1 to d2, and wrapped to d0",
          order == ["d0", "d1", "d0", "d2", "d0"], r, f"order {order}")
    check("dom0 powers off with status 0", r.status == 0, r, f"status {r.status}")


def main():
    return checks.run_cases({"switching": case_switching}, [PVX, GUEST], sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
