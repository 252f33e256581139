"""Large matmuls of a forward pass computed by NumPy's BLAS from inside the compiled module
(passes/host_matmuls.py, runtime/host_calls.py): same values to the bit, fresh results, guards
and fallbacks as anywhere else, concurrent calls, and the switch that turns it off."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, load_source, one_graph_for_lengths

SOURCE = """
import janus_mlir as jm


class Model:
    def __init__(self, w1, b1, w2, w3):
        self.w1, self.b1, self.w2, self.w3 = w1, b1, w2, w3

    def forward(self, x):
        h = np.maximum(x @ self.w1 + self.b1, 0.0)
        return np.maximum(h @ self.w2, 0.0) @ self.w3


def forward(m, x):
    return m.forward(x)


def product(x, w, v, u):
    return x @ w @ v @ u


def two_layers(x, w, v):
    return np.maximum(x @ w, 0.0) @ v


def gram(x, y, v, u):
    return x.T @ y @ v @ u


def linear(x, w1, b, w2, w3):
    return np.maximum(x @ w1.T + b, 0.0) @ w2.T @ w3.T


def both_transposed(a, b, v):
    return a.T @ b.T @ v @ v, a.T


def mse(w, x, y):
    return np.mean((np.tanh(x @ w) - y) ** 2)


def mse_grad(w, x, y):
    return jm.grad(mse, argnums=(0, 1))(w, x, y)


def signed(x, w, v, u):
    h = x @ w @ v @ u
    if h.sum() > 0:
        return h * 2.0
    return h - 1.0
