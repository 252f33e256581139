"""Symbolic dims: after an array's shape guard misses, the axes that varied become the graph's
one symbolic dim (`tensor<?x784xf32>`), so a batch size that changes costs one more compilation,
not one per size. Ops that take symbolic dims: elementwise ufuncs, where, astype, matmul of a
(?, ..., k) operand, reductions over static axes (float sums of at most 128 elements per output),
basic indexing that takes a symbolic dim whole or within its first two elements, expand_dims and
squeeze; anything else gives the symbolic dim up (one graph per shape, as before)."""

from __future__ import annotations

import numpy as np

import janus_mlir as jm

from .equivalence import check

RNG = np.random.default_rng(3)
W1 = RNG.standard_normal((16, 8)).astype(np.float32)
B1 = RNG.standard_normal(8).astype(np.float32)
W2 = RNG.standard_normal((8, 3)).astype(np.float32)


def mlp(x, w1, b1, w2):
    h = np.maximum(x @ w1 + b1, 0.0)
    # (float64 of the input, not of h: h's last bits follow the matmul's summation order)
    return np.where(h > 1.0, h, h * 0.5) @ w2, x.astype(np.float64) * 2


def test_a_batch_size_that_changes_costs_one_more_compilation():
    f = jm.compile(mlp)
    for batch in (4, 8, 3, 16, 5, 32, 2, 7):
        check(f, RNG.standard_normal((batch, 16)).astype(np.float32), W1, B1, W2)
    assert f.stats.compilations == 2, f.reasons
    assert f.stats.graph_calls == 6
    assert "tensor<?x16xf32>" in f.graphs[-1].ir("janus")


def test_sizes_zero_and_one_get_graphs_of_their_own():
    f = jm.compile(mlp)
    for batch in (4, 8, 1, 3, 1, 0, 6):
        check(f, RNG.standard_normal((batch, 16)).astype(np.float32), W1, B1, W2)
    # 4 (static), then symbolic; 1 and 0 broadcast differently in NumPy: static graphs.
    assert f.stats.compilations == 4, f.reasons


def pair(x, y):
    return x * y + 1.0


def test_two_inputs_share_the_symbolic_dim_only_while_their_sizes_agree():
    f = jm.compile(pair)
    for n in (3, 4, 5, 6):
        a = RNG.standard_normal((n, 2)).astype(np.float32)
        check(f, a, a + 1)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 2, f.reasons
    a = RNG.standard_normal((4, 2)).astype(np.float32)
    check(f, a, RNG.standard_normal((5, 2)).astype(np.float32))  # ValueError, as in NumPy
    assert f.stats.graph_calls == 2


def reduces(x):
    return np.tanh(x).sum(axis=0), x.mean()  # float reductions over the symbolic dim


def test_float_reductions_over_the_symbolic_dim_keep_one_graph():
    f = jm.compile(reduces)
    for n in (3, 4, 5, 3, 4, 1000):
        check(f, RNG.standard_normal((n, 2)).astype(np.float32))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def sorts(x):
    return np.sort(np.tanh(x), axis=0)  # sort takes no symbolic dims: static shapes


def test_an_op_without_symbolic_dims_gives_them_up():
    f = jm.compile(sorts)
    for n in (3, 4, 5, 3, 4):
        check(f, RNG.standard_normal((n, 2)).astype(np.float32))
    assert f.stats.graph_calls == 2, f.reasons  # the repeats of 3 and 4
    assert any("symbolic dims given up" in r for r in f.reasons)


def columns(x, w):
    h = x @ w
    return (h[:, 0] * 2.0 + h[:, 1:].sum(axis=1), h[:2].sum(), h[1], h[:, None, 1:],
            np.expand_dims(h, 0).sum(axis=(0, 2)), np.squeeze(h[:, :1], axis=1), x[..., -1])


def test_basic_indexing_of_a_symbolic_batch_keeps_one_graph():
    f = jm.compile(columns)
    w = RNG.standard_normal((4, 3))
    for n in (5, 8, 2, 13, 5):
        check(f, RNG.standard_normal((n, 4)), w)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 3, f.reasons


def views_of_the_input(x):
    v = x[:, None]
    return v, x[:, 1], np.squeeze(v, axis=1)


def test_views_of_a_symbolic_input_are_views_of_the_callers_array():
    f = jm.compile(views_of_the_input)
    for n in (3, 6, 4, 9):
        check(f, np.arange(n * 2.0).reshape(n, 2))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 2, f.reasons


def beyond_the_first_two(x):
    return x[3], x[-1] * 2, x[:5].sum()


def test_indexing_a_symbolic_dim_past_its_first_two_elements_gives_it_up():
    f = jm.compile(beyond_the_first_two)
    for n in (6, 7, 9, 6):
        check(f, RNG.standard_normal((n, 2)))
    assert any("symbolic dims given up" in r for r in f.reasons), f.reasons
    assert f.stats.graph_calls == 1, f.reasons  # the repeat of 6


def reversed_columns(x):
    y = x * 1.5
    return y[None, :, ::-1] * 2.0, x[:, ::-2], x[:2]


def test_a_reversing_slice_of_a_symbolic_array_gives_the_dim_up():
    """A negative step on any dim of a symbolic array: one graph per shape (a whole symbolic
    dim with a reversed static one once gave the wrong elements)."""
    f = jm.compile(reversed_columns)
    for n in (4, 7, 4, 7):
        check(f, np.arange(n * 3.0).reshape(n, 3))
    assert f.stats.graph_calls == 2, f.reasons
    assert any("reversing slice" in r for r in f.reasons), f.reasons


def written_through_a_view(x):
    v = x[:, 0]
    v += 1.0
    return x.sum()


