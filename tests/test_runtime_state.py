"""Arrays a graph writes in place stay in the caller's memory (runtime/state.py): the module
writes the caller's array itself through IREE's `iree.abi.output`, nothing is copied in or out,
and every value, alias and view is what plain Python gives. Where IREE could not keep the old
contents apart from the new ones, or a guard could fail after the write, nothing is tied."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.runtime.module import parse_declaration

from .equivalence import check
from .test_compile_effects import lockstep


class Params:
    def __init__(self, seed=0, shape=(64, 96)):
        rng = np.random.default_rng(seed)
        self.w = rng.standard_normal(shape).astype(np.float32)  # 24 KB: imported, not copied
        self.b = np.zeros(shape[1], np.float32)


def sgd(m, gw, gb, lr):
    m.w -= lr * gw
    m.b -= lr * gb


def _grads(i):
    rng = np.random.default_rng(100 + i)
    return (rng.standard_normal((64, 96)).astype(np.float32),
            rng.standard_normal(96).astype(np.float32), 0.1)


def _graph(f):
    assert len(f.graphs) == 1, f.reasons
    return f.graphs[0]


def _in_place(graph, frame) -> list[bool]:
    """For each tie of `graph`: whether one call left the tied result in its argument's array."""
    args = graph._arguments(frame)
    results = graph.executable(args, checked=graph._checked)
    return [results[r] is args[k] for k, r in graph.tied.items()]


