"""`make bench`: janus_mlir against plain NumPy on the issue's workloads, one table from one run.

Rows: the host path of a cache hit (tiny graphs, where janus's own per-call cost shows), the W1
MLP forward and a 20-op elementwise chain, and sum/mean/max/min/argmax/argmin of a (1000, 1000)
float32 array over every axis, the last axis and the first axis.

Columns (microseconds per call; every row's calls are interleaved round-robin between the
variants, `--reps` repetitions of a fixed number of calls each):
- numpy: the undecorated function.
- janus: the compiled function called like the plain one, with NumPy arguments.
- speed-up: numpy / janus from the medians (>= 1.00x: janus at least as fast); best: the same
  from the fastest repetition of each.
- device: the graph's loaded module called with its argument already on the device (a
  DeviceArray: no input copy, no janus host path); its speed-up vs numpy at the median.
- iree: IREE's own FunctionInvoker called on the same prepared arguments (results stay
  DeviceArrays, never copied to the host): the floor of any call through IREE's Python API;
  overhead = janus - iree at the median (host-path rows).
Compile time (profile + convert + iree-compile on a cold cache, and iree-compile alone) is a
separate table, bench/speculation.py prints the compilations of dynamic programs,
bench/state.py the W1 parameter update and forward on a model object, and
bench/training.py the W1 training step in steps/s. The shared
2-core machines this runs on have bursts of 2-5x slowdown: read the median, and the best column
for what the code does on a quiet machine.

    PYTHONPATH=. .venv/bin/python bench/run.py [--reps N] [--only SUBSTRING] [--matmul]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench import speculation, state, training  # noqa: E402
from bench import workloads as w  # noqa: E402


def interleaved(cases: dict[str, Callable[[], Any]], number: int, reps: int,
                settle: bool = False) -> dict[str, tuple[float, float]]:
    """(median, best) seconds per call of each case; one repetition of every case in turn,
    with `settle` each once the worker threads of the case before (OpenBLAS's or IREE's
    local-task pool) have stopped spinning on the two cores (workloads.quiet)."""
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(reps):
        for name, fn in cases.items():
            if settle:
                w.quiet()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number)
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def calls_per_rep(fn: Callable[[], Any], budget_s: float = 0.01) -> int:
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, min(5000, int(budget_s / once)))


def measure(group: str, name: str, fn: Callable, args: list[Any], reps: int) -> dict:
    compiled = jm.compile(fn)
    start = time.perf_counter()
    compiled(*args)  # profile, convert, compile
    first_s = time.perf_counter() - start
    want, got = fn(*args), compiled(*args)
    assert np.allclose(got, want, rtol=1e-4, atol=1e-5), f"{name}: compiled result differs"
    assert compiled.stats.compilations == 1 and compiled.stats.fallbacks == 0, compiled.reasons
    graph = compiled.graphs[0]
    module = graph.executable.module
    prepared = module.prepare([inp.source.get(graph.frame(dict(zip(
        fn.__code__.co_varnames, args)))) for inp in graph.spec.inputs])
    on_device = [module.to_device(a) if isinstance(a, np.ndarray) else a for a in prepared]
    cases = {
        "numpy": lambda: fn(*args),
        "janus": lambda: compiled(*args),
        "device": lambda: module.call_prepared(on_device),
        "iree": lambda: module.invoke_raw(prepared),
    }
    number = calls_per_rep(lambda: fn(*args))
    number = min(number, calls_per_rep(lambda: compiled(*args)))
    t = interleaved(cases, number, reps, settle=module.driver == "local-task")
    return {"group": group, "name": name, "t": t, "first_s": first_s,
            "iree_s": graph.compile_seconds, "driver": module.driver,
            "skip": graph._skip}


def rows(reps: int, only: str) -> list[dict]:
    rng = np.random.default_rng(0)
    x4 = rng.random(4, dtype=np.float32)
    small = [rng.random(2, dtype=np.float32) for _ in range(10)]
    x = rng.random((128, 784), dtype=np.float32)
    params = w.mlp_params(rng)
    chain = [rng.standard_normal((64, 256), dtype=np.float32) for _ in range(2)]
    big = rng.random((1000, 1000), dtype=np.float32)
    mis = w.misaligned_copy(big)
    specs: list[tuple[str, str, Callable, list[Any]]] = [
        ("host", "x + 1.0, (4,) f32", w.add_one, [x4]),
        ("host", "return a0, 1 array arg", w.identity, [x4]),
        ("host", "a0 + ... + a9, (2,) f32", w.add_ten, small),
        ("model", "W1 MLP forward b=128", w.mlp_forward, [x, *params]),
        ("model", "W1 MLP forward, 64B-aligned", w.mlp_forward,
         [w.aligned_copy(a) for a in (x, *params)]),
        ("model", "20-op chain (64x256)", w.elementwise_chain, chain),
    ]
    q, k = (rng.standard_normal((8, 8, 128, 64), dtype=np.float32) for _ in range(2))
    ids = rng.integers(0, 1000, 4096)
    grads = rng.standard_normal((4096, 128), dtype=np.float32)
    specs += [("numpy", "einsum bhqd,bhkd->bhqk 8x8x128x64", w.attention_scores, [q, k]),
              ("numpy", "np.add.at 4096 ids into 1000x128", w.embedding_grad, [ids, grads])]
    for fn in w.REDUCTIONS:
        specs.append(("reduce", f"{fn.__name__} 1000^2, 16B-aligned", fn, [mis]))
    specs.append(("reduce", "sum_all 1000^2, 64B-aligned", w.sum_all, [w.aligned_copy(big)]))
    out = []
    for group, name, fn, args in specs:
        if only and only not in name:
            continue
        out.append(measure(group, name, fn, args, reps))
        print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    return out


def print_tables(results: list[dict], reps: int) -> None:
    print(f"microseconds per call; median of {reps} interleaved repetitions "
          "('best': the fastest repetition); speed-up = numpy / janus")
    head = (f"{'workload':34} {'numpy':>9} {'janus':>9} {'speed-up':>8} {'best':>6} "
            f"{'device':>9} {'dev x':>6} {'iree':>8} {'overhead':>8}  driver")
    print(head)
    print("-" * len(head))
    group = None
    for r in results:
        if group is not None and r["group"] != group:
            print()
        group = r["group"]
        t = r["t"]
        us = {k: v[0] * 1e6 for k, v in t.items()}
        best = t["numpy"][1] / t["janus"][1]
        iree = "-" if r["skip"] else f"{us['iree']:8.1f}"
        over = f"{us['janus'] - us['iree']:8.1f}" if group == "host" and not r["skip"] else "-"
        print(f"{r['name']:34} {us['numpy']:9.1f} {us['janus']:9.1f} "
              f"{us['numpy'] / us['janus']:7.2f}x {best:5.2f}x {us['device']:9.1f} "
              f"{us['numpy'] / us['device']:5.2f}x {iree:>8} {over:>8}  {r['driver']}")
    print()
    print(f"{'compile time':34} {'1st call s':>10} {'iree-compile s':>15}")
    for r in results:
        print(f"{r['name']:34} {r['first_s']:10.2f} {r['iree_s']:15.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=15, help="interleaved repetitions per row")
    ap.add_argument("--only", default="", help="rows whose name contains this text")
    ap.add_argument("--matmul", action="store_true",
                    help="also run bench/matmul_gflops.py (iree-compile flag sets; minutes)")
    opts = ap.parse_args()
    os.environ.setdefault("JANUS_MLIR_CACHE_DIR", tempfile.mkdtemp(prefix="janus-bench-"))
    # The rows measure the graphs themselves: no call sent to plain Python by the speed check
    # (bench/speculation.py measures both ways).
    os.environ.setdefault("JANUS_MLIR_SPEED_CHECK", "0")
    start = time.perf_counter()
    print_tables(rows(opts.reps, opts.only), opts.reps)
    if not opts.only or opts.only == "speculation":
        print()
        speculation.print_table(speculation.run(5), 5)
    if not opts.only or opts.only == "state":
        print()
        state.print_table(state.run(opts.reps), opts.reps)
    if not opts.only or opts.only == "training":
        print()
        print(training.report(training.measure(opts.reps)))
        print()
        print(training.report_overhead(training.eager_overhead(opts.reps)))
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    if opts.matmul:
        import runpy

        print()
        sys.argv = [sys.argv[0]]
        runpy.run_path(str(Path(__file__).with_name("matmul_gflops.py")), run_name="__main__")


if __name__ == "__main__":
    main()
