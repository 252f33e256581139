"""Benchmark workloads shared by the demo and `make bench` (workloads.md W1 sizes)."""

from __future__ import annotations

import os
import threading
import time

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


# ---------------------------------------------------------------- host path of a cache hit

def add_one(x):
    """The smallest useful graph: what one call costs on the host."""
    return x + 1.0


def identity(a0):
    """Returns its argument: no computation at all."""
    return a0


def add_ten(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9):
    """Ten array arguments: what each argument costs."""
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9


# ---------------------------------------------------------------- reductions of (1000, 1000)

def sum_all(x):
    return x.sum()


def sum_rows(x):
    return x.sum(axis=1)


def sum_cols(x):
    return x.sum(axis=0)


def mean_all(x):
    return x.mean()


def mean_rows(x):
    return x.mean(axis=1)


def mean_cols(x):
    return x.mean(axis=0)


def max_all(x):
    return x.max()


def max_rows(x):
    return x.max(axis=1)


def max_cols(x):
    return x.max(axis=0)


def min_all(x):
    return x.min()


def min_rows(x):
    return x.min(axis=1)


def min_cols(x):
    return x.min(axis=0)


def argmax_all(x):
    return np.argmax(x)


def argmax_rows(x):
    return np.argmax(x, axis=1)


def argmax_cols(x):
    return np.argmax(x, axis=0)


def argmin_all(x):
    return np.argmin(x)


def argmin_rows(x):
    return np.argmin(x, axis=1)


def argmin_cols(x):
    return np.argmin(x, axis=0)


# ---------------------------------------------------------------- NumPy surface (issue rows)

def attention_scores(q, k):
    """Attention logits of (batch, heads, queries, dim) by (batch, heads, keys, dim)."""
    return np.einsum("bhqd,bhkd->bhqk", q, k)


def embedding_grad(ids, g):
    """The gradient of an embedding lookup: rows of g added at their ids, repeats included."""
    table = np.zeros((1000, g.shape[1]), g.dtype)
    np.add.at(table, ids, g)
    return table


REDUCTIONS = [sum_all, sum_rows, sum_cols, mean_all, mean_rows, mean_cols, max_all, max_rows,
              max_cols, min_all, min_rows, min_cols, argmax_all, argmax_rows, argmax_cols,
              argmin_all, argmin_rows, argmin_cols]


def aligned_copy(a: np.ndarray, alignment: int = 64) -> np.ndarray:
    """`a` copied into memory that starts on an `alignment`-byte boundary."""
    raw = np.empty(a.nbytes + alignment, np.uint8)
    start = (-raw.ctypes.data) % alignment
    out = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def misaligned_copy(a: np.ndarray, offset: int = 16, alignment: int = 64) -> np.ndarray:
    """`a` copied into memory that starts `offset` bytes past an `alignment`-byte boundary."""
    raw = np.empty(a.nbytes + 2 * alignment, np.uint8)
    start = (-raw.ctypes.data) % alignment + offset
    out = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def quiet(max_s: float = 0.5, window_s: float = 0.03) -> float:
    """Wait until no other thread of this process uses CPU for `window_s` (at most `max_s`);
    the seconds waited.

    Thread pools keep spinning after their work and take the two cores from the variant timed
    next: OpenBLAS 0.3.31's workers spin ~100 ms after the last BLAS call (their CPU ticks in
    /proc/self/task grow for 100 ms, then stop), longer than a fixed 50 ms pause. XLA's and
    IREE's pools differ again, so the wait watches the threads instead of guessing a time.
    Where /proc is not there it sleeps `max_s`.
    """
    def busy() -> int:
        total = 0
        for task in os.listdir("/proc/self/task"):
            if int(task) == threading.get_native_id():
                continue
            try:
                with open(f"/proc/self/task/{task}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # the thread ended
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total

    start = time.perf_counter()
    if not os.path.isdir("/proc/self/task"):
        time.sleep(max_s)
        return max_s
    before = busy()
    while time.perf_counter() - start < max_s:
        time.sleep(window_s)
        now = busy()
        if now == before:
            break
        before = now
    return time.perf_counter() - start


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


# ---------------------------------------------------------------- dynamic programs (speculation)

def rnn_params(rng: np.random.Generator, features: int, hidden: int) -> tuple[np.ndarray, ...]:
    W = (rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)).astype(np.float32)
    U = (rng.standard_normal((features, hidden)) / np.sqrt(features)).astype(np.float32)
    return W, U


def rnn_over_list(xs, h, W, U):
    """An Elman RNN over a Python list of input vectors whose length changes between calls."""
    for x in xs:
        h = np.tanh(x @ U + h @ W)
    return h


def scale_by(x, a):
    """A Python float argument that changes on every call."""
    return x * a + 1.0


def halve_until(x, tol):
    """Iterate until converged: the trip count depends on the data."""
    y = x.copy()
    steps = 0
    while np.abs(y).max() > tol:
        y = y * 0.5
        steps += 1
    return y, steps


class Tree:
    """A binary parse tree (W4): leaves carry a word id, inner nodes two children."""

    def __init__(self, word=None, left=None, right=None):
        self.word = word
        self.left = left
        self.right = right


def random_tree(rng: np.random.Generator, leaves: int, vocab: int = 1000) -> Tree:
    nodes = [Tree(word=int(rng.integers(0, vocab))) for _ in range(leaves)]
    while len(nodes) > 1:
        i = int(rng.integers(0, len(nodes) - 1))
        nodes[i:i + 2] = [Tree(left=nodes[i], right=nodes[i + 1])]
    return nodes[0]


def tree_params(rng: np.random.Generator, hidden: int = 128, vocab: int = 1000,
                classes: int = 5) -> tuple[np.ndarray, ...]:
    """W4: embedding (vocab, hidden), W (2 hidden, hidden), b, U (hidden, classes), c."""
    emb = (rng.standard_normal((vocab, hidden)) * 0.1).astype(np.float32)
    W = (rng.standard_normal((2 * hidden, hidden)) / np.sqrt(2 * hidden)).astype(np.float32)
    U = (rng.standard_normal((hidden, classes)) / np.sqrt(hidden)).astype(np.float32)
    return emb, W, np.zeros(hidden, np.float32), U, np.zeros(classes, np.float32)


def tree_encode(node, emb, W, b):
    if node.word is not None:
        return emb[node.word]
    h = np.concatenate([tree_encode(node.left, emb, W, b), tree_encode(node.right, emb, W, b)])
    return np.tanh(h @ W + b)


def tree_rnn(tree, emb, W, b, U, c):
    """W4's TreeRNN forward: recursion over a fresh tree on every call; the root's logits."""
    return tree_encode(tree, emb, W, b) @ U + c
