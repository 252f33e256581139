"""The W1 training step (workloads.md): 784-512-512-10 MLP, batch 128, forward + backward +
SGD, in steps/s — eager jm.grad, compiled janus_mlir (the step returning new parameters, and
"in place": the parameters held by a model object and updated with `m.W1 -= lr * g`, which the
graph writes into the arrays' own memory, runtime/state.py), and, when they are installed (they
are no dependencies), HIPS autograd and jax.jit on the same plain NumPy loss. Plus the compile
time of the step and the GFLOP/s it reaches.

    PYTHONPATH=. .venv/bin/python bench/training.py [--reps N]

The step is written once, in plain NumPy; each variant differentiates the same `loss`. Steps
are timed interleaved between variants (medians and best of `--reps` repetitions), each block
once the other threads have gone quiet (workloads.quiet): thread pools (XLA's, OpenBLAS's,
IREE's) keep spinning after their work and would otherwise slow the variant timed next.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench.workloads import quiet  # noqa: E402

SIZES = (784, 512, 512, 10)
BATCH = 128
LR = 0.01


def loss(params, x, labels):
    W1, b1, W2, b2, W3, b3 = params
    h = np.maximum(x @ W1 + b1, 0.0)
    h = np.maximum(h @ W2 + b2, 0.0)
    z = h @ W3 + b3
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.take_along_axis(logp, labels[:, None], axis=1))


def sgd_step(params, x, labels):
    value, grads = jm.value_and_grad(loss)(params, x, labels)
    return value, tuple(p - LR * g for p, g in zip(params, grads))


class Model:
    """The same parameters held in a model object's attributes, updated in place."""

    def __init__(self, params):
        self.W1, self.b1, self.W2, self.b2, self.W3, self.b3 = (p.copy() for p in params)


def model_step(m, x, labels):
    params = (m.W1, m.b1, m.W2, m.b2, m.W3, m.b3)
    value, g = jm.value_and_grad(loss)(params, x, labels)
    m.W1 -= LR * g[0]
    m.b1 -= LR * g[1]
    m.W2 -= LR * g[2]
    m.b2 -= LR * g[3]
    m.W3 -= LR * g[4]
    m.b3 -= LR * g[5]
    return value


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params += [(rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(np.float32),
                   np.zeros(n_out, np.float32)]
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], BATCH)
    return tuple(params), x, labels


