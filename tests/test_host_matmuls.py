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
class Model:
    def __init__(self, w1, b1, w2):
        self.w1, self.b1, self.w2 = w1, b1, w2

    def forward(self, x):
        return np.maximum(x @ self.w1 + self.b1, 0.0) @ self.w2


def forward(m, x):
    return m.forward(x)


def product(x, w):
    return x @ w


def gram(x, y):
    return x.T @ y


def signed(x, w):
    h = x @ w
    if h.sum() > 0:
        return h * 2.0
    return h - 1.0
"""


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
    m = src.Model(rng.standard_normal((256, 256)).astype(dtype),
                  rng.standard_normal(256).astype(dtype),
                  rng.standard_normal((256, 16)).astype(dtype))
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
    m = src.Model(rng.standard_normal((256, 512)).astype(np.float32),
                  rng.standard_normal(512).astype(np.float32),
                  rng.standard_normal((512, 10)).astype(np.float32))
    xs = {n: rng.standard_normal((n, 256)).astype(np.float32) for n in (32, 48, 64, 7, 100)}
    f = one_graph_for_lengths(src.forward, lambda n: (m, xs[n]), list(xs))
    executable = _host_graph(f)
    assert "tensor<?x256xf32> to tensor<?x?xf32>" in executable.lowered_ir
    for x in xs.values():
        np.testing.assert_array_equal(f(m, x), src.forward(m, x))
    check(f, m, np.ones((0, 256), np.float32))  # an empty batch


def test_a_symbolic_contraction_calls_the_host_and_of_length_zero_is_zeros(src):
    rng = np.random.default_rng(6)
    xs = {n: (rng.standard_normal((n, 256)).astype(np.float32),
              rng.standard_normal((n, 256)).astype(np.float32)) for n in (64, 80, 96)}
    f = one_graph_for_lengths(src.gram, lambda n: xs[n], list(xs))
    executable = _host_graph(f)
    assert "tensor<256x?xf32> to tensor<?x?xf32>" in executable.lowered_ir
    empty = np.ones((0, 256), np.float32)
    np.testing.assert_array_equal(executable([empty, empty])[0], np.zeros((256, 256), np.float32))
    check(f, empty, empty)


def test_a_product_returned_as_is_is_a_fresh_array_every_call(src):
    rng = np.random.default_rng(1)
    x, w = (rng.standard_normal((128, 256)).astype(np.float32),
            rng.standard_normal((256, 128)).astype(np.float32))
    f = jm.compile(src.product)
    check(f, x, w)
    first = f(x, w)
    _host_graph(f)
    kept = first.copy()
    second = f(-x, w)
    np.testing.assert_array_equal(first, kept)  # the later call wrote a buffer of its own
    np.testing.assert_array_equal(second, -x @ w)
    assert not np.shares_memory(first, second)
    second[...] = 0
    np.testing.assert_array_equal(f(x, w), x @ w)


def test_a_guard_after_a_host_call_falls_back_and_recompiles(src):
    rng = np.random.default_rng(2)
    x, w = (np.abs(rng.standard_normal((128, 256))).astype(np.float32),
            np.abs(rng.standard_normal((256, 128))).astype(np.float32))
    f = jm.compile(src.signed)
    for _ in range(3):  # two profiling calls: the branch needs one that reached it
        check(f, x, w)
    _host_graph(f)
    assert f.stats.graph_calls == 1, f.reasons
    for _ in range(3):  # the branch speculated on goes the other way: the guard fails
        check(f, -x, w)
    check(f, x, w)
    assert f.stats.fallbacks >= 1 and f.stats.graph_calls >= 2, f.reasons


def test_concurrent_calls_get_their_own_products(src):
    rng = np.random.default_rng(3)
    w = rng.standard_normal((256, 256)).astype(np.float32)
    xs = [rng.standard_normal((64, 256)).astype(np.float32) for _ in range(4)]
    f = jm.compile(src.product)
    check(f, xs[0], w)
    check(f, xs[0], w)
    _host_graph(f)
    errors: list[str] = []

    def work(x):
        for _ in range(20):
            if not np.array_equal(f(x, w), x @ w):
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
    x, w = (rng.standard_normal((128, 256)).astype(np.float32),
            rng.standard_normal((256, 128)).astype(np.float32))
    f = jm.compile(src.product)
    check(f, x, w)
    check(f, x, w)
    executable = f.graphs[-1].executable
    assert not executable.compiled.facts.host_calls
    assert "janus_host" not in executable.lowered_ir and "linalg.matmul" in executable.lowered_ir
