"""jm.compile on straight-line NumPy code: equivalence, graph cache, signatures, returned types."""

from __future__ import annotations

import time

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

rng = np.random.default_rng(0)


def uniform(*shape, dtype=np.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


def relu_layer(h, W, b):
    return np.maximum(h @ W + b, 0.0)


def mlp(x, W1, b1, W2, b2, W3, b3):
    h = relu_layer(x, W1, b1)
    h = relu_layer(h, W2, b2)
    return h @ W3 + b3


def dense(n_in, n_out):
    bound = 1 / np.sqrt(n_in)
    return rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32), uniform(n_out) * 0.1


def mlp_params():
    return [*dense(784, 512), *dense(512, 512), *dense(512, 10)]


def test_mlp_forward_compiles_once_for_repeated_calls():
    f = jm.compile(mlp)
    x, params = rng.random((128, 784), dtype=np.float32), mlp_params()
    for _ in range(3):
        check(f, x, *params)
    # First call profiles (plain Python) and compiles; the next two are answered by the graph.
    assert stats(f) == (3, 2, 1, 0, 1)
    assert len(f.graphs) == 1


def test_new_signature_gets_a_new_graph():
    f = jm.compile(lambda_free_tanh)
    check(f, uniform(4, 3))
    check(f, uniform(4, 3))
    check(f, uniform(5, 3))  # new shape: profile again, new graph
    check(f, uniform(5, 3))
    check(f, uniform(5, 3, dtype=np.float64))  # new dtype
    check(f, uniform(5, 3, dtype=np.float64))
    assert stats(f) == (6, 3, 3, 0, 3)
    check(f, uniform(4, 3))  # the first graph is still cached
    assert f.stats.graph_calls == 4 and f.stats.compilations == 3


def lambda_free_tanh(x):
    return np.tanh(x) * 2 + 1


def scale(x, alpha):
    return x * alpha + 1


def test_changed_python_scalar_falls_back_then_becomes_a_runtime_input():
    f = jm.compile(scale)
    x = uniform(8)
    check(f, x, 2.0)  # profile: alpha speculated to be 2.0
    check(f, x, 2.0)  # graph
    assert stats(f) == (2, 1, 1, 0, 1)
    assert any("alpha == 2.0" in a for a in f.graphs[0].assumptions)
    check(f, x, 3.0)  # assumption fails: plain Python, then a graph with alpha as an input
    assert stats(f) == (3, 1, 2, 1, 2)
    for alpha in (4.0, -1.5, 0.0):
        check(f, x, alpha)
    assert stats(f) == (6, 4, 2, 1, 2)


def shape_from_int(n):
    return np.zeros((n, 2), dtype=np.float32) + 1


def test_python_int_used_as_shape_is_part_of_the_signature():
    f = jm.compile(shape_from_int)
    check(f, 3)
    check(f, 3)
    check(f, 4)  # the speculated value fails: fallback; n cannot become an input, so it keys
    check(f, 4)
    check(f, 3)
    assert f.stats.fallbacks == 1
    assert f.stats.graph_calls >= 3
    assert all(g.spec.inputs == [] for g in f.graphs)


GAIN = 2.0


def uses_global(x):
    return x * GAIN


def test_global_value_change_is_a_failed_assumption():
    global GAIN
    f = jm.compile(uses_global)
    x = uniform(4)
    check(f, x)
    check(f, x)
    GAIN = 5.0
    try:
        out = check(f, x)
        np.testing.assert_allclose(out, x * 5.0, rtol=1e-6)
        assert f.stats.fallbacks == 1
        check(f, x)
        assert f.stats.graph_calls == 2
    finally:
        GAIN = 2.0


def activation(x):
    return np.tanh(x)


def uses_helper(x):
    return activation(x) + 1


def test_rebinding_a_helper_function_falls_back():
    global activation
    f = jm.compile(uses_helper)
    x = uniform(4)
    check(f, x)
    check(f, x)
    saved = activation
    activation = np.exp  # a different callee: the identity assumption fails
    try:
        out = check(f, x)
        np.testing.assert_allclose(out, np.exp(x) + 1, rtol=1e-5)
        assert f.stats.fallbacks == 1
        check(f, x)
        assert f.stats.compilations == 2 and f.stats.graph_calls == 2
    finally:
        activation = saved


def pick(x, i):
    return x[i] * 2


def test_out_of_bounds_runtime_index_fails_an_in_graph_guard():
    f = jm.compile(pick)
    x = uniform(5, 3)
    check(f, x, 1)
    check(f, x, 2)  # i varies: fallback, then i becomes a run-time input guarded for bounds
    check(f, x, 4)
    check(f, x, -5)
    assert stats(f)[3] == 1
    graph_calls = f.stats.graph_calls
    with pytest.raises(IndexError):
        f(x, 7)  # the graph's bounds guard fails; plain Python raises NumPy's IndexError
    check(f, x, 7)
    assert f.stats.fallbacks == 3 and f.stats.graph_calls == graph_calls
    assert any("IndexError" in a for a in f.graphs[-1].assumptions)