def test_parameter_update_writes_the_callers_arrays_themselves():
    m = Params()
    w, view = m.w, m.w[3]  # the caller's own array and a view of it
    f = lockstep(sgd, (Params(),), calls=5, args=_grads)
    graph = _graph(f)
    assert f.stats.graph_calls >= 3, f.reasons
    assert sorted(graph.tied) and len(graph.tied) == 2
    assert "iree.abi.output" in graph.ir("lowered")
    for i in range(3):
        want = w - 0.1 * _grads(i)[0]
        f(m, *_grads(i))
        assert m.w is w
        np.testing.assert_allclose(m.w, want, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(view, m.w[3])
    assert _in_place(graph, graph.frame({"m": m, "gw": _grads(0)[0], "gb": _grads(0)[1],
                                         "lr": 0.1})) == [True, True]


def test_state_written_in_place_behaves_as_any_array_between_calls():
    m, plain = Params(), Params()
    f = jm.compile(sgd)
    for i in range(4):
        f(m, *_grads(i))
        sgd(plain, *_grads(i))
    assert f.stats.graph_calls >= 2, f.reasons
    m.w[0, :] = 5.0  # a write from Python is what the next call reads
    plain.w[0, :] = 5.0
    f(m, *_grads(9))
    sgd(plain, *_grads(9))
    np.testing.assert_allclose(m.w, plain.w, rtol=1e-6, atol=1e-7)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        np.testing.assert_array_equal(clone.w, m.w)
        np.testing.assert_array_equal(clone.b, m.b)
    assert np.asarray(m.w) is m.w


def test_misaligned_state_is_copied_back():
    class Offset:  # arrays 4 bytes past an aligned address: never imported
        def __init__(self):
            base = np.random.default_rng(0).standard_normal(64 * 96 + 1).astype(np.float32)
            self.w = base[1:].reshape(64, 96)
            self.b = np.zeros(97, np.float32)[1:]

    f = lockstep(sgd, (Offset(),), calls=5, args=_grads)
    graph = _graph(f)
    assert f.stats.graph_calls >= 3 and graph.tied, f.reasons
    m = Offset()
    assert _in_place(graph, graph.frame({"m": m, "gw": _grads(0)[0], "gb": _grads(0)[1],
                                         "lr": 0.1})) == [False, False]


def read_then_write(m, x, gw, gb, lr):
    y = x @ m.w + m.b  # m.w is read through a matmul (tied); m.b into an elementwise result
    sgd(m, gw, gb, lr)
    return y, m.w.sum()


def keep_old(m, gw, gb, lr):
    old = m.w.copy()
    sgd(m, gw, gb, lr)
    return old - m.w


def return_old_slice(m, gw, gb, lr):
    first = m.w[2:4] + 0.0
    sgd(m, gw, gb, lr)
    return first


def print_then_write(m, gw, gb, lr):
    print(m.w[:2, :3] > 0)
    sgd(m, gw, gb, lr)


@pytest.mark.parametrize("fn, args, tied", [
    (read_then_write, lambda i: (np.ones((5, 64), np.float32), *_grads(i)), 1),
    (keep_old, _grads, 1),  # m.b only: the old m.w is a result
    (return_old_slice, _grads, 1),
    (print_then_write, _grads, 1),
])
def test_old_contents_read_after_the_write(fn, args, tied):
    f = lockstep(fn, (Params(),), calls=5, args=args)
    graph = _graph(f)
    assert f.stats.graph_calls >= 3, f.reasons
    assert len(graph.tied) == tied, graph.ir("lowered")


def test_a_guard_failing_after_the_write_leaves_the_arrays_as_they_were():
    def step(m, gw, gb, lr, idx):
        sgd(m, gw, gb, lr)
        return m.b[idx]  # a bounds guard, checked in the graph

    f = jm.compile(step)
    m, plain = Params(), Params()
    for i, idx in enumerate([np.array([1, 2]), np.array([3, 0]), np.array([5, 7]),
                             np.array([2, 200]), np.array([4, 4])]):
        args = (*_grads(i), idx)
        want = got = None
        try:
            want = step(plain, *args)
        except IndexError:
            with pytest.raises(IndexError):
                f(m, *args)
        else:
            got = f(m, *args)
            np.testing.assert_allclose(got, want, rtol=1e-6)
        np.testing.assert_allclose(m.w, plain.w, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(m.b, plain.b, rtol=1e-6, atol=1e-7)
    graph = _graph(f)
    assert graph.spec.in_graph_guards and len(graph.tied) == 2
    # the call that raises is a fallback: the graph failed its guard, the plain call raised
    assert f.stats.graph_calls == 3 and f.stats.fallbacks == 1, f.reasons


def test_no_ties_where_a_guard_inside_a_loop_can_fail_after_the_write():
    def step(m, gw, gb, lr, idx, n):
        sgd(m, gw, gb, lr)
        total = 0.0
        for k in range(n):  # a run-time loop: its bounds guard is inside it
            total = total + m.b[idx[k]]
        return total

    f = jm.compile(step)
    idx = np.array([1, 2, 3, 4])
    for i in range(4):
        check(f, Params(), *_grads(i), idx, 2 + i % 3)
    graph = _graph(f)
    assert graph.spec.in_graph_guards and graph.tied == {}, graph.ir("lowered")


def test_training_step_with_gradients_updates_in_place():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((32, 64)).astype(np.float32), rng.standard_normal((32, 96))

    def loss(w, b, x, y):
        return ((np.tanh(x @ w + b) - y) ** 2).mean()

    grad = jm.value_and_grad(loss, argnums=(0, 1))

    def train(m, x, y):
        value, (gw, gb) = grad(m.w, m.b, x, y)
        m.w -= 0.05 * gw
        m.b -= 0.05 * gb
        return value

    m, plain = Params(), Params()
    f = jm.compile(train)
    for _ in range(6):
        got, want = f(m, x, y), train(plain, x, y)
        np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(m.w, plain.w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.b, plain.b, rtol=1e-5, atol=1e-6)
    graph = _graph(f)
    assert f.stats.graph_calls >= 3 and len(graph.tied) == 2, f.reasons


def test_declaration_names_the_result_an_argument_stores():
    args, results = parse_declaration(
        "sync func @main(%input0: tensor<4xf32>, %input1: tensor<2x3xf32> "
        "{iree.abi.output = 1 : index}) -> (%output0: tensor<f32>, %output1: tensor<2x3xf32>)")
    assert [a.output for a in args] == [None, 1]
    assert args[1].tensor and args[1].shape == (2, 3) and args[1].dtype == np.float32
    assert [r.output for r in results] == [None, None]
