"""Demo: train an MLP classifier written in plain NumPy, with `@jm.compile` around the step.

Run `make demo`. The loss is ordinary NumPy; `jm.value_and_grad` differentiates it (eagerly in
plain Python, or inside the compiled graph, where forward pass, backward pass and the SGD update
are one IREE module). The data are scikit-learn's 8x8 digits when scikit-learn is installed
(`pip install -e '.[examples]'`), otherwise a synthetic 10-class problem of the same shape.
Prints both loss curves and eager vs compiled steps/s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402

HIDDEN = 128
LR = 0.1
BATCH = 64
EPOCHS = 5


def loss(params, x, labels):
    W1, b1, W2, b2 = params
    h = np.tanh(x @ W1 + b1)
    z = h @ W2 + b2
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.take_along_axis(logp, labels[:, None], axis=1))


def train_step(params, x, labels):
    value, grads = jm.value_and_grad(loss)(params, x, labels)
    return value, tuple(p - LR * g for p, g in zip(params, grads))


def load_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        rng = np.random.default_rng(seed)
        centres = rng.standard_normal((10, 64)).astype(np.float32)
        labels = rng.integers(0, 10, 1797)
        x = centres[labels] + 0.8 * rng.standard_normal((1797, 64)).astype(np.float32)
        return x.astype(np.float32), labels, "synthetic 10-class data (1797 x 64)"
    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target, "scikit-learn digits"


def init_params(seed: int = 0):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal((64, HIDDEN)) / 8).astype(np.float32),
            np.zeros(HIDDEN, np.float32),
            (rng.standard_normal((HIDDEN, 10)) / np.sqrt(HIDDEN)).astype(np.float32),
            np.zeros(10, np.float32))


def train(step, x, labels, epochs: int) -> tuple[list[float], float, float]:
    """Loss per step, the first step's seconds, and steps/s of the steps after it, over
    `epochs` passes of fixed batches."""
    params = init_params()
    losses = []
    n = (len(x) // BATCH) * BATCH
    times = []
    for _ in range(epochs):
        for i in range(0, n, BATCH):
            start = time.perf_counter()
            value, params = step(params, x[i:i + BATCH], labels[i:i + BATCH])
            times.append(time.perf_counter() - start)
            losses.append(float(value))
    return losses, times[0], (len(times) - 1) / sum(times[1:])


def main() -> None:
    x, labels, what = load_data()
    compiled = jm.compile(train_step)
    eager_losses, _, eager_rate = train(train_step, x, labels, epochs=EPOCHS)
    jit_losses, first, jit_rate = train(compiled, x, labels, epochs=EPOCHS)
    diff = max(abs(a - b) for a, b in zip(eager_losses, jit_losses))
    print(f"MLP 64-{HIDDEN}-10 on {what}, batch {BATCH}, SGD lr {LR}, {EPOCHS} epochs")
    for i in range(0, len(eager_losses), len(eager_losses) // 6):
        print(f"  step {i:4d}   loss eager {eager_losses[i]:.5f}   compiled {jit_losses[i]:.5f}")
    print(f"  final loss: eager {eager_losses[-1]:.5f}, compiled {jit_losses[-1]:.5f} "
          f"(largest difference over the curve {diff:.2e})")
    print(f"  eager jm.grad:        {eager_rate:8.1f} steps/s")
    print(f"  janus_mlir compiled:  {jit_rate:8.1f} steps/s (after the first step, which "
          f"profiled, converted and compiled in {first:.2f} s)")
    print(f"  speed-up:             {jit_rate / eager_rate:8.2f}x")
    print(f"  stats: {compiled.stats}")
    assert diff < 1e-3, "the compiled loss curve left the eager one"


if __name__ == "__main__":
    main()
