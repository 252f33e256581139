"""Reductions: sum, mean, prod, max, min, all, any (over `axes`); argmax/argmin are in
arg_reductions.py.

Attribute conventions (the frontend normalises them): `axes` is sorted, unique and non-negative
(axis=None becomes every axis; an empty tuple reduces nothing); `axis` of argmax/argmin is
non-negative or absent (absent = over the flattened array). Result dtypes are NumPy's, found by
running NumPy itself on a one-element array of the operand dtype (sum of int32 is int64 here,
mean of ints is float64, float16 means and sums accumulate in float32 like NumPy's).

sum, mean, prod, max, min, all and any reduce in levels of short chains (ops/blocked.py): float
sums and products then round like NumPy's pairwise sums rather than like a loop over millions
of elements, and IREE vectorises every level. Each level is a linalg.generic with reduction
iterators over an init made by linalg.fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.opdef import BOOL, I64_ARRAY, Attr, ShapeError
from ..dialects.types import (SymbolicShape, TensorSpec, element_type, is_bool,
                              is_float, is_supported_dtype, is_unsigned)
from .blocked import BLOCK, Fold, blocked_folds, blocked_reduce, element_count
from .emit import Emitter, Scalar
from .registry import defop
from ..lang.shapes import broadcast_like, count

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64_DT = np.dtype(np.int64)


def result_dtype(fn: Any, dtype: np.dtype) -> np.dtype:
    """The dtype NumPy's reduction `fn` gives for an array of `dtype` (NumPy itself decides)."""
    dt = np.asarray(fn(np.ones(1, dtype=dtype))).dtype
    if not is_supported_dtype(dt):
        raise ShapeError(f"numpy.{fn.__name__} of {np.dtype(dtype).name} gives {dt.name}, "
                         "not supported by janus")
    return dt


def check_axes(axes: Sequence[int], rank: int) -> tuple[int, ...]:
    axes = tuple(axes)
    if any(a < 0 or a >= rank for a in axes):
        raise ShapeError(f"axes {axes} out of range for an array of rank {rank}")
    if list(axes) != sorted(set(axes)):
        raise ShapeError(f"axes {axes} must be sorted and unique")
    return axes


def reduced_shape(shape: tuple[int, ...], axes: Sequence[int], keepdims: bool) -> tuple[int, ...]:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


# ---------------------------------------------------------------------------------------------
# sum, mean, prod, max, min, all, any
# ---------------------------------------------------------------------------------------------

# name -> (NumPy function, needs a non-empty reduced axis)
_REDUCTIONS: dict[str, tuple[Any, bool]] = {
    "sum": (np.sum, False),
    "mean": (np.mean, False),
    "prod": (np.prod, False),
    "max": (np.max, True),
    "min": (np.min, True),
    "all": (np.all, False),
    "any": (np.any, False),
}


def _make_infer(name: str):
    fn, needs_identity = _REDUCTIONS[name]

    def infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
        (x,) = operands
        axes = check_axes(attrs["axes"], x.rank)
        if not x.static:
            _check_symbolic(name, x, axes)
        if needs_identity and any(type(x.shape[a]) is int and x.shape[a] == 0 for a in axes):
            raise ShapeError(f"zero-size array to reduction operation {fn.__name__} "
                             "which has no identity")
        return [TensorSpec(reduced_shape(x.shape, axes, attrs.get("keepdims") or False),
                           result_dtype(fn, x.dtype))]

    return infer


def _check_symbolic(name: str, x: TensorSpec, axes: Sequence[int]) -> None:
    """A reduction of an array with a symbolic dim is one plain level (ops/blocked.py): only
    over static axes, and for float sums, means and products only over at most BLOCK elements
    per output (a longer chain would round worse than NumPy's pairwise sum)."""
    if any(not isinstance(x.shape[a], int) for a in axes):
        _check_counted(name, x, axes)
        return
    exact = name in ("max", "min", "all", "any") or not is_float(x.dtype)
    if not exact and int(np.prod([x.shape[a] for a in axes])) > BLOCK:
        raise SymbolicShape(f"float {name} of more than {BLOCK} elements per output of {x}")


