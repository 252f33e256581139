"""Mutable state (issue "Mutable state and impure code"): the W1 MLP's parameters held in
object attributes, updated in place by a compiled step, and the forward pass reading them from
a model object — compiled vs plain NumPy, microseconds per call (median and best of `--reps`
interleaved repetitions).

    PYTHONPATH=. .venv/bin/python bench/state.py [--reps N]

Rows:
- update: `self.w -= lr * g` for every parameter of the 784-512-512-10 MLP, g given, three ways:
  plain NumPy; "resident": the graph writes each parameter array's own memory (runtime/state.py:
  on the CPU drivers the array is the device buffer, nothing is copied in or out); "copying":
  the same graph compiled with JANUS_MLIR_IN_PLACE=0, whose results are copied back into the
  parameter arrays after each call (the write plan).
- forward: the W1 forward pass, batch 128, its parameters read from the model's attributes, two
  ways: as janus compiles it (its three matmuls call NumPy's BLAS from inside the module,
  passes/host_matmuls.py), and with JANUS_MLIR_HOST_BLAS=0 (IREE's own matmul kernels).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench import workloads as w  # noqa: E402

NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


class Model:
    def __init__(self, params: list[np.ndarray]):
        for name, p in zip(NAMES, params):
            setattr(self, name, p.copy())

    def forward(self, x):
        h = np.maximum(x @ self.W1 + self.b1, 0.0)
        h = np.maximum(h @ self.W2 + self.b2, 0.0)
        return h @ self.W3 + self.b3


def update(m, g1, g2, g3, g4, g5, g6, lr):
    m.W1 -= lr * g1
    m.b1 -= lr * g2
    m.W2 -= lr * g3
    m.b2 -= lr * g4
    m.W3 -= lr * g5
    m.b3 -= lr * g6


def forward(m, x):
    return m.forward(x)


def _timed(fns: dict[str, object], number: int, reps: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            w.quiet()  # the thread pools of the variant before stop spinning
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - start) / number * 1e6)
    return times


def run(reps: int) -> list[tuple[str, dict[str, list[float]], int]]:
    rng = np.random.default_rng(0)
    params = w.mlp_params(rng)
    grads = [rng.standard_normal(p.shape).astype(np.float32) * 1e-3 for p in params]
    x = rng.random((128, 784), dtype=np.float32)
    rows = []
    plain_m, jit_m, copy_m = Model(params), Model(params), Model(params)
    jit_update = jm.compile(update)
    copy_update = jm.compile(update)
    for _ in range(3):
        jit_update(jit_m, *grads, 0.01)
        os.environ["JANUS_MLIR_IN_PLACE"] = "0"  # read when the graph is built
        try:
            copy_update(copy_m, *grads, 0.01)
        finally:
            del os.environ["JANUS_MLIR_IN_PLACE"]
        update(plain_m, *grads, 0.01)
    assert jit_update.graphs[0].tied and not copy_update.graphs[0].tied
    for name in NAMES:  # the compiled updates leave the same parameters
        np.testing.assert_allclose(getattr(jit_m, name), getattr(plain_m, name), rtol=1e-5)
        np.testing.assert_allclose(getattr(copy_m, name), getattr(plain_m, name), rtol=1e-5)
    times = _timed({"numpy": lambda: update(plain_m, *grads, 0.01),
                    "janus": lambda: jit_update(jit_m, *grads, 0.01),
                    "copying": lambda: copy_update(copy_m, *grads, 0.01)}, 20, reps)
    rows.append(("update, resident (W1 params)", {k: times[k] for k in ("numpy", "janus")},
                 jit_update.stats.graph_calls))
    rows.append(("update, copying every call", {"numpy": times["numpy"],
                                                 "janus": times["copying"]},
                 copy_update.stats.graph_calls))
    jit_forward, iree_forward = jm.compile(forward), jm.compile(forward)
    for _ in range(3):
        np.testing.assert_array_equal(jit_forward(jit_m, x), forward(jit_m, x))  # NumPy's BLAS
        os.environ["JANUS_MLIR_HOST_BLAS"] = "0"  # read when the graph is built
        try:
            np.testing.assert_allclose(iree_forward(jit_m, x), forward(jit_m, x), rtol=1e-4,
                                       atol=1e-4)
        finally:
            del os.environ["JANUS_MLIR_HOST_BLAS"]
    assert jit_forward.graphs[0].executable.compiled.facts.host_calls
    assert not iree_forward.graphs[0].executable.compiled.facts.host_calls
    times = _timed({"numpy": lambda: forward(plain_m, x),
                    "janus": lambda: jit_forward(jit_m, x),
                    "iree": lambda: iree_forward(jit_m, x)}, 20, reps)
    rows.append(("forward: model.forward(x), batch 128", {k: times[k] for k in ("numpy", "janus")},
                 jit_forward.stats.graph_calls))
    rows.append(("forward, IREE's matmul kernels", {"numpy": times["numpy"],
                                                   "janus": times["iree"]},
                 iree_forward.stats.graph_calls))
    return rows


def print_table(rows: list[tuple[str, dict[str, list[float]], int]], reps: int) -> None:
    print(f"mutable state, W1 sizes (us per call; median / best of {reps} interleaved reps)")
    print(f"{'workload':40} {'numpy':>16} {'janus':>16} {'speed-up':>9} {'best':>6} graph calls")
    for name, t, graph_calls in rows:
        med = {k: statistics.median(v) for k, v in t.items()}
        best = {k: min(v) for k, v in t.items()}
        print(f"{name:40} {med['numpy']:8.0f}/{best['numpy']:<7.0f} "
              f"{med['janus']:8.0f}/{best['janus']:<7.0f} {med['numpy'] / med['janus']:8.2f}x "
              f"{best['numpy'] / best['janus']:5.2f}x {graph_calls}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=15)
    opts = ap.parse_args()
    os.environ.setdefault("JANUS_MLIR_CACHE_DIR", tempfile.mkdtemp(prefix="janus-bench-"))
    os.environ.setdefault("JANUS_MLIR_SPEED_CHECK", "0")
    print_table(run(opts.reps), opts.reps)


if __name__ == "__main__":
    main()
