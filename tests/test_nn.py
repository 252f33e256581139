"""janus_mlir.nn run eagerly, each function against an independent reference written as loops
over elements with Python's math module (no NumPy formulas shared with nn): shapes, float32 and
float64, large inputs that overflow naive formulas, and convolution/pooling over combinations
of stride, padding, dilation and groups."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from janus_mlir import nn

RNG = np.random.default_rng(11)
FLOATS = (np.float32, np.float64)


def tol(dtype) -> dict:
    return {"rtol": 2e-6, "atol": 1e-6} if np.dtype(dtype) == np.float32 else {
        "rtol": 1e-12, "atol": 1e-13}


def elementwise(f, x: np.ndarray) -> np.ndarray:
    return np.array([f(float(v)) for v in x.ravel()]).reshape(x.shape)


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v))


# ---------------------------------------------------------------------------------------------
# Activations, softmax family, losses, normalization, lookups
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4)])
def test_activations(dtype, shape) -> None:
    x = (RNG.standard_normal(shape) * 4).astype(dtype)
    c = math.sqrt(2 / math.pi)
    refs = {
        "relu": (nn.relu, lambda v: max(v, 0.0)),
        "sigmoid": (nn.sigmoid, _sigmoid),
        "gelu": (nn.gelu, lambda v: 0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v ** 3)))),
        "gelu exact": (lambda a: nn.gelu(a, approximate="none"),
                       lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2)))),
    }
    for name, (fn, ref) in refs.items():
        got = fn(x)
        assert got.dtype == dtype and got.shape == shape, name
        np.testing.assert_allclose(got, elementwise(ref, x), **tol(dtype), err_msg=name)


def test_activations_at_large_inputs() -> None:
    x = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4, np.inf, -np.inf])
    with np.errstate(over="raise", invalid="raise"):  # no overflow, no inf - inf
        s = nn.sigmoid(x)
        g = nn.gelu(x[:-2])
        ge = nn.gelu(x[:-2], approximate="none")
    np.testing.assert_array_equal(s, [0, 0, _sigmoid(-50.0), 0.5, _sigmoid(50.0), 1, 1, 1, 0])
    np.testing.assert_allclose(g, [0, 0, 0, 0, 50, 800, 1e4], atol=1e-300)
    np.testing.assert_allclose(ge, [0, 0, 0, 0, 50, 800, 1e4], atol=1e-300)
    assert np.isnan(nn.sigmoid(np.array([np.nan])))[0] and nn.relu(np.array([np.nan])).item() != 0


def test_erf_matches_math() -> None:
    from janus_mlir.nn.special import erf

    x = np.concatenate([np.linspace(-7, 7, 4001), [0.0, 1e-300, 2.5, -2.5, 30.0]])
    np.testing.assert_allclose(erf(x), elementwise(math.erf, x), rtol=0, atol=2e-15)
    assert erf(np.float32([0.5])).dtype == np.float32 and erf(np.arange(3)).dtype == np.float64


def test_gelu_rejects_unknown_approximation() -> None:
    with pytest.raises(ValueError, match="approximate"):
        nn.gelu(np.ones(2), approximate="erf")


def _softmax_ref(x: np.ndarray, axis: int) -> np.ndarray:
    x = np.moveaxis(x.astype(np.float64), axis, -1)
    out = np.empty_like(x)
    for idx in itertools.product(*map(range, x.shape[:-1])):
        row = [float(v) for v in x[idx]]
        m = max(row)
        total = math.fsum(math.exp(v - m) for v in row)
        out[idx] = [math.exp(v - m) / total for v in row]
    return np.moveaxis(out, -1, axis)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,axis", [((6,), -1), ((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1)])
def test_softmax_and_log_softmax(dtype, shape, axis) -> None:
    x = (RNG.standard_normal(shape) * 3).astype(dtype)
    want = _softmax_ref(x, axis)
    got = nn.softmax(x, axis=axis)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, **tol(dtype))
    np.testing.assert_allclose(nn.log_softmax(x, axis=axis), np.log(want), **tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_softmax_family_is_stable_for_large_logits(dtype) -> None:
    x = np.array([[1e4, 1e4 - 1, 1e4 - 3], [-1e4, -1e4 + 2, -1e4 - 100]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise"):
        p = nn.softmax(x)
        lp = nn.log_softmax(x)
        ce = nn.cross_entropy(x, np.array([2, 2]))
    shifted = (x.astype(np.float64) - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p, _softmax_ref(shifted, -1), **tol(dtype))
    want_lp = np.array([[v - math.log(math.fsum(math.exp(u) for u in row)) for v in row]
                        for row in shifted.tolist()])
    np.testing.assert_allclose(lp, want_lp, **tol(dtype))
    assert lp[1, 2] == pytest.approx(-102 - math.log1p(math.exp(-2)), rel=1e-6)  # p underflows
    np.testing.assert_allclose(ce, -(want_lp[0, 2] + want_lp[1, 2]) / 2, **tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 6), (1, 2)])
def test_cross_entropy(dtype, shape) -> None:
    logits = (RNG.standard_normal(shape) * 2).astype(dtype)
    labels = RNG.integers(0, shape[-1], shape[:-1])
    got = nn.cross_entropy(logits, labels)
    total, count = 0.0, 0
    for idx in itertools.product(*map(range, shape[:-1])):
        row = [float(v) for v in logits[idx]]
        m = max(row)
        lse = m + math.log(math.fsum(math.exp(v - m) for v in row))
        total += lse - row[labels[idx]]
        count += 1
    assert isinstance(got, np.floating) and got.dtype == dtype
    np.testing.assert_allclose(got, total / count, **tol(dtype))
    with pytest.raises(IndexError):
        nn.cross_entropy(logits, np.full(shape[:-1], shape[-1]))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(8,), (3, 8), (2, 3, 5)])
def test_layer_norm(dtype, shape) -> None:
    x = (RNG.standard_normal(shape) * 3 + 1).astype(dtype)
    d = shape[-1]
    gamma, beta = RNG.standard_normal(d).astype(dtype), RNG.standard_normal(d).astype(dtype)
    got = nn.layer_norm(x, gamma, beta, eps=1e-5)
    want = np.empty(shape)
    for idx in itertools.product(*map(range, shape[:-1])):
        row = [float(v) for v in x[idx]]
        mu = math.fsum(row) / d
        var = math.fsum((v - mu) ** 2 for v in row) / d
        want[idx] = [(v - mu) / math.sqrt(var + 1e-5) * float(g) + float(b)
                     for v, g, b in zip(row, gamma, beta)]
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


def test_embedding() -> None:
    table = RNG.standard_normal((10, 4)).astype(np.float32)
    ids = np.array([[0, 9, 3], [3, 3, 1]])
    got = nn.embedding(table, ids)
    assert got.shape == (2, 3, 4) and got.dtype == np.float32
    for i, j in itertools.product(range(2), range(3)):
        np.testing.assert_array_equal(got[i, j], table[ids[i, j]])
    with pytest.raises(IndexError):
        nn.embedding(table, np.array([10]))


def test_dropout() -> None:
    x = RNG.standard_normal((200, 50)).astype(np.float32)
    got = nn.dropout(x, 0.3, np.random.default_rng(5))
    draws = np.random.default_rng(5).random(x.shape)
    for idx in [(0, 0), (7, 3), (199, 49), (50, 25)]:
        keep = draws[idx] >= 0.3
        assert got[idx] == (np.float32(x[idx] * np.float32(1 / 0.7)) if keep else 0)
    assert got.dtype == np.float32
    assert abs((got == 0).mean() - 0.3) < 0.02
    assert nn.dropout(x, 0.5, np.random.default_rng(0), training=False) is x
    assert nn.dropout(x, 0.0, np.random.default_rng(0)) is x
    assert not nn.dropout(x, 1.0, np.random.default_rng(0)).any()
    with pytest.raises(ValueError):
        nn.dropout(x, 1.5, np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# Convolution and pooling against loops
# ---------------------------------------------------------------------------------------------


def _pad_ref(x: np.ndarray, ph: int, pw: int, value) -> np.ndarray:
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    for idx in itertools.product(range(n), range(c), range(h), range(w)):
        out[idx[0], idx[1], idx[2] + ph, idx[3] + pw] = x[idx]
    return out


def conv_ref(x, w, b, stride, padding, dilation, groups) -> np.ndarray:
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = _pad_ref(x.astype(np.float64), ph, pw, 0.0)
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for ni, fi, i, j in itertools.product(range(n), range(f), range(oh), range(ow)):
        g = fi // fg
        acc = math.fsum(xp[ni, g * cg + ci, i * sh + a * dh, j * sw + bb * dw] * w[fi, ci, a, bb]
                        for ci in range(cg) for a in range(kh) for bb in range(kw))
        out[ni, fi, i, j] = acc + (0.0 if b is None else float(b[fi]))
    return out


CONV = [  # (x shape, w shape, bias, stride, padding, dilation, groups)
    ((2, 3, 6, 6), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1),
    ((1, 2, 7, 5), (3, 2, 2, 3), False, (2, 1), (0, 2), (1, 1), 1),
    ((1, 4, 9, 9), (6, 2, 3, 3), True, (2, 2), (1, 0), (2, 1), 2),
    ((2, 6, 5, 5), (6, 1, 3, 3), True, (1, 1), (1, 1), (1, 1), 6),
    ((1, 6, 8, 7), (9, 2, 1, 2), False, (3, 2), (2, 1), (1, 3), 3),
    ((1, 1, 1, 1), (2, 1, 1, 1), True, (5, 5), (3, 3), (1, 1), 1),
    ((0, 2, 4, 4), (2, 2, 3, 3), True, (1, 1), (0, 0), (1, 1), 1),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("xs,ws,bias,stride,padding,dilation,groups", CONV)
def test_conv2d(dtype, xs, ws, bias, stride, padding, dilation, groups) -> None:
    x = RNG.standard_normal(xs).astype(dtype)
    w = RNG.standard_normal(ws).astype(dtype)
    b = RNG.standard_normal(ws[0]).astype(dtype) if bias else None
    got = nn.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    want = conv_ref(x, w, b, stride, padding, dilation, groups)
    assert got.dtype == dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-5 if dtype == np.float32 else 1e-12)


def test_conv2d_int_and_mixed_dtypes() -> None:
    x = RNG.integers(-3, 4, (1, 2, 4, 4)).astype(np.int32)
    w = RNG.integers(-3, 4, (3, 2, 2, 2)).astype(np.int32)
    got = nn.conv2d(x, w, stride=2)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, conv_ref(x, w, None, (2, 2), (0, 0), (1, 1), 1))
    assert nn.conv2d(x, w.astype(np.float32)).dtype == np.float64


@pytest.mark.parametrize("call,error", [
    (lambda: nn.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((2, 2, 3, 3))), ValueError),
    (lambda: nn.conv2d(np.zeros((1, 4, 4, 4)), np.zeros((3, 2, 1, 1)), groups=2), ValueError),
    (lambda: nn.conv2d(np.zeros((1, 3, 2, 2)), np.zeros((2, 3, 3, 3))), ValueError),
    (lambda: nn.conv2d(np.zeros((3, 4, 4)), np.zeros((2, 3, 1, 1))), ValueError),
    (lambda: nn.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 1, 1)), np.zeros(3)), ValueError),
    (lambda: nn.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 1, 1)), stride=0), ValueError),
    (lambda: nn.conv2d(np.zeros((1, 3, 4, 4)), np.zeros((2, 3, 1, 1)), stride=1.5), TypeError),
    (lambda: nn.max_pool2d(np.zeros((1, 1, 4, 4)), 2, padding=2), ValueError),
    (lambda: nn.avg_pool2d(np.zeros((1, 1, 1, 4)), (4, 1), padding=(1, 0)), ValueError),
])
def test_invalid_arguments_raise(call, error) -> None:
    with pytest.raises(error):
        call()


def pool_ref(x, kernel, stride, padding, kind) -> np.ndarray:
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, c, oh, ow))
    for ni, ci, i, j in itertools.product(range(n), range(c), range(oh), range(ow)):
        vals = []
        for a, bb in itertools.product(range(kh), range(kw)):
            r, s = i * sh + a - ph, j * sw + bb - pw
            inside = 0 <= r < h and 0 <= s < w
            vals.append(float(x[ni, ci, r, s]) if inside else (0.0 if kind == "avg" else None))
        if kind == "avg":
            out[ni, ci, i, j] = math.fsum(vals) / (kh * kw)
        else:
            real = [v for v in vals if v is not None]
            out[ni, ci, i, j] = math.nan if any(math.isnan(v) for v in real) else max(real)
    return out


POOL = [((2, 3, 6, 6), (2, 2), None, (0, 0)), ((1, 2, 7, 5), (3, 3), (2, 2), (1, 1)),
        ((1, 1, 5, 8), (2, 3), (1, 2), (1, 1)), ((1, 2, 4, 4), 3, 1, 1),
        ((1, 1, 3, 3), (1, 1), (2, 2), (0, 0))]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,kernel,stride,padding", POOL)
def test_pooling(dtype, shape, kernel, stride, padding) -> None:
    x = RNG.standard_normal(shape).astype(dtype)
    k = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    s = k if stride is None else stride if isinstance(stride, tuple) else (stride, stride)
    p = padding if isinstance(padding, tuple) else (padding, padding)
    for kind, fn in (("max", nn.max_pool2d), ("avg", nn.avg_pool2d)):
        got = fn(x, kernel, stride, padding)
        assert got.dtype == dtype, kind
        np.testing.assert_allclose(got, pool_ref(x, k, s, p, kind), **tol(dtype), err_msg=kind)


def test_pooling_nan_ints_and_padding_semantics() -> None:
    x = np.array([[[[np.nan, 1.0, 2.0], [3.0, -4.0, 5.0], [6.0, 7.0, -np.inf]]]])
    np.testing.assert_array_equal(nn.max_pool2d(x, 2, 1),
                                  pool_ref(x, (2, 2), (1, 1), (0, 0), "max"))
    neg = -np.ones((1, 1, 2, 2))  # padding never wins a max, and counts as zeros in a mean
    np.testing.assert_array_equal(nn.max_pool2d(neg, 2, 1, 1), -np.ones((1, 1, 3, 3)))
    np.testing.assert_array_equal(nn.avg_pool2d(neg, 2, 1, 1)[0, 0, 0], [-0.25, -0.5, -0.25])
    xi = RNG.integers(-5, 5, (1, 2, 4, 4)).astype(np.int32)
    assert nn.max_pool2d(xi, 2).dtype == np.int32
    np.testing.assert_array_equal(nn.max_pool2d(xi, 3, 1, 1),
                                  pool_ref(xi, (3, 3), (1, 1), (1, 1), "max"))
    avg = nn.avg_pool2d(xi, 2)
    assert avg.dtype == np.float64
    np.testing.assert_allclose(avg, pool_ref(xi, (2, 2), (2, 2), (0, 0), "avg"), rtol=1e-15)