"""


def _f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _chain(rng, n=128):
    """x, w, v, u for `product`: (n, 256) @ (256, 128) @ (128, 128) @ (128, 64)."""
    return _f32(rng, n, 256), _f32(rng, 256, 128), _f32(rng, 128, 128), _f32(rng, 128, 64)


def _host_graph(f: jm.JanusFunction):
    executable = f.graphs[-1].executable
    assert executable.compiled.facts.host_calls, executable.lowered_ir
    assert executable.module.driver == "local-sync"
    return executable


@pytest.fixture
def src(tmp_path):
    return load_source(tmp_path, SOURCE)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_on_a_model_is_numpys_to_the_bit(src, dtype):
    rng = np.random.default_rng(0)
    m = src.Model(*(rng.standard_normal(shape).astype(dtype)
                    for shape in ((256, 256), (256,), (256, 256), (256, 16))))
    x = rng.standard_normal((64, 256)).astype(dtype)  # 2**22 multiply-adds
    f = jm.compile(src.forward)
    for _ in range(3):
        check(f, m, x)
    assert f.stats.graph_calls == 2 and f.stats.compilations == 1, f.reasons
    executable = _host_graph(f)
    name = "f32" if dtype == np.float32 else "f64"
    assert f"@janus_host.matmul_{name}" in executable.lowered_ir
    got = f(m, x)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, src.forward(m, x))


def test_a_symbolic_batch_calls_the_host_for_every_batch_size(src):
    rng = np.random.default_rng(5)
    m = src.Model(*(_f32(rng, *shape) for shape in ((256, 512), (512,), (512, 512), (512, 10))))
    xs = {n: rng.standard_normal((n, 256)).astype(np.float32) for n in (32, 48, 64, 7, 100)}
    f = one_graph_for_lengths(src.forward, lambda n: (m, xs[n]), list(xs))
    executable = _host_graph(f)
    assert "tensor<?x256xf32> to tensor<?x?xf32>" in executable.lowered_ir
    for x in xs.values():
        np.testing.assert_array_equal(f(m, x), src.forward(m, x))
    check(f, m, np.ones((0, 256), np.float32))  # an empty batch


def test_a_symbolic_contraction_calls_the_host_and_of_length_zero_is_zeros(src):
    rng = np.random.default_rng(6)
    v, u = _f32(rng, 256, 128), _f32(rng, 128, 16)
    xs = {n: (_f32(rng, n, 256), _f32(rng, n, 256), v, u) for n in (64, 80, 96)}
    f = one_graph_for_lengths(src.gram, lambda n: xs[n], list(xs))
    executable = _host_graph(f)
    assert "tensor<?x256xf32> to tensor<?x?xf32>" in executable.lowered_ir  # x, read as stored
    empty = np.ones((0, 256), np.float32)
    np.testing.assert_array_equal(executable([empty, empty, v, u])[0],
                                  np.zeros((256, 16), np.float32))
    check(f, empty, empty, v, u)


def test_transposed_operands_are_read_as_stored_and_give_numpys_product(src):
    rng = np.random.default_rng(7)
    # weights laid out (out, in), as torch keeps them
    args = (_f32(rng, 128, 256), _f32(rng, 512, 256), _f32(rng, 512), _f32(rng, 256, 512),
            _f32(rng, 16, 256))
    f = jm.compile(src.linear)
    for _ in range(3):
        check(f, *args)
    executable = _host_graph(f)
    assert executable.lowered_ir.count("arith.constant 2 : i32") == 3  # b read as stored
    assert "affine_map<(d0, d1) -> (d1, d0)>" not in executable.lowered_ir  # no transpose left
    np.testing.assert_array_equal(f(*args), src.linear(*args))
    a, c, v = _f32(rng, 256, 128), _f32(rng, 256, 256), _f32(rng, 256, 256)
    g = jm.compile(src.both_transposed)  # the transpose of a is also a result: it stays
    for _ in range(3):
        check(g, a, c, v)
    _host_graph(g)
    got, want = g(a, c, v), src.both_transposed(a, c, v)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_a_gradient_graph_calls_the_host_for_its_forward_and_backward_matmuls(src):
    rng = np.random.default_rng(8)
    w = rng.standard_normal((256, 128)).astype(np.float32) * 0.1
    x = rng.standard_normal((128, 256)).astype(np.float32)
    y = rng.standard_normal((128, 128)).astype(np.float32)
    f = jm.compile(src.mse_grad)
    for _ in range(3):
        check(f, w, x, y)  # against eager jm.grad
    executable = _host_graph(f)
    # x @ w, g @ w.T, x.T @ g
    assert executable.lowered_ir.count("call @janus_host.matmul_f32") == 3
    eps, i, j = 1e-2, 3, 5  # and one entry against a central difference in float64
    up, down = w.astype(np.float64), w.astype(np.float64)
    up[i, j] += eps
    down[i, j] -= eps
    numeric = (src.mse(up, x, y) - src.mse(down, x, y)) / (2 * eps)
    np.testing.assert_allclose(f(w, x, y)[0][i, j], numeric, rtol=1e-3, atol=1e-6)


def test_a_product_returned_as_is_is_a_fresh_array_every_call(src):
    rng = np.random.default_rng(1)
    x, w, v, u = _chain(rng)
    f = jm.compile(src.product)
    check(f, x, w, v, u)
    first = f(x, w, v, u)
    _host_graph(f)
    kept = first.copy()
    second = f(-x, w, v, u)
    np.testing.assert_array_equal(first, kept)  # the later call wrote a buffer of its own
    np.testing.assert_array_equal(second, src.product(-x, w, v, u))
    assert not np.shares_memory(first, second)
    second[...] = 0
    np.testing.assert_array_equal(f(x, w, v, u), src.product(x, w, v, u))


def test_a_guard_after_a_host_call_falls_back_and_recompiles(src):
    rng = np.random.default_rng(2)
    x, w, v, u = (np.abs(a) for a in _chain(rng))
    f = jm.compile(src.signed)
    for _ in range(3):  # two profiling calls: the branch needs one that reached it
        check(f, x, w, v, u)
    _host_graph(f)
    assert f.stats.graph_calls == 1, f.reasons
    for _ in range(3):  # the branch speculated on goes the other way: the guard fails
        check(f, -x, w, v, u)
    check(f, x, w, v, u)
    assert f.stats.fallbacks >= 1 and f.stats.graph_calls >= 2, f.reasons


def test_concurrent_calls_get_their_own_products(src):
    rng = np.random.default_rng(3)
    _, w, v, u = _chain(rng)
    xs = [_f32(rng, 128, 256) for _ in range(4)]
    f = jm.compile(src.product)
    check(f, xs[0], w, v, u)
    check(f, xs[0], w, v, u)
    _host_graph(f)
    errors: list[str] = []

    def work(x):
        for _ in range(20):
            if not np.array_equal(f(x, w, v, u), src.product(x, w, v, u)):
                errors.append("wrong product")

    threads = [threading.Thread(target=work, args=(x,)) for x in xs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_off_switch_keeps_every_matmul_in_iree(src, monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_HOST_BLAS", "0")
    rng = np.random.default_rng(4)
    f = jm.compile(src.product)
    args = _chain(rng)
    check(f, *args)
    check(f, *args)
    executable = f.graphs[-1].executable
    assert not executable.compiled.facts.host_calls
    assert "janus_host" not in executable.lowered_ir and "linalg.matmul" in executable.lowered_ir


def test_two_large_matmuls_stay_in_iree(src):
    """IREE's data-tiled kernels are as fast as the BLAS for a module of one or two matmuls
    (passes/host_matmuls.py): no calls there."""
    rng = np.random.default_rng(9)
    f = jm.compile(src.two_layers)
    args = (_f32(rng, 128, 256), _f32(rng, 256, 128), _f32(rng, 128, 10))
    check(f, *args)
    check(f, *args)
    executable = f.graphs[-1].executable
    assert not executable.compiled.facts.host_calls and "janus_host" not in executable.lowered_ir
