"""Every derivative rule of the op registry checked numerically, one line per op.

For an op f with operands x and a random cotangent g of its result, the rule's cotangents c_i
must satisfy  sum_i <c_i, v_i> = d/dt <g, f(x + t v)> at t = 0  for random directions v
(central differences in float64). Operands, shapes and attributes come from hypothesis.
The coverage test fails for an op whose results can carry a derivative but that has no rule
and is not listed, with the reason, in NOT_DIFFERENTIABLE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import janus_mlir as jm
from janus_mlir.ops.registry import OPS, lookup

F64 = np.float64
shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)
seeds = st.integers(0, 2**31 - 1)


def _arr(rng: np.random.Generator, shape, lo=-2.0, hi=2.0) -> np.ndarray:
    return rng.uniform(lo, hi, size=shape).astype(F64)


def _away(rng, shape, lo=0.2, hi=2.0):
    """Values of either sign, at least `lo` away from zero."""
    return _arr(rng, shape, lo, hi) * rng.choice([-1.0, 1.0], size=shape)


Draw = Callable[[Any, np.random.Generator], tuple[list[Any], dict[str, Any]]]


def unary(lo=-2.0, hi=2.0, away=False) -> Draw:
    def draw(data, rng):
        shape = data.draw(shapes)
        return [(_away(rng, shape, lo, hi) if away else _arr(rng, shape, lo, hi))], {}
    return draw


def binary(lo=-2.0, hi=2.0, away_rhs=False, away_lhs=False) -> Draw:
    """Two operands whose shapes broadcast (one side may have fewer or size-1 dims)."""
    def draw(data, rng):
        shape = data.draw(shapes)
        other = tuple(n if data.draw(st.booleans()) else 1 for n in shape)
        other = other[data.draw(st.integers(0, len(other))):]
        a, b = (shape, other) if data.draw(st.booleans()) else (other, shape)
        x = _away(rng, a, 0.2, hi) if away_lhs else _arr(rng, a, lo, hi)
        y = _away(rng, b, 0.2, hi) if away_rhs else _arr(rng, b, lo, hi)
        return [x, y], {}
    return draw


def reduction(positive=False) -> Draw:
    def draw(data, rng):
        shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
        axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1)))))
        x = _arr(rng, shape, 0.5, 2.0) if positive else _arr(rng, shape)
        return [x], {"axes": axes, "keepdims": data.draw(st.booleans())}
    return draw


def _matmul(data, rng):
    m, k, n = (data.draw(st.integers(1, 4)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (1,), (3, 1)]))
    a = (k,) if data.draw(st.booleans()) else (*batch, m, k)
    b = (k,) if data.draw(st.booleans()) else (*data.draw(st.sampled_from([(), (2,)])), k, n)
    return [_arr(rng, a), _arr(rng, b)], {}


def _einsum(data, rng):
    sub, shapes_ = data.draw(st.sampled_from([
        ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
        ("ij->", [(3, 4)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(3,), (2,)]),
        ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 2, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
        ("ij,j->i", [(3, 4), (4,)])]))
    return [_arr(rng, s) for s in shapes_], {"subscripts": sub}


def _reshape(data, rng):
    shape = data.draw(shapes)
    x = _arr(rng, shape)
    return [x], {"shape": (x.size,)}


def _transpose(data, rng):
    shape = data.draw(shapes)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    return [_arr(rng, shape)], {"perm": perm}


def _expand_dims(data, rng):
    shape = data.draw(shapes)
    return [_arr(rng, shape)], {"axes": (data.draw(st.integers(0, len(shape))),)}


def _squeeze(data, rng):
    shape = data.draw(shapes)
    i = data.draw(st.integers(0, len(shape)))
    return [_arr(rng, shape[:i] + (1,) + shape[i:])], {"axes": (i,)}


def _broadcast_to(data, rng):
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    small = tuple(n if data.draw(st.booleans()) else 1 for n in shape)[1:]
    return [_arr(rng, small)], {"shape": shape}


def _joined(name):
    def draw(data, rng):
        shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
        n = data.draw(st.integers(1, 3))
        axis = data.draw(st.integers(0, len(shape) - (1 if name == "concatenate" else 0)))
        xs = []
        for _ in range(n):
            s = list(shape)
            if name == "concatenate":
                s[axis] = data.draw(st.integers(1, 3))
            xs.append(_arr(rng, tuple(s)))
        return xs, {"axis": axis}
    return draw


def _slice(data, rng):
    shape = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple))
    starts, sizes, steps = [], [], []
    for n in shape:
        step = data.draw(st.sampled_from([1, 2, -1]))
        start = data.draw(st.integers(0, n - 1))
        room = (n - start + step - 1) // step if step > 0 else start + 1
        starts.append(start), steps.append(step), sizes.append(data.draw(st.integers(1, room)))
    return [_arr(rng, shape)], {"starts": tuple(starts), "sizes": tuple(sizes),
                                "steps": tuple(steps)}


def _slice_update(data, rng):
    (x,), attrs = _slice(data, rng)
    src = _arr(rng, attrs.pop("sizes"))
    return [x, src], attrs


def _take(data, rng):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx = rng.integers(-shape[axis], shape[axis], size=data.draw(shapes))
    return [_arr(rng, shape), idx], {"axis": axis}


def _bincount(data, rng):
    n = data.draw(st.integers(1, 6))
    return [rng.integers(0, 4, size=n), _arr(rng, (n,))], {"minlength": data.draw(
        st.integers(0, 6))}


def _gather(data, rng):
    if data.draw(st.booleans()):
        return _take_along_axis(data, rng)
    shape = data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=3).map(tuple))
    b = data.draw(st.lists(st.integers(1, 3), max_size=2).map(tuple))
    idx = [rng.integers(0, shape[d], size=b) for d in (0, 1)]
    return [_arr(rng, shape), *idx], {"axes": (0, 1), "position": 0}


def _take_along_axis(data, rng):
    """take_along_axis's gather, one index per lane (its cotangent needs no scatter)."""
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    axis = data.draw(st.integers(0, len(shape) - 1))
    lanes = tuple(1 if d == axis else n for d, n in enumerate(shape))
    idx = [rng.integers(-shape[d], shape[d], size=lanes) if d == axis else
           np.arange(n).reshape([-1 if e == d else 1 for e in range(len(shape))])
           for d, n in enumerate(shape)]
    return [_arr(rng, shape), *idx], {"axes": tuple(range(len(shape))), "position": 0}


