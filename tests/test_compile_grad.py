"""jm.grad / jm.value_and_grad inside @jm.compile: one graph with the forward pass, the
backward pass (the janus-autodiff pass) and what the function does with the gradients,
compared by the oracle with the plain function (which runs eager jm.grad)."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir import nn

from .equivalence import check

RNG = np.random.default_rng(3)
F32 = np.float32


def _f32(*shape):
    return RNG.standard_normal(shape).astype(F32)


X, Y = _f32(8, 5), _f32(8, 3)
W, B = _f32(5, 3), np.zeros(3, F32)
LABELS = np.array([0, 2, 1, 1, 0, 2, 2, 1])


def mse(W, b, x, y):
    h = np.tanh(x @ W + b)
    return np.mean((h - y) ** 2)


def xent(W, b, x, labels):
    z = x @ W + b
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.take_along_axis(logp, labels[:, None], axis=1))


def attention(q, k, v):
    s = np.einsum("qd,kd->qk", q, k) / np.sqrt(F32(q.shape[1]))
    s = np.exp(s - s.max(axis=-1, keepdims=True))
    p = s / s.sum(axis=-1, keepdims=True)
    return np.sum((p @ v) ** 2)


def shapes_and_slices(x):
    parts = np.concatenate([x[:, :2], x[:, 2:] * 2.0], axis=1)
    return np.sum(np.where(parts > 0, parts, 0.1 * parts)) + np.sum(x.T.reshape(-1)[::2] ** 2)


def reductions(x):
    return np.max(x, axis=0).sum() + np.min(x) * np.prod(x[:2, :2]) + np.var(x)


def scans(x):
    return np.sum(np.cumprod(x, axis=1) * x) + np.sum(x.cumsum(axis=0) ** 2) + x.cumprod()[-1]


def with_aux(W, b, x, y):
    h = np.tanh(x @ W + b)
    return np.mean((h - y) ** 2), h


def step(W, b, x, y):
    loss, (gW, gb) = jm.value_and_grad(mse, argnums=(0, 1))(W, b, x, y)
    return loss, W - 0.1 * gW, b - 0.1 * gb


def xent_step(W, b, x, labels):
    loss, (gW, gb) = jm.value_and_grad(xent, argnums=(0, 1))(W, b, x, labels)
    return loss, W - 0.5 * gW, b - 0.5 * gb


def grad_of_attention(q, k, v):
    return jm.grad(attention, argnums=(0, 1, 2))(q, k, v)


def grad_of_shapes(x):
    return jm.grad(shapes_and_slices)(x)


def grad_of_reductions(x):
    return jm.grad(reductions)(x)


def grad_of_scans(x):
    return jm.grad(scans)(x)


def aux_step(W, b, x, y):
    (loss, h), g = jm.value_and_grad(with_aux, has_aux=True)(W, b, x, y)
    return loss, h.sum(), g


def pytree_params(params, x, y):
    def loss(p):
        return mse(p["W"], p["b"], x, y)

    return jm.grad(loss)(params)


GRAD_MSE = jm.grad(mse)


def global_grad_function(W, b, x, y):
    return GRAD_MSE(W, b, x, y) * 2


def python_float_argument(s, x):
    return jm.grad(lambda s, x: np.sum(np.sin(x * s)))(s, x)


CASES = [
    (step, (W, B, X, Y)),
    (xent_step, (W, B, X, LABELS)),
    (grad_of_attention, (_f32(4, 6), _f32(5, 6), _f32(5, 3))),
    (grad_of_shapes, (_f32(3, 4),)),
    (grad_of_reductions, (_f32(3, 4),)),
    (grad_of_scans, (np.array([[0.5, -1.2, 0.0, 2.0, 0.7], [1.1, 0.9, -0.4, 1.3, 0.0],
                               [0.8, 1.5, 0.6, -0.9, 1.2]], F32),)),
    (aux_step, (W, B, X, Y)),
    (pytree_params, ({"W": W, "b": B}, X, Y)),
    (global_grad_function, (W, B, X, Y)),
    (python_float_argument, (0.7, _f32(6))),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[f.__name__ for f, _ in CASES])
def test_compiled_gradients_equal_eager(fn, args):
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 1, f.reasons
    assert f.stats.compilations == 1


def test_a_batch_size_that_changes_keeps_one_gradient_graph():
    """The MSE step over batches of 5 sizes: the batch becomes the graph's symbolic dim, and
    the backward pass (weight gradients contracting over it, the mean's count read when the
    graph runs) keeps it: two compilations in all."""
    f = jm.compile(step)
    for n in (8, 16, 12, 9, 30, 8):
        check(f, W, B, _f32(n, 5), _f32(n, 3))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    assert "tensor<?x5xf32>" in f.graphs[-1].ir("janus")


def relu_sums(W, b, x):
    h = np.maximum(x @ W + b, 0.0)
    return np.sum(h * h) / 3.0 + np.mean(h, axis=0).sum()


def softmax_nll(W, b, x):
    z = x @ W + b
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return -np.mean(np.log(e / e.sum(axis=1, keepdims=True) + 1e-3))


def leaky_and_abs(W, b, x):
    z = x @ W + b
    return np.mean(np.where(z > 0, z, 0.1 * z)) + np.mean(np.abs(z)) + np.min(z)


def transposed(W, b, x):
    z = nn.sigmoid(x @ W).T  # (3, ?) @ (?, 5) forward, (3, 5) @ (5, ?) backward
    return np.sum(z @ x) * 0.01 + np.prod(b + 2.0)


def unit_dims(W, b, x):
    z = np.expand_dims(x @ W + b, 1)  # (?, 1, 3): expand_dims and squeeze undo each other
    return np.mean(np.squeeze(z * z, 1)) + np.sum(np.squeeze(z, axis=1).max(axis=1))


@pytest.mark.parametrize("loss", [relu_sums, softmax_nll, leaky_and_abs, transposed, unit_dims])
def test_gradients_over_a_symbolic_batch_equal_eager(loss):
    def grads(W, b, x):
        return jm.value_and_grad(loss, argnums=(0, 1))(W, b, x)

    f = jm.compile(grads)
    for n in (5, 8, 3, 11, 2, 7):
        check(f, W, B + F32(0.1), _f32(n, 5))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def masked_loss(w, x, t):
    h = x @ w
    sel = h[h > t]
    return np.sum(sel ** 2) / (1.0 + sel.shape[0]) + np.mean(h[:, 1:][x[:, :2] > 0.0])


def masked_rows_loss(w, x, t):
    h = np.tanh(x @ w)
    keep = x[:, 0] > t
    return np.sum(h[keep] ** 2) + np.sum(h[:, keep[:3]])


@pytest.mark.parametrize("loss", [masked_loss, masked_rows_loss])
def test_gradients_through_mask_selections_equal_eager(loss):
    """A count the graph computes: the selection's cotangent is scattered back at the mask's
    nonzero positions, so nothing is read when nothing was selected (t = 100)."""
    def grads(w, x, t):
        return jm.value_and_grad(loss)(w, x, t)

    f = jm.compile(grads)
    w = _f32(4, 3)
    for t in (0.0, 0.5, 100.0, -100.0, 0.2, 100.0):
        check(f, w, _f32(8, 4), t)
    assert f.stats.graph_calls >= 4, f.reasons


def first_column_loss(W, x):
    h = np.tanh(x @ W)
    return np.sum(h[:, 0] ** 2) + np.mean(h) + np.sum(h[:, 1])


def test_gradients_through_slices_of_a_symbolic_batch_are_one_graph_per_size():
    """slice's rule writes the cotangent into zeros of x's shape (slice_update, static shapes
    only). Two insert_slices into one CSE'd zeros of a symbolic shape made IREE 3.13 write both
    cotangents into one buffer (the sum of the two slices' gradients came out wrong), so the
    dim is given up: one graph per batch size, values as eager."""
    f = jm.compile(lambda W, x: jm.grad(first_column_loss)(W, x))
    for n in (4, 6, 4, 6):
        check(f, W, _f32(n, 5))
    assert f.stats.graph_calls == 2, f.reasons
    assert any("symbolic dims given up" in r for r in f.reasons), f.reasons


def test_a_rule_that_needs_static_shapes_gives_the_symbolic_batch_up(monkeypatch):
    """A derivative rule that cannot take a symbolic dim fails when the lowering is tried at
    conversion: the dim is given up there (one graph per batch size), never at compilation."""
    import dataclasses

    from janus_mlir.ops import registry

    rule = registry.OPS["tanh"]

    def static_only(g, ans, x):
        if not all(type(d) is int for d in x.shape):
            raise TypeError("this rule needs static shapes")
        return rule.vjp(g, ans, x)

    monkeypatch.setitem(registry.OPS, "tanh", dataclasses.replace(rule, vjp=static_only))
    f = jm.compile(lambda W, x: jm.grad(lambda W, x: np.mean(np.tanh(x @ W)))(W, x))
    for n in (4, 6, 4, 6):
        check(f, W, _f32(n, 5))
    assert f.stats.graph_calls == 2, f.reasons
    assert any("this rule needs static shapes" in r for r in f.reasons), f.reasons


def test_training_loop_reaches_the_same_losses():
    f = jm.compile(step)
    Wc, bc, We, be = W.copy(), B.copy(), W.copy(), B.copy()
    for _ in range(20):
        lc, Wc, bc = f(Wc, bc, X, Y)
        le, We, be = step(We, be, X, Y)
        np.testing.assert_allclose(lc, le, rtol=1e-5)
    np.testing.assert_allclose(Wc, We, rtol=1e-4, atol=1e-6)
    assert f.stats.compilations == 1 and f.stats.graph_calls == 19


def test_the_graph_holds_forward_and_backward_in_one_function():
    f = jm.compile(step)
    f(W, B, X, Y)
    f(W, B, X, Y)
    (graph,) = f.graphs
    assert "janus.value_and_grad" in graph.ir("janus")
    lowered = graph.ir("lowered")
    assert "janus." not in lowered and lowered.count("func.func") == 1


def picked(x, labels, axis):
    return np.sum(np.take_along_axis(np.tanh(x), labels, axis=axis) ** 2)


def grad_of_picked(x, labels, axis):
    return jm.grad(picked)(x, labels, axis)


@pytest.mark.parametrize("shape, axis, lanes", [((8, 5), 1, 1), ((8, 5), 0, 1),
                                                ((3, 4, 5), 1, 1), ((8, 5), 1, 2)],
                         ids=["rows", "columns", "3d", "two-per-row"])
def test_take_along_axis_gradients_need_no_scatter_for_one_index_per_lane(shape, axis, lanes):
    """Cross-entropy's `take_along_axis(logp, labels[:, None], 1)`: its cotangent is a select
    that fuses into the softmax backward, not a scatter dispatch (which a graph with two
    indices per lane still gets, as they may repeat)."""
    x = _f32(*shape)
    lane_shape = tuple(lanes if d == axis else n for d, n in enumerate(shape))
    labels = RNG.integers(-shape[axis], shape[axis], size=lane_shape)
    f = jm.compile(grad_of_picked)
    check(f, x, labels, axis)
    check(f, x, labels, axis)
    assert f.stats.graph_calls == 1, f.reasons
    assert ("iree_linalg_ext.scatter" in f.graphs[0].ir("lowered")) == (lanes > 1)


def branchy(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(-x)


def grad_through_a_branch(x):
    return jm.grad(branchy)(x)


def test_a_branch_inside_the_differentiated_function_is_speculated_then_relaxed():
    f = jm.compile(grad_through_a_branch)
    x = np.abs(_f32(4)) + 2
    for sign in (1, 1, -1, 1, -1, 1, -1):  # the guard fails once; then one graph, both sides
        check(f, sign * x)
    assert f.stats.fallbacks == 1
    assert f.stats.graph_calls >= 4
    assert "scf.if" in f.graphs[-1].ir("janus")


def piecewise(w, x):
    h = x @ w
    y = np.where(h > 0, h, 0.1 * h)
    if np.mean(y) > 0.5:
        y = np.tanh(y) * w.sum()
    elif np.mean(y) > -0.5:
        y = y * y
    return np.sum(y)


def grad_through_elif(w, x):
    return jm.value_and_grad(piecewise)(w, x)


def test_gradients_through_elif_chains_on_array_data():
    f = jm.compile(grad_through_elif)
    w = _f32(3, 2)
    for scale in (3.0, 3.0, 0.01, -3.0, 3.0, 0.01, -3.0):
        check(f, w, X[:4, :3] * F32(scale))
    assert f.stats.graph_calls >= 3


def int_input(n, x):
    return jm.grad(lambda n: np.sum(x * n))(n)


def test_integer_input_raises_the_same_error():
    f = jm.compile(int_input)
    check(f, np.arange(3), _f32(3))
    check(f, np.arange(3), _f32(3))


def rnn(W, U, xs, T):
    h = np.zeros(4, F32)
    for t in range(T):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def grad_of_rnn(W, U, xs, T):
    return jm.value_and_grad(rnn, argnums=(0, 1))(W, U, xs, T)


def test_gradients_through_a_loop_of_varying_trip_count():
    """Reverse mode through scf.for: one graph for every T (including 0 trips)."""
    f = jm.compile(grad_of_rnn)
    W, U, xs = _f32(4, 4) * F32(0.5), _f32(4, 3), _f32(90, 3)
    for T in (70, 75, 3, 0, 90, 1):
        check(f, W, U, xs, T)
    assert f.stats.compilations == 2  # T constant first; after its guard failed, a run-time T
    assert f.stats.graph_calls == 4


def nested_loops(w, x):
    acc = np.zeros_like(w)
    for i in range(70):
        for j in range(3):
            acc = acc * F32(0.9) + np.sin(w * x[i, j])
    return np.sum(acc)


def grad_of_nested_loops(w, x):
    return jm.grad(nested_loops)(w, x)


def test_gradients_through_nested_loops():
    f = jm.compile(grad_of_nested_loops)
    check(f, _f32(3), _f32(70, 3))
    check(f, _f32(3), _f32(70, 3))
    assert f.stats.graph_calls == 1, f.reasons


def until_small(x, w):
    total = F32(0)
    while np.sum(x * x) > 0.01:
        x = np.tanh(x * w)
        total = total + np.sum(x)
    return total


def grad_of_while(x, w):
    return jm.value_and_grad(until_small, argnums=(0, 1))(x, w)


def test_gradients_through_a_while_loop_on_array_data():
    """Reverse mode through scf.while (JAX refuses it): one graph for every trip count."""
    f = jm.compile(grad_of_while)
    x = np.array([1.0, -2.0, 0.5], F32)
    for scale in (1.0, 1.0, 0.5, 2.0, 0.01, 1.0):
        check(f, x * F32(scale), F32(0.9))
    assert f.stats.compilations == 1 and f.stats.graph_calls == 4, f.reasons


def cnn_loss(params, x, labels):
    w1, w2, W = params
    h = nn.relu(nn.conv2d(x, w1, padding=1))
    h = nn.max_pool2d(h, 2)
    h = nn.avg_pool2d(nn.relu(nn.conv2d(h, w2, stride=1, groups=2)), 2)
    return nn.cross_entropy(h.reshape(h.shape[0], -1) @ W, labels)


def cnn_step(params, x, labels):
    value, grads = jm.value_and_grad(cnn_loss)(params, x, labels)
    return value, tuple(p - 0.1 * g for p, g in zip(params, grads))


def test_cnn_gradients_equal_eager():
    params = (_f32(4, 1, 3, 3) * F32(0.5), _f32(4, 2, 3, 3) * F32(0.3), _f32(4, 3) * F32(0.5))
    x, labels = _f32(2, 1, 8, 8), np.array([0, 2])
    f = jm.compile(cnn_step)
    check(f, params, x, labels)
    check(f, params, x, labels)
    assert f.stats.graph_calls == 1, f.reasons


class Tree:
    def __init__(self, word=None, left=None, right=None):
        self.word, self.left, self.right = word, left, right


def encode(node, emb, W):
    if node.word is not None:
        return emb[node.word]
    return np.tanh(np.concatenate([encode(node.left, emb, W), encode(node.right, emb, W)]) @ W)


def tree_loss(W, tree, emb):
    return np.sum(encode(tree, emb, W) ** 2)


def grad_of_tree(W, tree, emb):
    return jm.value_and_grad(tree_loss)(W, tree, emb)


def random_tree(rng, leaves):
    nodes = [Tree(word=int(rng.integers(0, 10))) for _ in range(leaves)]
    while len(nodes) > 1:
        i = int(rng.integers(0, len(nodes) - 1))
        nodes[i:i + 2] = [Tree(left=nodes[i], right=nodes[i + 1])]
    return nodes[0]


def test_tree_rnn_gradients_over_fresh_trees_keep_one_graph():
    """Reverse mode through the recursion's schedule loop: one graph for every tree shape."""
    f = jm.compile(grad_of_tree)
    emb, W = _f32(10, 4), _f32(8, 4) * F32(0.5)
    rng = np.random.default_rng(2)
    trees = [Tree(left=Tree(word=1), right=Tree(left=Tree(word=3), right=Tree(word=7)))]
    trees += [random_tree(rng, int(rng.integers(1, 9))) for _ in range(6)]
    for tree in trees:
        check(f, W, tree, emb)
    assert f.stats.compilations == 1 and f.stats.graph_calls == len(trees) - 1, f.reasons


def score(node, emb, w):
    if node.word is not None:
        return np.tanh(emb[node.word] @ w)
    return score(node.left, emb, w) * F32(0.5) + np.sin(score(node.right, emb, w))


def grad_of_score(w, tree, emb):
    return jm.value_and_grad(lambda w, tree, emb: score(tree, emb, w) ** 2)(w, tree, emb)


def test_gradients_through_a_recursion_of_rank0_results():
    """Each node gives a scalar: the memo's rows are one-element slices, reshaped."""
    f = jm.compile(grad_of_score)
    emb, w = _f32(10, 4), _f32(4)
    rng = np.random.default_rng(5)
    trees = [random_tree(rng, n) for n in (3, 1, 6, 4, 9)]
    for tree in trees:
        check(f, w, tree, emb)
    assert f.stats.compilations == 1 and f.stats.graph_calls == len(trees) - 1, f.reasons


def lstm_loss(params, xs, T, target):
    Wx, Wh, b, Wo = params
    H = Wh.shape[0]
    h = np.zeros(H, F32)
    c = np.zeros(H, F32)
    for t in range(T):
        z = xs[t] @ Wx + h @ Wh + b
        i, f, o = nn.sigmoid(z[:H]), nn.sigmoid(z[H:2 * H]), nn.sigmoid(z[2 * H:3 * H])
        g = np.tanh(z[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
    return np.mean((h @ Wo - target) ** 2)


def lstm_step(params, xs, T, target):
    loss, grads = jm.value_and_grad(lstm_loss)(params, xs, T, target)
    return loss, tuple(p - 0.1 * g for p, g in zip(params, grads))


def test_lstm_gradients_equal_eager_for_every_sequence_length():
    H, D = 4, 3
    params = (_f32(D, 4 * H) * F32(0.5), _f32(H, 4 * H) * F32(0.5), _f32(4 * H) * F32(0.1),
              _f32(H, 2))
    xs, target = _f32(12, D), _f32(2)
    f = jm.compile(lstm_step)
    for T in (5, 5, 9, 3, 12, 5):
        check(f, params, xs, T, target)
    assert f.stats.compilations == 2, f.reasons  # T constant, then T a run-time input
    assert f.stats.graph_calls == 4


def mlp_out(x, W):
    return np.sum(np.tanh(x @ W) ** 2)


def grad_norm(W, x):
    g = jm.grad(mlp_out, argnums=1)(x, W)
    return np.sum(g * g)


def grad_of_grad_norm(W, x):
    return jm.value_and_grad(grad_norm)(W, x)


def test_gradients_of_gradients_compile_into_one_graph():
    """The inner janus.value_and_grad is expanded first; the outer differentiates its ops."""
    f = jm.compile(grad_of_grad_norm)
    W, x = _f32(3, 2), _f32(4, 3)
    check(f, W, x)
    check(f, W, x)
    assert f.stats.graph_calls == 1, f.reasons
    assert f.graphs[0].ir("janus").count("janus.value_and_grad") == 2
