"""Linear algebra and contractions through `jm.compile`: einsum, dot, matmul, tensordot, vdot,
inner, outer, norm, trace, diag, diagonal, eye/identity, tril/triu and the ndarray methods, each
compared with the plain function by the oracle (values, dtypes, scalar kinds, views and
aliasing, exceptions), and shown to run as a graph on its second call.

The realistic case is one attention head block: q, k and v sliced from one array, scores by
einsum, a softmax, the output by einsum.
"""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check

RNG = np.random.default_rng(7)
A34 = RNG.standard_normal((3, 4)).astype(np.float32)
B45 = RNG.standard_normal((4, 5)).astype(np.float32)
V4 = RNG.standard_normal(4).astype(np.float32)
T234 = RNG.standard_normal((2, 3, 4))
T432 = np.ascontiguousarray(T234.transpose(0, 2, 1))
I33 = RNG.integers(-5, 5, (3, 3)).astype(np.int32)
SQ = RNG.standard_normal((4, 4))
I8 = np.array([100, 120, -128, 77], dtype=np.int8)


_COUNTER = itertools.count()


def converted(fn, *args) -> None:
    """Both calls match the plain function, and the second ran as a graph."""
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 1, f.reasons


CONVERTED = [
    ("a, b", 'np.einsum("ij,jk->ik", a, b)', (A34, B45)),
    ("a, b", 'np.einsum("ij,jk", a, b)', (A34, B45)),
    ("a", 'np.einsum("ii", a)', (SQ,)),
    ("a", 'np.einsum("ij->", a)', (I33,)),
    ("a", 'np.einsum("...j->...", a)', (T234,)),
    ("a, v", 'np.einsum("...j,j->...", a, v)', (T234, V4.astype(np.float64))),
    ("a", 'np.einsum("ij->ji", a) * 2', (A34,)),
    ("a, b, c", 'np.einsum("ij,jk,k->i", a, b, c)', (A34, B45, V4[:1].repeat(5))),
    ("a, b, c", 'np.einsum("ab,bc,cd->ad", a, b, c)', (A34, B45, B45.T.copy())),
    ("a, b, c", 'np.einsum("ab,ab,b", a, b, c)', (I33, I33, I33[0])),
    ("a, b, c", 'np.einsum("i,i,i->", a, b, c)', (I8, I8, I8.astype(np.int32))),
    ("a, b, c", 'np.einsum(",,ca->ca", a, b, c)', (np.float32(0.1), np.float32(3.3), I33)),
    ("a, b, c", 'np.einsum("i,j,k", a, b, c)', (V4, I8, V4.astype(np.float16))),
    ("a, b", 'np.dot(a, b)', (T234, RNG.standard_normal((3, 4, 2)))),
    ("a, v", 'np.dot(a, v)', (T234, RNG.standard_normal(4))),
    ("a, b", 'a.dot(b)', (A34, B45)),
    ("v", 'np.dot(v, v)', (V4,)),
    ("a, b", 'np.matmul(a, b)', (T234, RNG.standard_normal((4, 2)))),
    ("a, b", 'a @ b', (V4, B45)),
    ("a, b", 'np.tensordot(a, b, axes=([1, 2], [0, 1]))', (T234, RNG.standard_normal((3, 4)))),
    ("a, b", 'np.tensordot(a, b, 1)', (A34, B45)),
    ("a, b", 'np.tensordot(a, b, 0)', (V4, V4)),
    ("a, b", 'np.vdot(a, b)', (A34, A34 * 2)),
    ("a, b", 'np.inner(a, b)', (A34, RNG.standard_normal((2, 4)).astype(np.float32))),
    ("a, b", 'np.outer(a, b)', (V4, I33)),
    ("x", 'np.linalg.norm(x)', (A34,)),
    ("x", 'np.linalg.norm(x, keepdims=True)', (I33,)),
    ("x", 'np.linalg.norm(x, 1, axis=0)', (A34,)),
    ("x", 'np.linalg.norm(x, np.inf, axis=1, keepdims=True)', (A34,)),
    ("x", 'np.linalg.norm(x, -np.inf, axis=-1)', (A34,)),
    ("x", 'np.linalg.norm(x, 0, axis=1)', (I33,)),
    ("x", 'np.linalg.norm(x, 3, axis=1)', (A34,)),
    ("x", 'np.linalg.norm(x, "fro")', (A34,)),
    ("x", 'np.linalg.norm(x, 1)', (SQ,)),
    ("x", 'np.linalg.norm(x, -np.inf)', (SQ,)),
    ("x", 'np.linalg.norm(x, -1, axis=(2, 0))', (T234,)),
    ("x", 'np.trace(x)', (I33,)),
    ("x", 'np.trace(x, 1, 0, 2)', (T234,)),
    ("x", 'x.trace(offset=-1)', (SQ,)),
    ("x", 'np.diag(x, 1)', (V4,)),
    ("x", 'np.diag(x, -1)', (SQ,)),
    ("x", 'np.diagonal(x)', (A34,)),
    ("x", 'x.diagonal(1, 1, 2)', (T234,)),
    ("x", 'np.diagonal(x * 2, -1, 1, 0)', (A34,)),
    ("x", '(x, np.diagonal(x))', (SQ,)),
    ("x", 'np.eye(3, 4, 1, dtype=np.int32) + x[:, :4][:3]', (A34,)),
    ("x", 'np.identity(3) * x[0, 0]', (SQ,)),
    ("x", 'np.tril(x, -1)', (A34,)),
    ("x", 'np.triu(x, 1)', (T234,)),
    ("x", 'np.tril(x)', (V4,)),
    ("a", '(a, np.einsum("ij->ji", a))', (A34,)),
    ("a", '(a, np.einsum("i->i", a), np.einsum("->", a[0]))', (V4,)),
    ("a", 'np.einsum("i,i->", a, a, optimize=True)', (V4,)),
    ("a", 'np.einsum("i,i->", a, a)', (V4,)),
    ("a", 'np.einsum("i,j,j", a, a, a, optimize=False)', (V4,)),
    ("a", 'np.einsum(",i", 2.0, a)', (V4,)),
    ("a", "np.tensordot(a, a, 1)", (V4,)),
    ("a, b", 'np.einsum("ij,jk->ik", a, b, optimize=True).reshape(-1)', (A34, B45)),
    ("a, b", 'np.einsum("bij,bjk->bki", a, b).reshape(2, -1)', (T234, T432)),
    ("a, b", 'np.einsum("ij,jk->ik", a, b)', (I33, I33.astype(np.int8))),
    ("a", 'np.einsum("ij,jk->ik", a > 0, a < 0)', (I33,)),
    ("a", 'np.einsum("ij,ij->", a, a)', (A34.astype(np.float16),)),
    ("x", "np.linalg.norm(x.astype(np.float16), axis=0)", (A34,)),
    ("a, b", "a @ b", (V4, V4)),
    ("a, b", "np.matmul(a, b)", (V4, T234.transpose(0, 2, 1))),
    ("a, b", "a @ b", (T234, V4.astype(np.float64))),
    ("a, b", "a @ b", (RNG.standard_normal((2, 1, 3, 4)), RNG.standard_normal((5, 4, 2)))),
    ("a, b", "np.dot(a, b)", (V4, RNG.standard_normal((3, 4, 2)))),
    ("a, b", "np.dot(a, b)", (A34, RNG.standard_normal((2, 4, 5)).astype(np.float32))),
    ("a, b", "np.dot(a, b)", (I33, I33[0])),
    ("a, b", "np.inner(a, b)", (T234, V4)),
    ("a, b", "np.tensordot(a, b, axes=(-1, 0))", (T234, B45.astype(np.float64))),
]