def _scatter(data, rng):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple))
    b = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple))
    idx = rng.integers(0, shape[0], size=b)
    return [_arr(rng, shape), _arr(rng, b + shape[1:]), idx], {"axes": (0,), "position": 0,
                                                                 "mode": "add"}


def _cumsum(data, rng):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    return [_arr(rng, shape)], {"axis": data.draw(st.integers(0, len(shape) - 1))}


def _cumprod(data, rng):
    """Some operands with zeros (their cotangents are not g * out / x)."""
    (x,), attrs = _cumsum(data, rng)
    if data.draw(st.booleans()):
        x[tuple(rng.integers(0, n) for n in x.shape)] = 0.0
    return [x], attrs


def _sort(data, rng):
    (x,), attrs = _cumsum(data, rng)
    return [x], attrs  # distinct random values: no ties


def _tri(data, rng):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=2, max_size=3).map(tuple))
    return [_arr(rng, shape)], {"k": data.draw(st.integers(-2, 2)),
                                "upper": data.draw(st.booleans())}


def _diag_embed(data, rng):
    return [_arr(rng, (data.draw(st.integers(1, 4)),))], {"k": data.draw(st.integers(-2, 2))}


def _compress(data, rng):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    axis = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(1, len(shape) - axis))
    mask = rng.random(shape[axis:axis + k]) < 0.6
    return [_arr(rng, shape), mask], {"axis": axis}


