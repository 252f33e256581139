"""IREE devices: one per driver for the whole process, CPU worker threads, and driver choice.

Device creation is costly and the `local-task` driver reads its topology flags once, when the
driver is first created; so every device janus uses comes from `device(driver)`, which sets
`--task_topology_max_group_count` to the CPUs this process may really use (affinity mask and
cgroup quota; IREE's own detection counts the host's cores and ignores a container's quota).

CPU driver choice, measured on this 2-core machine (IREE 3.13, DeviceArray inputs, result copied
to the host, 200-600 calls alternating between the drivers; median [best] microseconds per call):

    workload                          local-sync      local-task (2 workers)
    4-element add                       17 [15]          36 [23]
    matmul 64^3     (0.5 MFLOP)         28 [26]          58 [41]
    matmul 128^3    (4.2 MFLOP)         73 [57]          95 [68]
    matmul 192^3    (14 MFLOP)         156 [151]        129 [110]
    matmul 256^3    (34 MFLOP)         408 [341]        314 [222]
    exp*mul, 2^16 elements              52 [44]          70 [52]
    exp*mul, 2^18 elements             133 [113]        121 [98]
    exp*mul, 2^20 elements             774 [548]        501 [310]
    MLP 128x784-512-512-10 (171 MFLOP)  ~2.5 ms          ~1.7 ms (median), 1.2 ms (best)

`local-task` costs ~20-35 us more per call (waking workers, a cross-thread wait, which the
caller does under SCHED_BATCH: runtime/waiting.py) and wins once a
call computes for more than ~100-200 us on one thread on a quiet machine; on a loaded one the
workers wait for a core (bench's 20-op elementwise chain on 64x256: 66 [62] us on local-sync
against 401 [117] on local-task, median [best]; argmax of 1000x1000 float32: ~190 us on both
at the best, 340-380 us on local-task at the median). `choose_cpu_driver` therefore applies a
threshold of TASK_THRESHOLD_S = 300 us to the estimate from `ir_checks` (`IRFacts.seconds`).
With one usable CPU it always picks `local-sync` (one local-task worker was ~2x slower than
local-sync at the median on this machine: the hand-off between the caller and the lone worker).
`JANUS_MLIR_CPU_DRIVER` overrides the choice, e.g. `local-sync` on a host so oversubscribed that
two threads rarely run at once.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import iree.runtime as rt

from .. import config

TASK_THRESHOLD_S = 300e-6
CPU_DRIVERS = ("local-sync", "local-task")

_LOCK = threading.RLock()
_CONFIGS: dict[str, rt.Config] = {}
_AVAILABLE: dict[str, bool] = {}
_FLAGS_SET = False
_THREADS = 0


def usable_cpus() -> int:
    """CPUs this process may run on: the affinity mask, capped by a cgroup v2/v1 CPU quota."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        count = min(count, max(1, int(quota + 0.5)))
    return max(1, count)


def _cgroup_quota() -> float | None:
    try:
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        if quota > 0 and period > 0:
            return quota / period
    except (OSError, ValueError):
        pass
    return None


def task_threads() -> int:
    """Worker threads of the local-task driver (fixed once the first device exists)."""
    with _LOCK:
        if _FLAGS_SET:
            return _THREADS
        return config.current().task_threads or usable_cpus()


def _set_runtime_flags() -> None:
    global _FLAGS_SET, _THREADS
    if _FLAGS_SET:
        return
    _THREADS = task_threads()
    rt.flags.parse_flags(f"--task_topology_max_group_count={_THREADS}")
    _FLAGS_SET = True


def runtime_config(driver: str) -> rt.Config:
    """The process-wide VM instance + HAL device for `driver` (created on first use)."""
    with _LOCK:
        cfg = _CONFIGS.get(driver)
        if cfg is None:
            _set_runtime_flags()
            cfg = _CONFIGS[driver] = rt.Config(device=rt.get_device(driver))
        return cfg


def device(driver: str) -> rt.HalDevice:
    return runtime_config(driver).device


def device_available(name: str) -> bool:
    """Whether a device for `name` (a target name such as "cuda", or a driver name) can be created.

    Never raises: a missing driver library, an empty device list or a failed creation all give
    False. The answer is cached for the process.
    """
    from .targets import TARGETS  # targets imports nothing from here; keep it that way

    driver = TARGETS[name].driver if name in TARGETS else name
    with _LOCK:
        if driver not in _AVAILABLE:
            _AVAILABLE[driver] = _probe(driver)
        return _AVAILABLE[driver]


def _probe(driver: str) -> bool:
    try:
        if driver not in rt.query_available_drivers():
            return False
        if not rt.get_driver(driver).query_available_devices():
            return False
        runtime_config(driver)
        return True
    except Exception:  # noqa: BLE001 -- driver library missing, no device, creation failure: all "not available"
        return False


def choose_cpu_driver(seconds: float | None, host_calls: bool = False) -> str:
    """local-sync or local-task for a CPU module whose call computes ~`seconds` on one thread;
    local-sync for one that calls back into the host (runtime/host_calls.py)."""
    forced = config.current().cpu_driver
    if forced != "auto":
        return forced
    if task_threads() < 2 or host_calls:
        return "local-sync"
    if seconds is None:  # unknown work: the threaded driver never loses much on big graphs
        return "local-task"
    return "local-task" if seconds >= TASK_THRESHOLD_S else "local-sync"