def _check_counted(name: str, x: TensorSpec, axes: Sequence[int]) -> None:
    """A reduction over a dim known only when the graph runs (an input's symbolic dim, or a
    CountDim: how many elements a mask selected; `?` as read back from the IR): over one run
    of axes, keeping static dims only (float sums accumulate in float64, blocked.py)."""
    if any(not isinstance(d, int) for i, d in enumerate(x.shape) if i not in axes):
        raise SymbolicShape(f"{name} over a dim the graph computes, keeping a symbolic dim "
                            f"of {x}")
    if list(axes) != list(range(axes[0], axes[0] + len(axes))):
        raise SymbolicShape(f"{name} over axes {tuple(axes)} of {x}, apart from each other")


def _acc_dtype(name: str, out_dtype: np.dtype) -> np.dtype:
    """The dtype the loop accumulates in: the result's, except that float16 sums, means and
    products accumulate in float32, like NumPy's."""
    if name in ("sum", "mean", "prod") and out_dtype == np.float16:
        return F32
    return out_dtype


def _init_value(name: str, dt: np.dtype) -> float | int | bool:
    if name in ("sum", "mean", "any"):
        return 0
    if name in ("prod", "all"):
        return 1
    if is_float(dt):
        return -np.inf if name == "max" else np.inf
    if is_bool(dt):
        return name == "min"
    info = np.iinfo(dt)
    return info.min if name == "max" else info.max


def _combine(name: str, s: Scalar, dt: np.dtype, acc: ir.Value, x: ir.Value) -> ir.Value:
    if name in ("sum", "mean"):
        return s.add(acc, x, dt)
    if name == "prod":
        return s.mul(acc, x, dt)
    if name == "all":
        return s.op("arith.andi", [acc, x])
    if name == "any":
        return s.op("arith.ori", [acc, x])
    if is_float(dt):  # maximumf/minimumf propagate NaN, as numpy.max does
        return s.op("arith.maximumf" if name == "max" else "arith.minimumf", [acc, x])
    if is_bool(dt):
        return s.op("arith.ori" if name == "max" else "arith.andi", [acc, x])
    if is_unsigned(dt):
        return s.op("arith.maxui" if name == "max" else "arith.minui", [acc, x])
    return s.op("arith.maxsi" if name == "max" else "arith.minsi", [acc, x])


def _make_lower(name: str):
    def lower(e: Emitter, operands, in_specs, attrs, out_specs):
        (x,), (xs,), (out,) = operands, in_specs, out_specs
        axes = tuple(attrs["axes"])
        if out.static and out.size == 0:
            return [e.empty(out)]
        if name in ("max", "min") and xs.dtype in (F32, F64):
            return [e.reshape(_float_extremum(name, e, x, xs, axes), TensorSpec(
                reduced_shape(xs.shape, axes, False), out.dtype), out.shape)]
        acc_dt = _acc_dtype(name, out.dtype)  # all/any: bool, elements cast as x != 0
        red = blocked_reduce(e, x, xs, axes, acc_dt, _init_value(name, acc_dt),
                             lambda s, acc, v: _combine(name, s, acc_dt, acc, v))
        red_spec = TensorSpec(reduced_shape(xs.shape, axes, False), acc_dt)
        if name == "mean":
            if all(type(xs.shape[a]) is int for a in axes):
                count = int(np.prod([xs.shape[a] for a in axes], dtype=np.int64))
                red = e.elementwise([red], [red_spec], red_spec,
                                    lambda s, v: s.op("arith.divf", [v, s.const(count, acc_dt)]))
            else:
                n = element_count(e, x, xs, axes, acc_dt)
                red = e.elementwise([red], [red_spec], red_spec,
                                    lambda s, v: s.op("arith.divf", [v, n]))
        red = e.cast_tensor(red, red_spec, out.dtype)
        return [e.reshape(red, TensorSpec(red_spec.shape, out.dtype), out.shape)]

    return lower


def _ordered_key(s: Scalar, x: ir.Value, dt: np.dtype) -> ir.Value:
    """The float's bits as a signed integer whose order is the float order (-0.0 below +0.0,
    as arith.maximumf orders them). A NaN's key lies outside the keys of -inf..+inf: above
    +inf's for a positive NaN, below -inf's for a negative one."""
    kt = np.dtype(f"i{dt.itemsize}")
    return _flipped(s, s.op("arith.bitcast", [x], element_type(kt)), kt)