def _conv2d(data, rng):
    groups = data.draw(st.sampled_from([1, 2]))
    c, f = 2 * groups, 2 * groups
    k = data.draw(st.integers(1, 3))
    pad, stride, dil = (data.draw(st.integers(0, 1)), data.draw(st.integers(1, 2)),
                        data.draw(st.integers(1, 2)))
    size = data.draw(st.integers(dil * (k - 1) + 1, 6))
    x = _arr(rng, (data.draw(st.integers(1, 2)), c, size, size + 1))
    w = _arr(rng, (f, c // groups, k, k))
    return [x, w], {"strides": (stride, stride), "padding": (pad, pad),
                    "dilations": (dil, dil), "groups": groups}


def _pool(data, rng):
    k = data.draw(st.integers(1, 3))
    pad = data.draw(st.integers(0, k // 2))
    stride = data.draw(st.integers(1, 2))
    size = data.draw(st.integers(k, 6))
    x = _arr(rng, (2, 2, size, size + 1))
    return [x], {"kernel": (k, k), "strides": (stride, stride), "padding": (pad, pad)}


def _where(data, rng):
    shape = data.draw(shapes)
    return [rng.random(shape) < 0.5, _arr(rng, shape), _arr(rng, shape[1:])], {}


def _astype(data, rng):
    return [_arr(rng, data.draw(shapes)).astype(np.float32)], {"dtype": np.dtype(F64)}


# name -> how to draw its operands and attributes (one line per op)
CASES: dict[str, Draw] = {
    "add": binary(), "subtract": binary(), "multiply": binary(),
    "divide": binary(away_rhs=True), "power": binary(0.3, 2.0), "float_power": binary(0.3, 2.0),
    "maximum": binary(), "minimum": binary(), "fmax": binary(), "fmin": binary(),
    "arctan2": binary(away_rhs=True), "hypot": binary(away_lhs=True),
    "logaddexp": binary(), "logaddexp2": binary(),
    "remainder": binary(0.3, 2.0, away_rhs=True), "fmod": binary(0.3, 2.0, away_rhs=True),
    "copysign": binary(away_lhs=True, away_rhs=True), "floor_divide": binary(0.3, 2.0),
    "heaviside": binary(away_lhs=True),
    "negative": unary(), "positive": unary(), "absolute": unary(away=True), "square": unary(),
    "reciprocal": unary(away=True), "sqrt": unary(0.2, 3.0), "cbrt": unary(away=True),
    "exp": unary(), "exp2": unary(), "expm1": unary(), "log": unary(0.2, 3.0),
    "log2": unary(0.2, 3.0), "log10": unary(0.2, 3.0), "log1p": unary(-0.5, 2.0),
    "sin": unary(), "cos": unary(), "tan": unary(-1.2, 1.2), "arcsin": unary(-0.9, 0.9),
    "arccos": unary(-0.9, 0.9), "arctan": unary(), "sinh": unary(), "cosh": unary(),
    "tanh": unary(), "deg2rad": unary(), "radians": unary(), "rad2deg": unary(),
    "degrees": unary(), "sign": unary(away=True), "floor": unary(), "ceil": unary(),
    "trunc": unary(), "rint": unary(),
    "where": _where, "astype": _astype,
    "sum": reduction(), "mean": reduction(), "prod": reduction(positive=True),
    "max": reduction(), "min": reduction(),
    "matmul": _matmul, "einsum": _einsum,
    "reshape": _reshape, "transpose": _transpose, "expand_dims": _expand_dims,
    "squeeze": _squeeze, "broadcast_to": _broadcast_to,
    "concatenate": _joined("concatenate"), "stack": _joined("stack"),
    "slice": _slice, "slice_update": _slice_update, "take": _take, "gather": _gather,
    "scatter": _scatter, "cumsum": _cumsum, "cumprod": _cumprod, "sort": _sort, "tri": _tri,
    "diag_embed": _diag_embed, "compress": lambda data, rng: _compress(data, rng),
    "conv2d": lambda data, rng: _conv2d(data, rng),
    "max_pool2d": lambda data, rng: _pool(data, rng), "avg_pool2d": lambda data, rng: _pool(data, rng),
    "bincount": lambda data, rng: _bincount(data, rng),
}

# Ops with float results that have no derivative rule, and why (the coverage test reads this).
NOT_DIFFERENTIABLE: dict[str, str] = {
    "unique": "its values are a selection by equality; not differentiated",
}


def _float_outputs(name: str) -> bool:
    """Whether an op can give a float result from float operands (then it needs a rule)."""
    import inspect

    fn = lookup(name).numpy
    if isinstance(fn, np.ufunc):
        return any(t.split("->")[1] in "efdg" for t in fn.types)
    src = inspect.getsource(fn) if callable(fn) else ""
    return name not in _INTEGER_OR_BOOL and bool(src or fn)


_INTEGER_OR_BOOL = {"all", "any", "argmax", "argmin", "argsort", "argwhere", "dim", "nonzero",
                    "in_bounds", "is_sorted", "searchsorted", "arange", "constant", "eye",
                    "full"}


def test_every_differentiable_op_has_a_rule_and_a_case():
    missing = []
    for name, rule in OPS.items():
        if name in NOT_DIFFERENTIABLE:
            assert rule.vjp is None, f"{name} has a rule: remove it from NOT_DIFFERENTIABLE"
            continue
        if rule.vjp is not None:
            assert name in CASES, f"janus.{name}'s derivative rule has no numerical check"
        elif _float_outputs(name):
            missing.append(name)
    assert not missing, f"ops with float results and no derivative rule: {missing}"


def _directional(name, operands, attrs, g, directions, eps=1e-6):
    f = lookup(name).numpy
    plus = [x + eps * v if v is not None else x for x, v in zip(operands, directions)]
    minus = [x - eps * v if v is not None else x for x, v in zip(operands, directions)]
    return float(np.sum(g * (np.asarray(f(*plus, **attrs), F64) -
                             np.asarray(f(*minus, **attrs), F64))) / (2 * eps))


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=15, deadline=None)
@given(data=st.data(), seed=seeds)
def test_vjp_matches_central_differences(name, data, seed):
    rng = np.random.default_rng(seed)
    operands, attrs = CASES[name](data, rng)
    rule = lookup(name)
    ans = rule.numpy(*operands, **attrs)
    g = _arr(rng, np.shape(ans))
    cots = rule.vjp(g, ans, *operands, **attrs)
    assert len(cots) == len(operands)
    directions = [_arr(rng, np.shape(x)) if np.asarray(x).dtype.kind == "f" else None
                  for x in operands]
    analytic = 0.0
    for x, c, v in zip(operands, cots, directions):
        if v is None:
            continue
        if c is not None:
            c = np.asarray(c)
            assert c.shape == np.shape(x), f"cotangent shape {c.shape} != operand {np.shape(x)}"
            assert c.dtype == np.asarray(x).dtype, f"cotangent dtype {c.dtype}"
            analytic += float(np.sum(c * v))
    numeric = _directional(name, operands, attrs, g, directions)
    assert np.isclose(analytic, numeric, rtol=1e-5, atol=1e-5), (analytic, numeric)


def test_take_along_axis_cotangent_is_the_scatter_it_replaces():
    """The one-hot cotangent of a gather with one index per lane equals, bit for bit, the
    scatter-add into zeros that any other gather gets (a -0.0 cotangent included)."""
    rng = np.random.default_rng(5)
    a = _arr(rng, (6, 4)).astype(np.float32)
    labels = np.array([[0], [-1], [3], [2], [-4], [1]])
    rows = np.arange(6).reshape(6, 1)
    g = np.array([[1.5], [-0.0], [0.0], [-2.0], [np.inf], [np.nan]], np.float32)
    rule = lookup("gather")
    attrs = {"axes": (0, 1), "position": 0}
    one_hot = rule.vjp(g, None, a, rows, labels, **attrs)[0]
    scattered = np.zeros_like(a)
    np.add.at(scattered, (rows, labels % 4), g)
    assert one_hot.dtype == a.dtype
    np.testing.assert_array_equal(one_hot, scattered)
    np.testing.assert_array_equal(np.signbit(one_hot), np.signbit(scattered))
    # Rows that are not NumPy's aranges (row 0 twice, same column): the scatter adds both.
    g2 = np.array([[1.5], [2.0], [1.0]], np.float32)
    twice = rule.vjp(g2, None, a, np.array([[0], [0], [1]]), np.array([[1], [1], [2]]),
                     **attrs)[0]
    assert twice[0, 1] == 3.5 and twice[1, 2] == 1.0 and np.count_nonzero(twice) == 2


# --- gradients of gradients (the rules themselves recorded and differentiated) ---------------

SECOND_ORDER: dict[str, Callable[[Any], Any]] = {
    "elementwise": lambda x: np.sum(np.tanh(x) * np.exp(x) / (1.0 + x * x)),
    "reductions": lambda x: np.sum(np.max(x, axis=-1) ** 2) + np.mean(x) ** 3,
    "matmul": lambda x: np.sum((x @ x.T) ** 2),
    "shapes": lambda x: np.sum(np.transpose(np.reshape(x, (-1,)))[1:] ** 3),
    "where": lambda x: np.sum(np.where(x > 0, x ** 3, -x ** 2)),
}


@pytest.mark.parametrize("family", sorted(SECOND_ORDER))
def test_grad_of_grad_matches_differences_of_grad(family):
    f = SECOND_ORDER[family]
    rng = np.random.default_rng(1)
    x = _away(rng, (3, 4), 0.3, 1.5)
    v = _arr(rng, x.shape)
    hvp = jm.grad(lambda x: np.sum(jm.grad(f)(x) * v))(x)
    eps = 1e-6
    numeric = (jm.grad(f)(x + eps * v) - jm.grad(f)(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hvp, numeric, rtol=1e-5, atol=1e-6)
