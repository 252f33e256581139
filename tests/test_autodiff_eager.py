"""jm.grad / jm.value_and_grad in plain Python: API, structure, errors, and gradients of
realistic NumPy code checked against central differences."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm


def numeric_grad(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def check_grad(f, x, rtol=1e-5, atol=1e-7):
    np.testing.assert_allclose(jm.grad(f)(x), numeric_grad(f, x), rtol=rtol, atol=atol)


rng = np.random.default_rng(0)


def test_structure_of_gradients_follows_the_arguments():
    params = {"W": rng.standard_normal((3, 2)), "b": [np.zeros(2), 0.5]}

    def loss(p, x):
        return np.sum(np.tanh(x @ p["W"] + p["b"][0]) * p["b"][1])

    g = jm.grad(loss)(params, rng.standard_normal((4, 3)))
    assert list(g) == ["W", "b"] and isinstance(g["b"], list)
    assert g["W"].shape == (3, 2) and g["W"].dtype == np.float64
    assert type(g["b"][1]) is float


def test_argnums_tuple_value_and_aux():
    def f(x, y, scale):
        return np.sum(x * y) * scale, {"n": x.size}

    x, y = np.arange(3.0), np.ones(3)
    (value, aux), (gx, gy) = jm.value_and_grad(f, argnums=(0, 1), has_aux=True)(x, y, 2.0)
    assert value == np.float64(6.0) and aux == {"n": 3}
    np.testing.assert_array_equal(gx, 2 * y)
    np.testing.assert_array_equal(gy, 2 * x)
    grads, aux2 = jm.grad(f, has_aux=True)(x, y, 2.0)
    np.testing.assert_array_equal(grads, 2 * y)


def test_float32_stays_float32_and_scalars_keep_their_type():
    x = rng.standard_normal(5).astype(np.float32)
    g = jm.grad(lambda x: np.mean(x * 3.0))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, np.full(5, 0.6, np.float32))
    assert type(jm.grad(lambda s: s * s)(3.0)) is float
    assert type(jm.grad(lambda s: s * s)(np.float32(3.0))) is np.float32


def test_inputs_not_used_get_zero_gradients():
    g = jm.grad(lambda x, y: np.sum(x), argnums=1)(np.ones(2), np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_integer_input_raises_like_jax():
    with pytest.raises(TypeError, match="grad requires real-valued inputs"):
        jm.grad(lambda x: np.sum(x * 1.0))(np.arange(3))


def test_non_scalar_output_raises_like_jax():
    with pytest.raises(TypeError, match=r"Gradient only defined for scalar-output functions. "
                                        r"Output had shape: \(3,\)"):
        jm.grad(lambda x: x * 2)(np.ones(3))


def test_unsupported_function_says_which():
    with pytest.raises(TypeError, match="numpy.linalg|not supported|no derivative"):
        jm.grad(lambda x: np.sum(np.linalg.inv(x)))(np.eye(2))


def test_integer_labels_pass_through_indexing():
    logits = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])

    def xent(z):
        z = z - np.max(z, axis=1, keepdims=True)
        logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        return -np.mean(logp[np.arange(4), labels])

    check_grad(xent, logits)


def test_indexing_repeats_accumulate_and_masks():
    x = rng.standard_normal(5)
    g = jm.grad(lambda x: np.sum(x[[0, 0, 3]] * 2))(x)
    np.testing.assert_array_equal(g, [4, 0, 0, 2, 0])
    check_grad(lambda x: np.sum(x[x > 0] ** 2), x)
    check_grad(lambda x: np.sum(x[1:4:2] * x[::-1][:2].sum()), x)


def test_python_control_flow_just_runs():
    def f(x):
        total = 0.0
        while np.sum(x * x) > 0.1:
            x = x * 0.5
            total = total + np.sum(np.sin(x))
        if total > 0:
            return total * 2
        return -total

    check_grad(f, np.array([1.0, -0.3, 0.8]))


def test_recursion_over_a_tree():
    W = rng.standard_normal((4, 8)) * 0.5

    def encode(node, W):
        if not isinstance(node, tuple):
            return node
        left, right = encode(node[0], W), encode(node[1], W)
        return np.tanh(W @ np.concatenate([left, right]))

    leaves = [rng.standard_normal(4) for _ in range(3)]
    tree = ((leaves[0], leaves[1]), leaves[2])
    check_grad(lambda W: np.sum(encode(tree, W)), W)


def test_mlp_cross_entropy_gradient_matches_differences():
    x = rng.standard_normal((6, 5))
    y = np.array([0, 1, 2, 1, 0, 2])
    W2 = rng.standard_normal((4, 3))

    def loss(W1):
        h = np.maximum(x @ W1, 0.0)
        z = h @ W2
        z = z - z.max(axis=1, keepdims=True)
        return -np.mean(np.take_along_axis(z, y[:, None], axis=1)) + np.mean(
            np.log(np.exp(z).sum(axis=1)))

    check_grad(loss, rng.standard_normal((5, 4)))


def test_einsum_var_std_clip_pad():
    x = rng.standard_normal((3, 4))
    check_grad(lambda x: np.einsum("ij,kj->ik", x, x).sum(), x)
    check_grad(lambda x: np.var(x, axis=1, ddof=1).sum() + np.std(x), x)
    check_grad(lambda x: np.sum(np.clip(x, -0.5, 0.5) ** 2), x)
    check_grad(lambda x: np.sum(np.pad(x, 1) * np.arange(30.0).reshape(5, 6)), x)
    check_grad(lambda x: np.sum(np.cumsum(x, axis=1) ** 2), x)
    check_grad(lambda x: np.sum(np.cumprod(x, axis=1) * x) + x.cumprod().sum(), x)
    z = x.copy()
    z[1, 2] = z[2, 0] = 0.0  # a product with zeros: no division by x in the rule
    check_grad(lambda x: np.sum(np.cumprod(x, axis=1) ** 2) + x.cumsum(0).sum(), z)
    check_grad(lambda x: np.sum(np.stack([x, x ** 2], axis=1)[:, 1]), x)


def test_grad_of_grad_of_scalar_function():
    d2 = jm.grad(jm.grad(lambda x: x ** 3 + np.sin(x)))
    assert np.isclose(d2(0.7), 6 * 0.7 - np.sin(0.7))
    d3 = jm.grad(jm.grad(jm.grad(lambda x: np.exp(2 * x))))
    assert np.isclose(d3(0.3), 8 * np.exp(0.6))


def test_the_value_is_what_the_function_returns():
    def f(x):
        return np.sum(x) * np.float32(2)

    x = np.ones(3, np.float32)
    value, _ = jm.value_and_grad(f)(x)
    assert type(value) is type(f(x)) and value == f(x)


def test_kron_cross_copy():
    x = rng.standard_normal((2, 3))
    w = rng.standard_normal((4, 3))
    check_grad(lambda x: np.sum(np.kron(x, np.arange(6.0).reshape(3, 2)) ** 2), x)
    check_grad(lambda x: np.sum(np.kron(x[0], x) * np.arange(18.0).reshape(2, 9)), x)
    check_grad(lambda x: np.sum(np.cross(x, w[:, None]) ** 2), x)
    check_grad(lambda x: np.sum(np.cross(x.T, x.T[::-1], axis=0) * np.arange(6.0).reshape(3, 2)),
               x)
    check_grad(lambda x: np.sum(np.copy(x) * x), x)