def load(params: str, expr: str, tmp_path: Path) -> Any:
    """A module-level `def case(params): return expr` (the converter reads its source)."""
    path = tmp_path / f"linalg_case_{next(_COUNTER)}.py"
    path.write_text(f"import numpy as np\n\n\ndef case({params}):\n    return {expr}\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.case


@pytest.mark.parametrize("params,expr,args", CONVERTED, ids=[c[1] for c in CONVERTED])
def test_converted_like_numpy(params, expr, args, tmp_path) -> None:
    converted(load(params, expr, tmp_path), *args)


def diagonal_then_write(x):
    y = x * 2
    d = np.diagonal(y)
    y[0, 0] = 100.0
    return d


def write_into_diagonal(x):
    y = x * 2
    d = np.diagonal(y)
    d[0] = 1.0
    return y


def einsum_then_write(a, b):
    r = np.einsum("bij,bjk->bki", a, b)
    flat = r.reshape(-1)  # a copy or a view, as NumPy's layout of r decides
    r[0] += 1
    return r, flat


def test_einsum_result_layout_decides_aliasing() -> None:
    converted(einsum_then_write, T234, T432 * 3.0)


def test_diagonal_is_a_read_only_view() -> None:
    """A write to the array is seen through its diagonal; a write into the diagonal raises
    (the call runs as plain Python, which raises NumPy's ValueError)."""
    converted(diagonal_then_write, SQ)
    f = jm.compile(write_into_diagonal)
    check(f, SQ)
    check(f, SQ)
    assert f.stats.graph_calls == 0


def test_errors_are_numpy_errors(tmp_path) -> None:
    for params, expr, args in [
            ("a, b", 'np.einsum("ij,jk->ik", a, b)', (A34, A34)),
            ("a, b", "np.dot(a, b)", (T234, T234)),
            ("a, b", "np.tensordot(a, b, 3)", (A34, A34)),
            ("a, b", 'np.einsum("ij,jk->iz", a, b)', (A34, B45)),
            ("a", 'np.einsum("ii->i", a)', (SQ,)),
            ("x", 'np.linalg.norm(x, "nuc")', (SQ,)),
            ("x", 'np.linalg.norm(x, "fro", axis=0)', (SQ,)),
            ("x", "np.diagonal(x, 0, 1, 1)", (SQ,))]:
        f = jm.compile(load(params, expr, tmp_path))
        check(f, *args)
        check(f, *args)
        assert f.stats.graph_calls == 0


def attention(x, wqkv):
    """Multi-head attention on (batch, seq, 3 * heads * dim) projections, q, k and v sliced
    from one array (the einsum results are not C-contiguous in NumPy)."""
    qkv = x @ wqkv
    b, s, _ = qkv.shape
    qkv = qkv.reshape(b, s, 3, 2, 8)
    q, k, v = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]
    scores = np.einsum("bqhd,bkhd->bhqk", q, k) / 8 ** 0.5
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    return np.einsum("bhqk,bkhd->bqhd", w, v)


def attention_heads_first(x, wqkv):
    """The same with the (3, batch, heads, seq, dim) layout; the result is a view."""
    b, s, _ = x.shape
    qkv = (x @ wqkv).reshape(b, s, 3, 2, 8).transpose(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    scores = np.einsum("bhqd,bhkd->bhqk", q, k) * (8 ** -0.5)
    w = np.exp(scores - scores.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    out = np.einsum("bhqk,bhkd->bhqd", w, v)
    return out.transpose(0, 2, 1, 3), w


@pytest.mark.parametrize("fn", [attention, attention_heads_first])
def test_attention_block(fn) -> None:
    x = RNG.standard_normal((2, 6, 16)).astype(np.float32)
    wqkv = (RNG.standard_normal((16, 48)) / 4).astype(np.float32)
    converted(fn, x, wqkv)
