"""How the calling thread waits while IREE's local-task workers run a call: under SCHED_BATCH.

IREE 3.13's blocking wait (`iree_async_semaphore_multi_wait`, behind every synchronous call on
local-task) registers a timepoint whose callback runs on the worker that finishes the last
dispatch. The callback posts the waiter's notification (a futex wake) and only then stores its
`completed` flag; the waiter, once awake, spins on that flag (`pause`, never blocking) before it
may return. With as many workers as cores, the woken caller tends to take the core of the very
worker that woke it (a woken fair-class thread preempts the running one), and then spins until
the scheduler hands that worker its core back, a time slice later. Measured on the W1 forward
(2 cores, 2 workers, 300 calls per run, 4 runs): 50-110 calls per run took over 2 ms instead
of ~1.3 ms, each burning 2.4-3.7 ms of the caller's CPU in that spin; mean 2.0-2.5 ms per call.

A SCHED_BATCH thread does not preempt on wakeup: the worker finishes its callback (a few atomic
stores) and blocks, and the caller runs then. Same measurement with the caller under SCHED_BATCH
while it waits: 3-25 such calls per run, none spinning for more than ~0.6 ms; mean 1.44-1.67 ms.
The caller's policy is switched only for the duration of the call and only from SCHED_OTHER (a
thread the program put under another policy keeps it); Linux lets an unprivileged thread switch
between SCHED_OTHER and SCHED_BATCH freely, at ~0.3 us per switch. Where the switch is refused
(another kernel, a seccomp filter), calls wait as IREE waits. No Python code runs on the thread
while it is switched (graphs do not call back into Python); a call back into Python from inside
a graph would have to end the switch around the Python code it runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

_BATCH = getattr(os, "SCHED_BATCH", None)
_OTHER = getattr(os, "SCHED_OTHER", None)
_PARAM = os.sched_param(0) if _BATCH is not None else None
_usable = _BATCH is not None


def begin() -> bool:
    """Put the calling thread under SCHED_BATCH if it runs under SCHED_OTHER; whether it did
    (pass the answer to `end`)."""
    global _usable
    if not _usable:
        return False
    try:
        if os.sched_getscheduler(0) != _OTHER:
            return False
        os.sched_setscheduler(0, _BATCH, _PARAM)
    except OSError:  # refused here: wait as IREE waits from now on
        _usable = False
        return False
    return True


def end(switched: bool) -> None:
    """Give the calling thread back SCHED_OTHER if `begin` took it away."""
    if switched:
        os.sched_setscheduler(0, _OTHER, _PARAM)


def batched(call: Callable[..., Any], *args: Any) -> Any:
    """`call(*args)` with the calling thread under SCHED_BATCH while it runs (see above)."""
    switched = begin()
    try:
        return call(*args)
    finally:
        end(switched)
