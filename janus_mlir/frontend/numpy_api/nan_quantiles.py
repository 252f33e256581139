"""NaN-ignoring order statistics: numpy.nanmedian, numpy.nanquantile, numpy.nanpercentile.

Each follows NumPy 2.4's `lib/_nanfunctions_impl.py`. The array is sorted along the axis (NaN
last), so each slice's non-NaN values are its first k entries, k counted in the graph; the
positions NumPy reads (the middle for a median, NumPy's linear-method indexes for a quantile)
are then computed from k per slice and gathered. What NumPy does per path is kept:

- nanmedian of a flattened or 1-D array, or along an axis of 600 or more elements, is
  np.median of the non-NaN values (the middle element, or np.mean of the middle two); along
  a shorter axis it is np.ma.median of the array with NaNs masked: (low + high) / 2 in the
  array's dtype, low and high the same element for an odd count, so a huge value overflows to
  inf as in NumPy;
- nanquantile/nanpercentile are np.quantile of each slice's non-NaN values with 'linear'
  interpolation (NumPy's `_lerp`, a weak Python-float weight for a scalar q);
- an all-NaN slice gives NaN (without NumPy's RuntimeWarning, as the other nan functions here).
  Where NumPy's quantile result dtype differs from the array's (a float32 array with an array
  of q), NumPy's all-NaN slice NaN has the array's dtype and so decides the dtype of the whole
  result when it is the first slice: the graph guards that the first slice is not all NaN.

On integer and bool arrays the nan functions are the plain ones (statistics.py). Only the
'linear' method is converted; out=, weights= and overwrite_input=True (which lets NumPy reorder
the caller's array) are not.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...dialects.types import is_float
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply, guard_all
from ..values import ARRAY, Tensor, retyped
from .args import Handler, as_array, axes_arg, bind, scalar_if_0d, static, static_int
from .indexing_funcs import take_along_axis
from .reductions import FUNCTIONS as REDUCTIONS
from .statistics import FUNCTIONS as PLAIN
from .statistics import _keep_shape, _known

# NumPy's nanmedian takes np.ma.median below this axis length, np.median per slice from it on.
SMALL_AXIS = 600
I64 = np.dtype(np.int64)


def _checked(b: GraphBuilder, fn: str, p: dict[str, Any]) -> None:
    if p.get("weights") is not None:
        raise Unconvertible(f"numpy.{fn}(weights=...) is not converted", b.where)
    if static(b, p["overwrite_input"], "overwrite_input"):
        raise Unconvertible(f"numpy.{fn}(overwrite_input=True) may reorder the caller's array: "
                            "not converted", b.where)


def _axis(b: GraphBuilder, a: Tensor, axis: Any, fn: str) -> int | None:
    axis = static(b, axis, "an axis")
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise Unconvertible(f"numpy.{fn} over several axes is not converted", b.where)
        axis = axis[0]
    if axis is None:
        return None
    (ax,) = axes_arg(b, static_int(b, axis, "an axis"), a.ndim)
    return ax


def _sorted_rows(b: GraphBuilder, a: Tensor, axis: int | None) -> Tensor:
    """`a` sorted along `axis` (NaN last) with that axis first; axis=None: flattened."""
    if axis is None:
        flat = b.emit("reshape", [a], copy=True, shape=(a.spec.size,))
        return b.emit("sort", [flat], axis=0)
    part = b.emit("sort", [a], axis=axis)
    if axis == 0:
        return part
    return b.emit("transpose", [part], copy=True,
                  perm=(axis, *[i for i in range(a.ndim) if i != axis]))


def _counts(b: GraphBuilder, rows: Tensor) -> Tensor:
    """The number of non-NaN values of each slice rows[:, ...] (int64, shape rows.shape[1:])."""
    valid = b.emit("logical_not", [b.emit("isnan", [rows])])
    return retyped(REDUCTIONS[np.sum](b, [valid], {"axis": 0, "dtype": I64}), ARRAY)


def _int(b: GraphBuilder, value: int, like: Tensor) -> Tensor:
    return b.constant(np.full(like.shape, value, like.dtype), ARRAY)


def _gather(b: GraphBuilder, rows: Tensor, idx: Tensor) -> Tensor:
    """rows[idx[j, ...], ...] along axis 0 for idx of shape (m, *rows.shape[1:])."""
    n = rows.shape[0]
    idx = b.emit("minimum", [b.emit("maximum", [idx, _int(b, 0, idx)]), _int(b, n - 1, idx)])
    return take_along_axis(b, [rows, idx], {"axis": 0})


def _shaped(b: GraphBuilder, t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return t if t.shape == shape else b.emit("reshape", [t], copy=True, shape=shape)


def _check_input(b: GraphBuilder, a: Tensor, fn: str) -> None:
    if a.ndim == 0 or a.spec.size == 0:
        raise Unconvertible(f"numpy.{fn} of a 0-d or empty array is not converted", b.where)


# ---------------------------------------------------------------------------------------------
# nanmedian
# ---------------------------------------------------------------------------------------------


def nanmedian(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.nanmedian", args, kwargs,
             ("a", "axis", "out", "overwrite_input", "keepdims"),
             {"axis": None, "out": None, "overwrite_input": False, "keepdims": False})
    _checked(b, "nanmedian", p)
    a = as_array(b, p["a"])
    if not is_float(a.dtype):
        return PLAIN[np.median](b, args, kwargs)
    _check_input(b, a, "nanmedian")
    axis = _axis(b, a, p["axis"], "nanmedian")
    rows = _sorted_rows(b, a, axis)
    k = _counts(b, rows)
    one = _int(b, 1, k)
    lo = _gather(b, rows, _shaped(b, b.emit("floor_divide", [b.emit("subtract", [k, one]),
                                                             _int(b, 2, k)]), (1, *k.shape)))
    hi = _gather(b, rows, _shaped(b, b.emit("floor_divide", [k, _int(b, 2, k)]),
                                  (1, *k.shape)))
    if axis is not None and a.ndim > 1 and a.shape[axis] < SMALL_AXIS:
        # np.ma.median: the masked sum of low and high in the array's dtype, halved
        out = apply(b, "divide", [b.emit("add", [lo, hi]), 2.0])
    else:  # np.median of the non-NaN values: the middle one, or the mean of the middle two
        pair = b.emit("concatenate", [lo, hi], axis=0)
        mean = retyped(REDUCTIONS[np.mean](b, [pair], {"axis": 0, "keepdims": True}), ARRAY)
        odd = b.emit("equal", [b.emit("remainder", [k, _int(b, 2, k)]), _int(b, 1, k)])
        out = b.emit("where", [_shaped(b, odd, (1, *k.shape)), lo, mean])
    none = _shaped(b, b.emit("equal", [k, _int(b, 0, k)]), (1, *k.shape))
    out = b.emit("where", [none, b.constant(np.full((), np.nan, a.dtype), ARRAY), out])
    keep = bool(static(b, p["keepdims"], "keepdims"))
    shape = _keep_shape(a, axis) if keep else k.shape
    return scalar_if_0d(_shaped(b, retyped(out, ARRAY), shape))


# ---------------------------------------------------------------------------------------------
# nanquantile, nanpercentile
# ---------------------------------------------------------------------------------------------


def _nan_quantile(fn: str) -> Handler:
    plain = PLAIN[np.percentile if fn == "nanpercentile" else np.quantile]

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, f"numpy.{fn}", args, kwargs,
                 ("a", "q", "axis", "out", "overwrite_input", "method", "keepdims", "weights"),
                 {"axis": None, "out": None, "overwrite_input": False, "method": "linear",
                  "keepdims": False, "weights": None})
        _checked(b, fn, p)
        a = as_array(b, p["a"])
        if not is_float(a.dtype):
            return plain(b, args, kwargs)
        if static(b, p["method"], "method") != "linear":
            raise Unconvertible(f"numpy.{fn}: only method='linear' is converted", b.where)
        q = static(b, _known(p["q"]), "q")
        weak_q = type(q) in (int, float)
        with np.errstate(all="ignore"):
            qs = np.true_divide(q, 100) if fn == "nanpercentile" else np.asanyarray(q)
        if qs.size == 0 or qs.dtype.kind != "f":
            raise Unconvertible(f"numpy.{fn} with no or integer quantiles is not converted",
                                b.where)
        if not (np.all(qs >= 0) and np.all(qs <= 1)):
            raise Unconvertible(f"ValueError: numpy.{fn}: q out of range", b.where)
        _check_input(b, a, fn)
        axis = _axis(b, a, p["axis"], fn)
        rows = _sorted_rows(b, a, axis)
        k = _counts(b, rows)
        out = _lerp_per_slice(b, rows, k, qs, weak_q)
        if out.dtype != a.dtype:  # NumPy's first slice, if all NaN, would set the dtype
            first = b.emit("reshape", [k], copy=True, shape=(k.spec.size,))
            first = b.emit("slice", [first], copy=True, starts=(0,), sizes=(1,), steps=(1,))
            guard_all(b, b.emit("greater", [first, b.constant(np.zeros(1, I64), ARRAY)]),
                      "value", "the first slice is not all NaN (NumPy's NaN for it has the "
                      "array's dtype, and so does its whole result then)")
        if bool(static(b, p["keepdims"], "keepdims")):
            out = _shaped(b, out, qs.shape + _keep_shape(a, axis))
        return scalar_if_0d(out)

    return handler


def _lerp_per_slice(b: GraphBuilder, rows: Tensor, k: Tensor, qs: np.ndarray,
                    weak_q: bool) -> Tensor:
    """NumPy's linear quantiles `qs` of each slice's first k values of `rows` (sorted along
    axis 0): shape qs.shape + rows.shape[1:]; NaN where k is 0."""
    rest = k.shape
    m, vdt = qs.size, qs.dtype
    qcol = b.constant(qs.reshape((m,) + (1,) * len(rest)), ARRAY)
    km1 = b.emit("astype", [b.emit("subtract", [k, _int(b, 1, k)])], dtype=vdt)
    virtual = b.emit("multiply", [km1, qcol])  # (n - 1) * q, n the slice's count
    prev = b.emit("floor", [virtual])
    above = b.emit("greater_equal", [virtual, km1])
    minus_one = b.constant(np.full((), -1, vdt), ARRAY)
    prev = b.emit("where", [above, minus_one, prev])
    gamma = b.emit("subtract", [virtual, prev])  # NumPy's gamma, with -1 for a clipped index
    last = b.emit("astype", [b.emit("subtract", [k, _int(b, 1, k)])], dtype=I64)
    prev_i = b.emit("where", [above, last, b.emit("astype", [prev], dtype=I64)])
    next_i = b.emit("where", [above, last, b.emit("add", [prev_i, _int(b, 1, prev_i)])])
    lo, hi = _gather(b, rows, prev_i), _gather(b, rows, next_i)
    diff = b.emit("subtract", [hi, lo])
    if weak_q:  # gamma is a Python float per slice in NumPy: cast to the array's dtype
        t = b.emit("astype", [gamma], dtype=rows.dtype)
        one_minus = b.emit("astype", [b.emit("subtract", [b.constant(np.ones((), vdt), ARRAY),
                                                          gamma])], dtype=rows.dtype)
        low = b.emit("add", [lo, b.emit("multiply", [diff, t])])
        high = b.emit("subtract", [hi, b.emit("multiply", [diff, one_minus])])
    else:
        low = retyped(apply(b, "add", [lo, apply(b, "multiply", [diff, gamma])]), ARRAY)
        high = apply(b, "subtract", [hi, apply(b, "multiply", [
            diff, apply(b, "subtract", [1, gamma])])])
        high = retyped(high, ARRAY)
        if high.dtype != low.dtype:
            high = b.emit("astype", [high], dtype=low.dtype)
    use_high = b.emit("greater_equal", [gamma, b.constant(np.full((), 0.5, vdt), ARRAY)])
    out = b.emit("where", [use_high, high, low])
    none = b.emit("equal", [k, _int(b, 0, k)])
    out = b.emit("where", [none, b.constant(np.full((), np.nan, out.dtype), ARRAY), out])
    return _shaped(b, retyped(out, ARRAY), qs.shape + rest)


FUNCTIONS: dict[Any, Handler] = {
    np.nanmedian: nanmedian, np.nanquantile: _nan_quantile("nanquantile"),
    np.nanpercentile: _nan_quantile("nanpercentile"),
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