def int_div(x, n):
    return x * (10 // n)


def test_python_division_by_zero_raises_like_python():
    f = jm.compile(int_div)
    x = uniform(3)
    check(f, x, 2)
    check(f, x, 5)  # relax n to a run-time input
    check(f, x, 3)
    assert f.stats.graph_calls == 1
    check(f, x, 0)  # in-graph guard: plain Python raises ZeroDivisionError
    assert f.stats.fallbacks == 2


def returns_many(x):
    s = x.sum()
    return s, float(s), x.shape[0], x.sum(axis=0), {"mean": x.mean(), "n": x.size}, None, x


def test_returned_values_have_numpy_types():
    f = jm.compile(returns_many)
    x = uniform(4, 3)
    check(f, x)
    out = check(f, x)
    assert f.stats.graph_calls == 1
    assert type(out[0]) is np.float32 and type(out[1]) is float and type(out[2]) is int
    assert type(out[4]["mean"]) is np.float32


def returns_input(x, y):
    z = x + y
    return x, z, z


def test_returning_an_input_returns_the_same_object():
    f = jm.compile(returns_input)
    x, y = uniform(3), uniform(3)
    f(x, y)
    a, z1, z2 = f(x, y)
    assert f.stats.graph_calls == 1
    assert a is x and z1 is z2


def sleeps(x):
    time.sleep(0)  # (print and try are converted now: tests/test_compile_effects.py, ...)
    return x * 2


def test_unconvertible_code_runs_as_plain_python():
    for fn in (sleeps,):
        f = jm.compile(fn)
        x = uniform(3)
        for _ in range(3):
            check(f, x)
        assert f.stats.compilations == 0 and f.stats.imperative_calls == 3
        assert f.reasons and ":" in f.reasons[0]


def bad_shapes(x, y):
    return x + y


def test_exception_is_the_plain_functions():
    f = jm.compile(bad_shapes)
    for _ in range(2):
        check(f, uniform(3), uniform(4))
    assert f.stats.compilations == 0


class Model:
    def __init__(self, n_in, n_out):
        self.W = uniform(n_in, n_out)
        self.b = uniform(n_out)
        self.scale = 0.5

    @jm.compile
    def forward(self, x):
        return np.tanh(x @ self.W + self.b) * self.scale


def test_methods_read_attributes_of_self():
    m1, m2 = Model(6, 4), Model(6, 4)
    x = uniform(2, 6)
    for m in (m1, m1, m2):
        want = np.tanh(x @ m.W + m.b) * m.scale
        np.testing.assert_allclose(m.forward(x), want, rtol=1e-5)
    s = Model.forward.stats
    assert s.compilations == 1 and s.graph_calls == 2
    assert any("self.W is an ndarray" in g for g in Model.forward.graphs[0].signature)


def ir_example(x, W):
    return np.tanh(x @ W)


def test_graph_ir_stages_and_assumptions_point_at_the_source():
    f = jm.compile(ir_example)
    x, W = uniform(2, 3), uniform(3, 4)
    f(x, W)
    g = f.graphs[0]
    assert "janus.matmul" in g.ir("janus") and "janus.tanh" in g.ir("janus")
    lowered = g.ir("lowered")
    assert "linalg.matmul" in lowered and "janus." not in lowered
    assert all("test_compile_basic.py:" in s for s in g.signature)
    with pytest.raises(ValueError):
        g.ir("llvm")


def test_dump_switch_writes_every_stage(tmp_path, monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_DUMP_DIR", str(tmp_path))
    monkeypatch.setenv("JANUS_MLIR_NO_CACHE", "1")
    f = jm.compile(ir_example)
    f(uniform(2, 3), uniform(3, 4))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.endswith(".janus.mlir") for n in names)
    assert any(n.endswith(".lowered.mlir") for n in names)
    assert any("iree-compile" in n for n in names)


@pytest.mark.parametrize("target", ["cuda", "vulkan-spirv"])
def test_gpu_target_compiles_and_runs_plain_python_without_a_device(target):
    from janus_mlir.runtime.targets import device_available

    if device_available(target):
        pytest.skip(f"a {target} device exists: covered by test_gpu_targets")
    f = jm.compile(target=target)(ir_example)
    x, W = uniform(2, 3), uniform(3, 4)
    check(f, x, W)
    check(f, x, W)
    assert f.stats.compilations == 0 and f.stats.imperative_calls == 2
    assert "no " + target + " device" in f.reasons[-1] and "bytes" in f.reasons[-1]


@pytest.mark.gpu
@pytest.mark.parametrize("target", ["cuda", "vulkan-spirv"])
def test_gpu_target_runs_compiled_graph(target):
    from janus_mlir.runtime.targets import device_available

    if not device_available(target):
        pytest.skip(f"no {target} device")
    f = jm.compile(target=target)(mlp)
    x, params = rng.random((128, 784), dtype=np.float32), mlp_params()
    for _ in range(3):
        check(f, x, *params)
    assert f.stats.graph_calls == 2, f.reasons


def overflowing_power(x, a):
    return x * (10.0 ** a)


def test_a_value_that_raises_while_profiling_does_not_block_later_graphs():
    f = jm.compile(overflowing_power)
    x = uniform(4)
    for a in (400.0, 2.0, 3.0, 2.0, 400.0, 1.0):
        check(f, x, a)  # 10.0 ** 400.0 raises OverflowError in the plain call too
    assert f.stats.graph_calls >= 3, f.reasons


def test_explain_recompilations_and_structured_reasons(capsys):
    f = jm.compile(scale)
    x = uniform(8)
    for alpha in (2.0, 2.0, 3.0, 4.0):
        check(f, x, alpha)
    assert f.stats.compilations == 2 and f.stats.recompilations == 1
    fallback = next(r for r in f.reasons if r.kind == "fallback")
    assert fallback.where.endswith(f"test_compile_basic.py:{scale.__code__.co_firstlineno}")
    assert "alpha == 2.0" in fallback.detail and str(fallback).startswith("fallback: ")
    jm.explain(f)
    out = capsys.readouterr().out
    assert "2 compilations (1 recompilations)" in out
    assert "assumes:" in out or "signature:" in out
    assert "fallback:" in out
