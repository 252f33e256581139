"""Statistics: average, median, percentile, quantile, ptp, count_nonzero, and the NaN-ignoring
reductions nansum, nanprod, nanmax, nanmin, nanmean, nanvar, nanstd.

Each follows the steps of NumPy 2.4's own implementation, so dtypes, result kinds and rounding
are NumPy's: quantiles sort along the axis and interpolate with NumPy's `_lerp`; the nan
functions replace NaN by the reduction's identity (or count the non-NaN elements) the way
`numpy.lib._nanfunctions_impl` does, giving NumPy's value for all-NaN slices (NaN) without its
RuntimeWarning. On integer and bool arrays the nan functions are the plain reductions, as in
NumPy. Only the 'linear' quantile method is converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from iree.compiler import ir

from ...dialects import janus
from ...dialects.types import is_float
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply, guard_all
from ..values import ARRAY, NP_SCALAR, Tensor, is_tensor, retyped
from .args import Handler, as_array, axes_arg, bind, dtype_arg, scalar_if_0d, static, static_int
from .reductions import FUNCTIONS as REDUCTIONS
from .scans import slice_axis


def _reduce(b: GraphBuilder, fn: Any, a: Tensor, **kwargs: Any) -> Tensor:
    """numpy.<fn>(a, **kwargs) through its converted handler."""
    return REDUCTIONS[fn](b, [a], kwargs)


def _const(b: GraphBuilder, value: Any, dtype: np.dtype) -> Tensor:
    return b.constant(np.array(value, dtype=dtype), ARRAY)


def _replace_nan(b: GraphBuilder, a: Tensor, value: float) -> tuple[Tensor, Tensor]:
    """(a with NaNs replaced by `value`, the NaN mask), as NumPy's `_replace_nan`."""
    mask = b.emit("isnan", [a])
    return b.emit("where", [mask, _const(b, value, a.dtype), a]), mask


def _keepdims(b: GraphBuilder, v: Any) -> bool:
    return bool(static(b, v, "keepdims"))


# ---------------------------------------------------------------------------------------------
# ptp, count_nonzero, average
# ---------------------------------------------------------------------------------------------


