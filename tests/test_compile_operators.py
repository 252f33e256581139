"""jm.compile of Python operators, NumPy calls, ndarray methods, indexing and Python scalars:
each function compared with plain NumPy (values, dtypes, shapes, returned types)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import janus_mlir as jm

from .equivalence import check

rng = np.random.default_rng(1)
F32 = rng.standard_normal((4, 6)).astype(np.float32)
F64 = rng.standard_normal((4, 6))
I32 = rng.integers(-5, 6, (4, 6)).astype(np.int32)
I64 = rng.integers(1, 7, (6,))
B = F32 > 0


def operators(x, y, i):
    return (x + y, x - y, x * y, x / y, x // y, x % y, x ** 2, -x, +x, abs(x), x @ y.T,
            x < y, x <= y, x > y, x >= y, x == y, x != y, (x > 0) & (y > 0), (x > 0) | (y > 0),
            ~(x > 0), (x > 0) ^ (y > 0), i // 2, i % 3, -i, ~i, i * 2.5)


def numpy_calls(x, y):
    return (np.tanh(x), np.exp(x), np.log(np.abs(x) + 1), np.sqrt(np.abs(y)), np.maximum(x, y),
            np.minimum(x, 0.5), np.where(x > y, x, y), np.clip(x, -0.5, 0.5),
            np.matmul(x, y.T), np.dot(x[0], y[1]), np.concatenate([x, y], axis=1),
            np.stack([x, y]), np.mean(x), np.sum(x, axis=0), np.max(x, axis=1, keepdims=True),
            np.argmax(x, axis=1), np.argmin(y), np.zeros((2, 3)), np.ones_like(x),
            np.full((3,), 7, dtype=np.int32), np.arange(5), np.arange(1.0, 2.0, 0.25),
            np.transpose(x), np.reshape(x, (6, 4)), np.expand_dims(x, 1), np.squeeze(x[None]),
            np.broadcast_to(x[0], (3, 6)), np.var(x, axis=0), np.std(y), np.prod(x[:, :2], axis=1))


def methods(x):
    return (x.T, x.shape, x.ndim, x.size, x.dtype, x.reshape(-1, 3), x.reshape(3, 8),
            x.sum(axis=1, keepdims=True), x.mean(), x.max(), x.min(axis=0), x.argmax(),
            x.astype(np.int32), x.astype(np.float64).sum(), x.transpose(1, 0), x.flatten(),
            x.ravel(), x.copy(), x.all(), x.any(axis=0), x.squeeze(), x.clip(0, 1), len(x))


def indexing(x, idx):
    return (x[0], x[-1, 2], x[1:3], x[:, ::2], x[::-1], x[..., -1], x[None, 1], x[:, None, 2],
            x[1:, 1:-1:2], x[idx], x[:, idx], np.take(x, idx, axis=1), x[3, 5])


def python_scalars(x, a, n):
    s = float(x.sum())
    k = int(n * 2)
    return (x * a, x + n, s * a + 1, k, a / 2, n / 4, n // 3, True + True, a > 1.0,
            x.shape[0] * n, s, int(x.argmax()), max(a, 2.0), min(n, 3))


@pytest.mark.parametrize("fn,args", [
    (operators, (F32, F32 + 2.0, 7)),
    (numpy_calls, (F32, F32 * 0.5)),
    (methods, (F32,)),
    (methods, (I32,)),
    (indexing, (F64, np.array([2, 0, -1]))),
    (python_scalars, (F32, 1.5, 3)),
])
def test_converted_function_matches_numpy(fn, args):
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert f.stats.compilations == 1 and f.stats.graph_calls == 1, f.reasons


def nep50(x, a, b):
    return x + a, x * b, a * b, x / a, x // b, x - b


DTYPES = [np.int8, np.int32, np.int64, np.float32, np.float64, np.bool_]


@settings(max_examples=12, deadline=None, derandomize=True)
@given(dtype=st.sampled_from(DTYPES), a=st.sampled_from([2, -3, 1.5, True]),
       b=st.sampled_from([3, 0.5, False]))
def test_python_scalars_promote_weakly_like_numpy(dtype, a, b):
    """NEP 50: a Python scalar never widens an array's dtype (int8 + 2 stays int8)."""
    x = (np.arange(1, 7) % 5 + 1).astype(dtype)
    f = jm.compile(nep50)
    check(f, x, a, b)
    check(f, x, a, b)


def inplace(x, y):
    h = x @ y
    h += 1.0
    alias = h
    h *= 2.0
    return h, alias


def inplace_argument(x):
    x += 1.0
    return x


def test_augmented_assignment_on_fresh_arrays_and_arguments():
    f = jm.compile(inplace)
    check(f, F32, F32.T.copy())
    h, alias = check(f, F32, F32.T.copy())
    assert h is alias and f.stats.graph_calls == 1
    g = jm.compile(inplace_argument)
    for _ in range(3):
        check(g, F32.copy())
    assert g.stats.graph_calls == 2, g.reasons  # the caller's array is written back


def loops_and_static_branches(x, layers):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    if x.ndim == 2:
        x = x.sum(axis=0)
    return x


def test_static_loops_and_branches_unroll():
    layers = [(rng.standard_normal((6, 6)).astype(np.float32), np.zeros(6, np.float32))
              for _ in range(3)]
    f = jm.compile(loops_and_static_branches)
    check(f, F32, layers)
    check(f, F32, layers)
    assert f.stats.graph_calls == 1
    check(f, F32, layers[:2])  # another length: another signature, profiled then compiled
    assert f.stats.compilations == 2 and f.stats.imperative_calls == 2
    check(f, F32, layers[:2])
    assert f.stats.graph_calls == 2