def test_a_write_through_a_view_of_a_symbolic_array_gives_the_dim_up():
    f = jm.compile(written_through_a_view)
    for n in (3, 4, 5, 3):
        check(f, RNG.standard_normal((n, 2)))
    assert f.stats.graph_calls == 1, f.reasons


def softmax_head(x, w):
    z = x @ w
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return p, p.mean(axis=1), z.max(axis=1), (z > 0).any(axis=1)


def test_reductions_over_static_axes_keep_the_symbolic_batch():
    w = RNG.standard_normal((16, 10)).astype(np.float32)
    f = jm.compile(softmax_head)
    for batch in (4, 8, 3, 16, 5, 64, 2):
        check(f, RNG.standard_normal((batch, 16)).astype(np.float32), w)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 5, f.reasons


def per_row(x, w):
    h = np.tanh(x @ w)
    return h.sum(axis=1) / x.shape[1] + len(x), x.size, x.shape[0] * 2


def test_shape_len_and_size_of_a_symbolic_dim_are_run_time_ints():
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    f = jm.compile(per_row)
    for batch in (3, 5, 7, 2, 9):
        check(f, RNG.standard_normal((batch, 4)).astype(np.float32), w)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 3, f.reasons


def rnn_over_rows(xs, h, w, u):
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ u + h @ w)
    return h, xs[-1] + 0, xs[len(xs) // 2, ...] * 2


def test_rows_of_a_symbolic_axis_at_run_time_indices_keep_one_graph():
    w = RNG.standard_normal((8, 8)).astype(np.float32) / 3
    u = RNG.standard_normal((4, 8)).astype(np.float32) / 2
    h = np.zeros((2, 8), np.float32)
    f = jm.compile(rnn_over_rows)
    for steps in (3, 4, 6, 2, 9, 5):
        check(f, RNG.standard_normal((steps, 2, 4)).astype(np.float32), h, w, u)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    assert "tensor<?x2x4xf32>" in f.graphs[-1].ir("janus")


def row_at(xs, k):
    return xs[k] * 2


def test_a_run_time_row_index_out_of_range_raises_as_numpy_does():
    f = jm.compile(row_at)
    for steps, k in ((3, 1), (4, -2), (5, 4), (6, -6)):
        check(f, RNG.standard_normal((steps, 3)).astype(np.float32), k)
    graphs = f.stats.graph_calls
    for k in (7, -8):  # IndexError, raised by the plain call after the guard fails
        check(f, RNG.standard_normal((7, 3)).astype(np.float32), k)
    assert f.stats.graph_calls == graphs and f.stats.fallbacks >= 2, f.reasons


def returns_a_row(xs):
    return xs[2]  # (rows 0 and 1 are in range for any length: static views, tested above)


def test_returning_a_view_at_a_run_time_offset_runs_as_plain_python():
    f = jm.compile(returns_a_row)
    for steps in (3, 4, 5):
        check(f, RNG.standard_normal((steps, 3)).astype(np.float32))
    assert any("view at a run-time offset" in str(r) for r in f.reasons), f.reasons


def batched_rows(x, w, v):
    return np.tanh(x @ w), x @ v  # (?, 3, 16) @ (16, 8) and (?, 3, 16) @ (16,)


def test_matmul_of_a_batch_of_matrices_keeps_one_graph():
    f = jm.compile(batched_rows)
    v = W1[:, 0].copy()
    for n in (4, 6, 3, 9, 2, 5):
        check(f, RNG.standard_normal((n, 3, 16)).astype(np.float32), W1, v)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    assert "tensor<?x3x16xf32>" in f.graphs[-1].ir("janus")


def halves_until_small(x):
    h = x * 1.0
    g = x * 1.0  # the same value as h's start: one SSA value, two carried values
    while h.sum() > 1:
        h = h * 0.5
        g = g + h
    return h, g


def halves_n_times(x, n):
    h = x * 1.0
    for _ in range(n):
        h = h * 0.5 + x
    return h


def test_run_time_loops_carry_arrays_of_a_symbolic_batch():
    # IREE resolves no dynamic dim through the barrier around a loop's initial values: such
    # values pass unwrapped (relaxed_loops._barrier), else iree-compile fails on every call.
    f, g = jm.compile(halves_until_small), jm.compile(halves_n_times)
    for batch in (3, 4, 5, 6, 7, 3, 9):
        x = np.abs(RNG.standard_normal((batch, 4))).astype(np.float32) * 3
        check(f, x)
        check(g, x, batch)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    assert g.stats.compilations == 2 and g.stats.graph_calls == 5, g.reasons
    assert "tensor<?x4xf32>" in f.graphs[-1].ir("janus")


def fills_rows(x):
    y = np.zeros_like(x)
    for i in range(x.shape[0]):
        y[i] = x[i] * 2
    y[0] += 1.0
    y[-1] = np.ones_like(x[0])
    return y, np.full_like(x, 3, dtype=np.int32)


def test_rows_written_at_run_time_indices_keep_one_graph():
    f = jm.compile(fills_rows)
    for batch in (3, 4, 5, 6, 7, 3):
        check(f, RNG.standard_normal((batch, 4)).astype(np.float32))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    assert "tensor<?x4xf32>" in f.graphs[-1].ir("janus")


def writes_row(x, k):
    y = np.zeros_like(x)
    y[k] = 1.0
    return y


def test_a_row_written_out_of_range_raises_index_error():
    f = jm.compile(writes_row)
    for batch, k in ((3, 1), (4, 2), (5, -1), (6, 3), (7, 7), (8, -9), (4, 0)):
        check(f, RNG.standard_normal((batch, 4)).astype(np.float32), k)  # (7, 7): IndexError
    assert f.stats.graph_calls >= 3, f.reasons