def ptp(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.ptp: max - min (wrapping for integers, like NumPy's subtract)."""
    p = bind(b, "numpy.ptp", args, kwargs, ("a", "axis", "out", "keepdims"),
             {"axis": None, "out": None, "keepdims": False})
    a = as_array(b, p["a"])
    if a.dtype == np.bool_:
        raise Unconvertible("TypeError: numpy.ptp of booleans subtracts booleans", b.where)
    kw = {"axis": p["axis"], "keepdims": p["keepdims"]}
    return scalar_if_0d(apply(b, "subtract", [_reduce(b, np.max, a, **kw),
                                              _reduce(b, np.min, a, **kw)]))


def count_nonzero(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.count_nonzero: an int64 count (a NumPy scalar for a 0-d result)."""
    p = bind(b, "numpy.count_nonzero", args, kwargs, ("a", "axis", "keepdims"),
             {"axis": None, "keepdims": False})
    a = as_array(b, p["a"])
    nz = b.emit("astype", [a], dtype=np.dtype(bool)) if a.dtype != np.bool_ else a
    return _reduce(b, np.sum, nz, axis=p["axis"], dtype=np.int64, keepdims=p["keepdims"])


def average(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.average(a, axis, weights, returned, keepdims). Weights of a's shape, or 1-d along
    one axis; weights summing to zero are guarded (NumPy raises ZeroDivisionError)."""
    p = bind(b, "numpy.average", args, kwargs, ("a", "axis", "weights", "returned", "keepdims"),
             {"axis": None, "weights": None, "returned": False, "keepdims": False})
    a = as_array(b, p["a"])
    keep, returned = _keepdims(b, p["keepdims"]), bool(static(b, p["returned"], "returned"))
    axis = static(b, p["axis"], "an axis")
    axes = None if axis is None else axes_arg(b, axis, a.ndim)
    if p["weights"] is None:
        avg = _reduce(b, np.mean, a, axis=axes, keepdims=keep)
        if not returned:
            return avg
        scl = avg.dtype.type(a.spec.size / max(avg.spec.size, 1))
        if avg.ndim:
            return avg, b.constant(np.full(avg.shape, scl), ARRAY)
        return avg, b.constant(np.asarray(scl), NP_SCALAR)
    w = as_array(b, p["weights"])
    if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        dt = np.result_type(a.dtype, w.dtype, "f8")
    else:
        dt = np.result_type(a.dtype, w.dtype)
    if a.shape != w.shape:
        if axes is None or len(axes) != 1 or w.shape != (a.shape[axes[0]],):
            raise Unconvertible("numpy.average: weights of another shape than a's must be "
                                "1-d along the one axis (NumPy raises otherwise)", b.where)
        w = b.emit("reshape", [w], copy=True,
                   shape=tuple(s if i in axes else 1 for i, s in enumerate(a.shape)))
    scl = _reduce(b, np.sum, w, axis=axes, dtype=dt, keepdims=keep)
    nonzero = b.emit("not_equal", [scl, _const(b, 0, scl.dtype)])
    guard_all(b, nonzero, "error", "the weights do not sum to zero (NumPy raises "
              "ZeroDivisionError)")
    prod = apply(b, "multiply", [_cast(b, a, dt), _cast(b, w, dt)])
    avg = scalar_if_0d(apply(b, "divide", [_reduce(b, np.sum, prod, axis=axes, keepdims=keep),
                                           scl]))
    if not returned:
        return avg
    if scl.shape != avg.shape:
        scl = b.emit("broadcast_to", [scl], copy=True, shape=avg.shape)
    return avg, scl


def _cast(b: GraphBuilder, a: Tensor, dt: np.dtype) -> Tensor:
    return b.emit("astype", [a], dtype=dt) if a.dtype != dt else a


# ---------------------------------------------------------------------------------------------
# median, quantile, percentile
# ---------------------------------------------------------------------------------------------


def _sorted_along(b: GraphBuilder, a: Tensor, axis: Any, fn: str) -> tuple[Tensor, int, Any]:
    """(a sorted along the axis, that axis, the normalised axis argument); axis=None sorts the
    flattened array."""
    axis = static(b, axis, "an axis")
    if isinstance(axis, (tuple, list)):
        raise Unconvertible(f"{fn} over several axes is not converted", b.where)
    if axis is None:
        flat = b.emit("reshape", [a], copy=True, shape=(a.spec.size,))
        return b.emit("sort", [flat], axis=0), 0, None
    (ax,) = axes_arg(b, static_int(b, axis, "an axis"), a.ndim)
    return b.emit("sort", [a], axis=ax), ax, ax


def _keep_shape(a: Tensor, axis: Any) -> tuple[int, ...]:
    """The shape keepdims gives a reduction of `a` over `axis` (None: every axis)."""
    return tuple(1 if axis is None or i == axis else d for i, d in enumerate(a.shape))


def _check_input(b: GraphBuilder, a: Tensor, fn: str) -> None:
    if a.ndim == 0 or a.spec.size == 0:
        raise Unconvertible(f"{fn} of a 0-d or empty array is not converted", b.where)
    if a.dtype == np.bool_:
        raise Unconvertible(f"TypeError: {fn} of booleans subtracts booleans", b.where)


def _no_overwrite(b: GraphBuilder, p: dict[str, Any], fn: str) -> None:
    """overwrite_input=True lets NumPy partially sort the caller's array in place."""
    if static(b, p["overwrite_input"], "overwrite_input"):
        raise Unconvertible(f"numpy.{fn}(overwrite_input=True) may reorder the caller's array: "
                            "not converted", b.where)


def median(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.median: the mean of the middle one or two sorted elements; slices holding NaN
    give NaN."""
    p = bind(b, "numpy.median", args, kwargs, ("a", "axis", "out", "overwrite_input",
                                                "keepdims"),
             {"axis": None, "out": None, "overwrite_input": False, "keepdims": False})
    _no_overwrite(b, p, "median")
    a = as_array(b, p["a"])
    _check_input(b, a, "numpy.median")
    part, ax, axis = _sorted_along(b, a, p["axis"], "numpy.median")
    n = part.shape[ax]
    mid = slice_axis(b, part, ax, n // 2, 1) if n % 2 else slice_axis(b, part, ax, n // 2 - 1, 2)
    out = _reduce(b, np.mean, mid, axis=ax, keepdims=True)
    if is_float(a.dtype):
        last = slice_axis(b, part, ax, n - 1, 1)
        out = b.emit("where", [b.emit("isnan", [last]), last, out])
    shape = _keep_shape(a, axis) if _keepdims(b, p["keepdims"]) else tuple(
        d for i, d in enumerate(part.shape) if i != ax)
    return scalar_if_0d(b.emit("reshape", [out], copy=True, shape=shape))


def _quantile(fn: str) -> Handler:
    """numpy.quantile / numpy.percentile with method='linear' and constant q."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = bind(b, f"numpy.{fn}", args, kwargs,
                 ("a", "q", "axis", "out", "overwrite_input", "method", "keepdims", "weights"),
                 {"axis": None, "out": None, "overwrite_input": False, "method": "linear",
                  "keepdims": False, "weights": None})
        if p["out"] is not None or p["weights"] is not None:
            raise Unconvertible(f"numpy.{fn} with out= or weights= is not converted", b.where)
        _no_overwrite(b, p, fn)
        if static(b, p["method"], "method") != "linear":
            raise Unconvertible(f"numpy.{fn}: only method='linear' is converted", b.where)
        q = _known(p["q"])
        if is_tensor(q) and q.source is None:
            raise Unconvertible(f"numpy.{fn}: q computed from array data is not converted",
                                b.where)
        q = static(b, q, "q")
        weak_q = type(q) in (int, float)
        with np.errstate(all="ignore"):
            qs = np.true_divide(q, 100) if fn == "percentile" else np.asanyarray(q)
        if qs.size == 0:
            raise Unconvertible(f"numpy.{fn} with no quantiles is not converted", b.where)
        if qs.dtype.kind != "f":
            raise Unconvertible(f"numpy.{fn} with integer q takes elements without "
                                "interpolation: not converted", b.where)
        if not (np.all(qs >= 0) and np.all(qs <= 1)):
            raise Unconvertible(f"ValueError: numpy.{fn}: q out of range", b.where)
        a = as_array(b, p["a"])
        _check_input(b, a, f"numpy.{fn}")
        part, ax, axis = _sorted_along(b, a, p["axis"], f"numpy.{fn}")
        out = _interpolate(b, part, ax, qs, weak_q)
        if _keepdims(b, p["keepdims"]):
            out = b.emit("reshape", [out], copy=True, shape=qs.shape + _keep_shape(a, axis))
        return scalar_if_0d(out)

    return handler


def _known(v: Any) -> Any:
    """The value of a graph constant (an array the function built from literals), else `v`."""
    if not is_tensor(v) or v.view is not None:
        return v
    owner = v.value.owner
    if not isinstance(owner, (ir.Operation, ir.OpView)) or owner.name != "janus.constant":
        return v
    return np.asarray(janus.wrap(owner.operation).attributes()["value"])


def _interpolate(b: GraphBuilder, part: Tensor, ax: int, qs: np.ndarray, weak_q: bool) -> Tensor:
    """NumPy's linear quantiles of `part` (sorted along `ax`): shape qs.shape + the other
    dims. The indexes and weights are computed now, exactly as NumPy computes them."""
    n = part.shape[ax]
    virtual = np.asanyarray((n - 1) * qs)
    prev = np.floor(virtual, out=...)
    nxt = np.add(prev, 1, out=...)
    above = virtual >= n - 1
    prev[above], nxt[above] = -1, -1
    prev, nxt = prev.astype(np.intp), nxt.astype(np.intp)
    gamma = np.asanyarray(virtual - prev, dtype=virtual.dtype)
    arr = b.emit("transpose", [part], copy=True,
                 perm=(ax, *[i for i in range(part.ndim) if i != ax])) if ax else part
    rest = arr.shape[1:]
    lo, hi = (_take_rows(b, arr, idx % n) for idx in (prev, nxt))
    t: Any = float(gamma) if weak_q else b.constant(
        gamma.reshape(gamma.shape + (1,) * len(rest)), ARRAY)
    diff = apply(b, "subtract", [hi, lo])
    low_form = apply(b, "add", [lo, apply(b, "multiply", [diff, t])])
    high_form = apply(b, "subtract", [hi, apply(b, "multiply", [
        diff, apply(b, "subtract", [1, t]) if is_tensor(t) else 1 - t])])
    high_form = _cast(b, retyped(high_form, ARRAY), low_form.dtype)
    use_high = gamma >= 0.5
    if use_high.all():
        out = high_form
    elif not use_high.any():
        out = low_form
    else:
        mask = b.constant(use_high.reshape(use_high.shape + (1,) * len(rest)), ARRAY)
        out = b.emit("where", [mask, high_form, low_form])
    out = retyped(out, ARRAY)
    if not is_float(part.dtype):
        return out
    last = b.emit("reshape", [slice_axis(b, arr, 0, n - 1, 1)], copy=True, shape=rest)
    has_nan = b.emit("isnan", [last])
    if out.ndim == 0 and out.dtype != last.dtype:
        # NumPy then returns the NaN itself, in the array's dtype: a dtype only known then.
        guard_all(b, b.emit("logical_not", [has_nan]), "value",
                  "the array holds no NaN (NumPy's quantile of a slice with NaN returns it in "
                  "the array's dtype)")
        return out
    return b.emit("where", [has_nan, last, out])


def _take_rows(b: GraphBuilder, arr: Tensor, idx: np.ndarray) -> Tensor:
    """arr[idx] along axis 0 for a constant index array (a 0-d idx drops the axis), from
    slices (no gather: a gather fused into a later reduction reads wrong elements on IREE
    3.13, ops/sorting.py `barrier`)."""
    rest = arr.shape[1:]
    rows = [slice_axis(b, arr, 0, int(i), 1) for i in idx.reshape(-1)]
    out = rows[0] if len(rows) == 1 else b.emit("concatenate", rows, axis=0)
    return b.emit("reshape", [out], copy=True, shape=idx.shape + rest)


# ---------------------------------------------------------------------------------------------
# nansum, nanprod, nanmax, nanmin, nanmean, nanvar, nanstd
# ---------------------------------------------------------------------------------------------


def _nan_args(b: GraphBuilder, fn: str, args: list[Any], kwargs: dict[str, Any],
              names: tuple[str, ...], defaults: dict[str, Any]) -> dict[str, Any]:
    p = bind(b, f"numpy.{fn}", args, kwargs, names,
             {**defaults, "out": None, "keepdims": False, "where": None, "initial": None})
    for k in ("out", "where", "initial"):
        if p.get(k) is not None:
            raise Unconvertible(f"numpy.{fn}({k}=...) is not converted", b.where)
    p["a"] = as_array(b, p["a"])
    return p


def _nan_identity(fn: Any, plain: Any, value: float) -> Handler:
    """nansum / nanprod: NaN replaced by the identity, then the plain reduction."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = _nan_args(b, fn.__name__, args, kwargs,
                      ("a", "axis", "dtype", "out", "keepdims", "initial", "where"),
                      {"axis": None, "dtype": None})
        a = p["a"]
        if is_float(a.dtype):
            a, _ = _replace_nan(b, a, value)
        return _reduce(b, plain, a, axis=p["axis"], dtype=p["dtype"], keepdims=p["keepdims"])

    return handler


def _nan_extreme(fn: Any, plain: Any) -> Handler:
    """nanmax / nanmin: NumPy's fmax/fmin reduction (NaN only where a slice is all NaN)."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = _nan_args(b, fn.__name__, args, kwargs,
                      ("a", "axis", "out", "keepdims", "initial", "where"), {"axis": None})
        a, kw = p["a"], {"axis": p["axis"], "keepdims": p["keepdims"]}
        if not is_float(a.dtype):
            return _reduce(b, plain, a, **kw)
        filled, mask = _replace_nan(b, a, -np.inf if plain is np.max else np.inf)
        res = _reduce(b, plain, filled, **kw)
        all_nan = _reduce(b, np.all, mask, **kw)
        return scalar_if_0d(b.emit("where", [all_nan, _const(b, np.nan, a.dtype), res]))

    return handler


def _divide_by_count(b: GraphBuilder, tot: Tensor, cnt: Tensor) -> Tensor:
    """NumPy's `_divide_by_count`: a true division kept in the dividend's dtype."""
    q = apply(b, "divide", [tot, cnt])
    out = b.emit("astype", [q], dtype=tot.dtype) if q.dtype != tot.dtype else q
    return scalar_if_0d(out)


def nanmean(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = _nan_args(b, "nanmean", args, kwargs, ("a", "axis", "dtype", "out", "keepdims"),
                  {"axis": None, "dtype": None})
    a, kw = p["a"], {"axis": p["axis"], "keepdims": p["keepdims"]}
    if not is_float(a.dtype):
        return _reduce(b, np.mean, a, dtype=p["dtype"], **kw)
    arr, mask = _replace_nan(b, a, 0)
    cnt = _reduce(b, np.sum, b.emit("logical_not", [mask]), dtype=np.intp, **kw)
    tot = _reduce(b, np.sum, arr, dtype=dtype_arg(b, p["dtype"]), **kw)
    return _divide_by_count(b, tot, cnt)


def _nanvar(sqrt: bool) -> Handler:
    name = "nanstd" if sqrt else "nanvar"

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        p = _nan_args(b, name, args, kwargs, ("a", "axis", "dtype", "out", "ddof", "keepdims"),
                      {"axis": None, "dtype": None, "ddof": 0})
        a = p["a"]
        if p["dtype"] is not None:
            raise Unconvertible(f"numpy.{name}(dtype=...) is not converted", b.where)
        if not is_float(a.dtype):
            plain = np.std if sqrt else np.var
            return REDUCTIONS[plain](b, [a], {"axis": p["axis"], "ddof": p["ddof"],
                                              "keepdims": p["keepdims"]})
        ddof = static_int(b, p["ddof"], "ddof")
        keep = _keepdims(b, p["keepdims"])
        arr, mask = _replace_nan(b, a, 0)
        cnt = _reduce(b, np.sum, b.emit("logical_not", [mask]), axis=p["axis"], dtype=np.intp,
                      keepdims=True)
        avg = _divide_by_count(b, retyped(_reduce(b, np.sum, arr, axis=p["axis"],
                                                  keepdims=True), ARRAY), cnt)
        dev = _cast(b, retyped(apply(b, "subtract", [arr, avg]), ARRAY), a.dtype)
        dev = b.emit("where", [mask, _const(b, 0, a.dtype), dev])
        var = _reduce(b, np.sum, apply(b, "multiply", [dev, dev]), axis=p["axis"],
                      keepdims=keep)
        if not keep:
            cnt = b.emit("reshape", [cnt], copy=True, shape=var.shape)
        dof = apply(b, "subtract", [retyped(cnt, ARRAY), _const(b, ddof, np.intp)])
        var = _divide_by_count(b, var, dof)
        bad = b.emit("less_equal", [dof, _const(b, 0, np.intp)])
        var = b.emit("where", [bad, _const(b, np.nan, var.dtype), var])
        return scalar_if_0d(apply(b, "sqrt", [var]) if sqrt else var)

    return handler


FUNCTIONS: dict[Any, Handler] = {
    np.ptp: ptp, np.count_nonzero: count_nonzero, np.average: average, np.median: median,
    np.quantile: _quantile("quantile"), np.percentile: _quantile("percentile"),
    np.nansum: _nan_identity(np.nansum, np.sum, 0), np.nanprod: _nan_identity(np.nanprod,
                                                                             np.prod, 1),
    np.nanmax: _nan_extreme(np.nanmax, np.max), np.nanmin: _nan_extreme(np.nanmin, np.min),
    np.nanmean: nanmean, np.nanvar: _nanvar(False), np.nanstd: _nanvar(True),
}

# ndarray methods of this family (bound to the array by methods.py). NumPy 2 has no
# ndarray.ptp.
METHODS: dict[str, Handler] = {}