def flops_per_step() -> float:
    """Multiply-adds of the forward matmuls x2 (flops), times 3 (forward, and the two
    backward matmuls per layer; the first layer's input gradient is not needed but counted)."""
    fwd = sum(2 * BATCH * a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
    return 3.0 * fwd


def _autograd_step():
    try:
        ag = importlib.import_module("autograd")
        anp = importlib.import_module("autograd.numpy")
    except ImportError:
        return None

    def ag_loss(params, x, labels):
        W1, b1, W2, b2, W3, b3 = params
        h = anp.maximum(anp.dot(x, W1) + b1, 0.0)
        h = anp.maximum(anp.dot(h, W2) + b2, 0.0)
        z = anp.dot(h, W3) + b3
        z = z - anp.max(z, axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.mean(logp[anp.arange(BATCH), labels])

    vg = ag.value_and_grad(ag_loss)

    def step(params, x, labels):
        value, grads = vg(list(params), x, labels)
        return value, tuple(p - LR * g for p, g in zip(params, grads))

    return step


def _jax_step():
    try:
        jax = importlib.import_module("jax")
        jnp = importlib.import_module("jax.numpy")
    except ImportError:
        return None

    def j_loss(params, x, labels):
        W1, b1, W2, b2, W3, b3 = params
        h = jnp.maximum(x @ W1 + b1, 0.0)
        h = jnp.maximum(h @ W2 + b2, 0.0)
        z = h @ W3 + b3
        z = z - jnp.max(z, axis=1, keepdims=True)
        logp = z - jnp.log(jnp.sum(jnp.exp(z), axis=1, keepdims=True))
        return -jnp.mean(jnp.take_along_axis(logp, labels[:, None], axis=1))

    @jax.jit
    def step(params, x, labels):
        value, grads = jax.value_and_grad(j_loss)(params, x, labels)
        return value, tuple(p - LR * g for p, g in zip(params, grads))

    def run(params, x, labels):
        value, new = step(params, x, labels)
        value.block_until_ready()
        return value, new

    return run


def measure(reps: int = 7, steps: int = 10) -> dict[str, Any]:
    params, x, labels = make_data()
    compiled = jm.compile(sgd_step)
    t0 = time.perf_counter()
    compiled(params, x, labels)  # the profiling call runs eagerly; the graph is compiled then
    compiled(params, x, labels)
    first = time.perf_counter() - t0
    assert compiled.stats.graph_calls == 1, compiled.reasons
    model, in_place = Model(params), jm.compile(model_step)
    for _ in range(2):
        in_place(model, x, labels)
    assert in_place.stats.graph_calls == 1 and in_place.graphs[0].tied, in_place.reasons
    variants: dict[str, Callable[..., Any]] = {
        "eager jm.grad": sgd_step, "janus_mlir compiled": compiled,
        "compiled, in place": lambda p, x, labels: (in_place(model, x, labels), p)}
    for name, make in (("HIPS autograd", _autograd_step), ("jax.jit", _jax_step)):
        step = make()
        if step is not None:
            step(params, x, labels)
            variants[name] = step
    state = {k: params for k in variants}
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(reps):
        for name, step in variants.items():
            p = state[name]
            quiet()  # the previous variant's worker threads stop spinning
            start = time.perf_counter()
            for _ in range(steps):
                _, p = step(p, x, labels)
            times[name].append((time.perf_counter() - start) / steps)
            state[name] = p
    return {"times": {k: (statistics.median(v), min(v)) for k, v in times.items()},
            "first_call_s": first, "flops": flops_per_step(),
            "graphs": compiled.stats.compilations}


def _chain(np_: Any) -> Callable[..., Any]:
    """100 small elementwise ops, then a sum: the per-op cost of an eager tracer dominates."""
    def f(x):
        for _ in range(25):
            x = np_.tanh(x * 1.01 + 0.1) - x * 0.5
        return np_.sum(x)
    return f


def eager_overhead(reps: int = 7) -> dict[str, tuple[float, float]]:
    """Seconds per traced op (median, best) of eager jm.grad and, if installed, HIPS autograd
    on a chain of 100 elementwise ops over 16 floats (forward and backward)."""
    x = np.linspace(-1, 1, 16)
    variants = {"eager jm.grad": jm.grad(_chain(np))}
    try:
        ag = importlib.import_module("autograd")
        anp = importlib.import_module("autograd.numpy")
        variants["HIPS autograd"] = ag.grad(_chain(anp))
    except ImportError:
        pass
    calls = 20
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(reps):
        for name, g in variants.items():
            start = time.perf_counter()
            for _ in range(calls):
                g(x)
            times[name].append((time.perf_counter() - start) / calls / 101)
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def report_overhead(result: dict[str, tuple[float, float]]) -> str:
    lines = ["Eager gradient cost per op (100 elementwise ops on 16 floats + sum, forward and "
             "backward)", f"{'variant':<22}{'us/op (median)':>16}{'best':>10}"]
    for name, (med, best) in result.items():
        lines.append(f"{name:<22}{med * 1e6:>16.2f}{best * 1e6:>10.2f}")
    if "HIPS autograd" in result:
        (jm_med, jm_best), (ag_med, ag_best) = result["eager jm.grad"], result["HIPS autograd"]
        lines.append(f"HIPS autograd / eager jm.grad per op: {ag_med / jm_med:.2f}x (median), "
                     f"{ag_best / jm_best:.2f}x (best); >= 1: jm.grad is not slower")
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    times = result["times"]
    jit_med, jit_best = times["janus_mlir compiled"]
    lines = ["W1 training step (784-512-512-10 MLP, batch 128, forward + backward + SGD, f32)",
             f"{'variant':<22}{'steps/s (median)':>18}{'best':>10}{'GFLOP/s':>10}"
             f"{'compiled vs it (median / best)':>34}"]
    for name, (med, best) in times.items():
        lines.append(f"{name:<22}{1 / med:>18.1f}{1 / best:>10.1f}"
                     f"{result['flops'] / med / 1e9:>10.1f}"
                     f"{med / jit_med:>24.2f}x / {best / jit_best:.2f}x")
    lines.append(f"compiled: first two calls (profile + convert + compile + one graph call) "
                 f"{result['first_call_s']:.2f} s; graphs: {result['graphs']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("JANUS_MLIR_SPEED_CHECK", "0")  # every timed step a graph call
    print(report(measure(args.reps)))
    print()
    print(report_overhead(eager_overhead(args.reps)))


if __name__ == "__main__":
    main()