def _flipped(s: Scalar, bits: ir.Value, kt: np.dtype) -> ir.Value:
    """`bits` with every bit but the sign flipped when the sign is set: a float's bits to its
    order key and back (the map is its own inverse)."""
    sign = s.op("arith.shrsi", [bits, s.const(kt.itemsize * 8 - 1, kt)])
    return s.op("arith.xori", [bits, s.op("arith.andi", [sign, s.const(np.iinfo(kt).max, kt)])])


def _key_of(value: float, dt: np.dtype) -> int:
    """_ordered_key of a float constant, computed here."""
    kt = np.dtype(f"i{dt.itemsize}")
    raw = int(np.array(value, dt).view(kt))
    return raw ^ (np.iinfo(kt).max if raw < 0 else 0)


def _float_extremum(name: str, e: Emitter, x: ir.Value, xs: TensorSpec,
                    axes: tuple[int, ...]) -> ir.Value:
    """Float max/min reduced over order-preserving integer keys and mapped back: IREE lowers
    the NaN-propagating arith.maximumf to a chain of compares and fix-ups, while an integer
    max vectorises plainly. One pass folds the largest and the smallest key: a NaN anywhere
    shows as a key above +inf's or below -inf's, so no element needs a NaN test of its own
    (max of 1000x1000 f32, first level: 175 us with maximumf, 97-113 with a NaN select per
    element, 78-80 with the two folds, at NumPy's own memory speed). The key map is its own
    inverse."""
    dt = xs.dtype
    kt = np.dtype(f"i{dt.itemsize}")
    info = np.iinfo(kt)
    hi, lo = blocked_folds(
        e, x, xs, axes,
        [Fold(kt, info.min, lambda s, acc, v: s.op("arith.maxsi", [acc, v])),
         Fold(kt, info.max, lambda s, acc, v: s.op("arith.minsi", [acc, v]))],
        lambda s, v: [_ordered_key(s, v, dt)] * 2)
    spec = TensorSpec(reduced_shape(xs.shape, axes, False), kt)
    top, bottom = _key_of(np.inf, dt), _key_of(-np.inf, dt)

    def back(s: Scalar, high: ir.Value, low: ir.Value) -> ir.Value:
        value = s.op("arith.bitcast", [_flipped(s, high if name == "max" else low, kt)],
                     element_type(dt))
        nan = s.op("arith.ori", [s.cmp("gt", high, s.const(top, kt), kt),
                                 s.cmp("lt", low, s.const(bottom, kt), kt)])
        return s.select(nan, s.const(np.nan, dt), value)

    return e.elementwise([hi, lo], [spec, spec], TensorSpec(spec.shape, dt), back)


def _numpy(fn: Any):
    return lambda x, axes, keepdims=False: fn(x, axis=tuple(axes), keepdims=keepdims)


# Derivative rules: the cotangent of the reduced result spread back over the reduced axes.

def _spread(g, x, axes, keepdims):
    """g with the reduced axes back (size 1), broadcast to x's shape."""
    if not keepdims:
        g = np.expand_dims(g, tuple(axes))
    return broadcast_like(g, x)


def _sum_vjp(g, ans, x, axes, keepdims=False):
    return (_spread(g, x, axes, keepdims),)


def _mean_vjp(g, ans, x, axes, keepdims=False):
    return (_spread(g / count(x, axes, g.dtype), x, axes, keepdims),)


def _prod_vjp(g, ans, x, axes, keepdims=False):
    return (_spread(g, x, axes, keepdims) * _spread(ans, x, axes, keepdims) / x,)


def _extreme_vjp(g, ans, x, axes, keepdims=False):
    """To the elements equal to the max (min), split evenly among ties (as JAX does)."""
    hit = (x == _spread(ans, x, axes, keepdims)).astype(g.dtype)
    count = np.sum(hit, axis=tuple(axes), keepdims=True)
    return (_spread(g, x, axes, keepdims) * hit / count,)


_VJP = {"sum": _sum_vjp, "mean": _mean_vjp, "prod": _prod_vjp, "max": _extreme_vjp,
        "min": _extreme_vjp}

for _name, (_fn, _) in _REDUCTIONS.items():
    defop(_name, ("operand",),
          attrs={"axes": Attr(I64_ARRAY), "keepdims": Attr(BOOL, False, optional=True)},
          infer=_make_infer(_name), numpy=_numpy(_fn), lower=_make_lower(_name),
          doc=f"numpy.{_fn.__name__}(x, axis=axes, keepdims=keepdims).", symbolic=True,
          vjp=_VJP.get(_name))
