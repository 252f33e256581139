"""Benchmark workloads shared by the demo and `make bench` (workloads.md W1 sizes)."""

from __future__ import annotations

import numpy as np


def mlp_params(rng: np.random.Generator, sizes=(784, 512, 512, 10)) -> list[np.ndarray]:
    """Dense weights (in, out) ~ U(+-1/sqrt(fan_in)), biases 0, drawn in order (workloads.md)."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32))
        params.append(np.zeros(n_out, dtype=np.float32))
    return params


def mlp_forward(x, W1, b1, W2, b2, W3, b3):
    """MLP 784-512-512-10 with ReLU: the logits."""
    h = np.maximum(x @ W1 + b1, 0.0)
    h = np.maximum(h @ W2 + b2, 0.0)
    return h @ W3 + b3


def elementwise_chain(x, y):
    """20 small elementwise ops on (64, 256): what eager NumPy pays dispatch overhead for."""
    a = x * 1.5 + y
    a = np.tanh(a) - 0.25 * x
    a = np.exp(-a * a) + np.sqrt(np.abs(y) + 1.0)
    a = np.maximum(a, 0.1) / (1.0 + np.abs(x))
    a = a * a - y * 0.5 + np.sin(x)
    a = np.log(np.abs(a) + 2.0) * 3.0
    return a - x


def timings(fn, *args, reps: int = 15, number: int = 20) -> tuple[float, float]:
    """(median, best) seconds per call over `reps` repetitions of `number` calls.

    The 2-core machines this runs on have bursts of 2-5x slowdown on threaded work: the median
    is the figure to report, the best shows what the code does on a quiet machine.
    """
    import time

    times = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(number):
            fn(*args)
        times.append((time.perf_counter() - t) / number)
    return float(np.median(times)), float(np.min(times))


def timeit(fn, *args, reps: int = 15, number: int = 20) -> float:
    """Median seconds per call (see `timings`)."""
    return timings(fn, *args, reps=reps, number=number)[0]
