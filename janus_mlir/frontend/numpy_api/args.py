"""Arguments of NumPy calls: constants NumPy needs at conversion time (shapes, axes, dtypes),
binding of positional and keyword arguments, and operands as NumPy sees them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import numpy as np

from ...dialects.types import is_supported_dtype
from ..builder import GraphBuilder
from ..errors import NeedsStatic, Unconvertible
from ..operators import lift
from ..row_lists import RowList
from ..values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_py_scalar, is_tensor, retyped

Handler = Callable[[GraphBuilder, list[Any], dict[str, Any]], Any]


def static(b: GraphBuilder, v: Any, what: str) -> Any:
    """`v` as a Python constant; run-time values cannot be shapes, axes or dtypes."""
    if isinstance(v, (tuple, list)):
        return type(v)(static(b, x, what) for x in v)
    if is_tensor(v):
        if v.source is not None and v.kind in (PY_SCALAR, NP_SCALAR):
            raise NeedsStatic(v.source, b.where)
        raise Unconvertible(f"{what} must be known before the graph runs, but it is computed "
                            "from array data", b.where)
    return v


def static_int(b: GraphBuilder, v: Any, what: str) -> int:
    v = static(b, v, what)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise Unconvertible(f"{what} must be an integer, got {type(v).__name__}", b.where)
    return int(v)


def shape_arg(b: GraphBuilder, v: Any) -> tuple[int, ...]:
    v = static(b, v, "a shape")
    if isinstance(v, (int, np.integer)):
        return (int(v),)
    return tuple(static_int(b, d, "a shape entry") for d in v)


def dtype_arg(b: GraphBuilder, v: Any) -> np.dtype | None:
    v = static(b, v, "a dtype")
    if v is None:
        return None
    try:
        dt = np.dtype(v)
    except TypeError:
        raise Unconvertible(f"data type {v!r} not understood", b.where) from None
    if not is_supported_dtype(dt):
        raise Unconvertible(f"dtype {dt.name} is not supported by janus", b.where)
    return dt


def axes_arg(b: GraphBuilder, axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalized axes (None = all), raising what NumPy raises for bad ones."""
    axis = static(b, axis, "an axis")
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        a = static_int(b, a, "an axis")
        if not -ndim <= a < max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise Unconvertible(f"axis {a} is out of bounds for array of dimension {ndim}", b.where)
        out.append(a % max(ndim, 1))
    if len(set(out)) != len(out):
        raise Unconvertible("duplicate value in 'axis'", b.where)
    return tuple(sorted(out))


def refuse_out(b: GraphBuilder, fn: str) -> NoReturn:
    """`out=` of a ufunc or a NumPy function: the result is written in place into an array the
    caller passed, which a graph does not do (it returns new arrays)."""
    raise Unconvertible(f"{fn}(out=...) writes its result in place into another array (the "
                        "out= argument): in-place writes into a given array are not converted",
                        b.where)


def no_extra(b: GraphBuilder, kwargs: dict[str, Any], allowed: Sequence[str], fn: str) -> None:
    extra = [k for k, v in kwargs.items() if k not in allowed and v is not None]
    if "out" in extra:
        refuse_out(b, fn)
    if extra:
        raise Unconvertible(f"{fn}() argument(s) {extra} are not converted", b.where)


def bind(b: GraphBuilder, fn: str, args: list[Any], kwargs: dict[str, Any],
          names: Sequence[str], defaults: dict[str, Any], out: bool = False) -> dict[str, Any]:
    """The arguments of `fn` by parameter name, raising what Python raises for bad ones; an
    `out=` array (by keyword, or positionally where `names` holds "out") stops the conversion
    with refuse_out's reason unless `out` (the function writes it: numpy_api/outputs.py)."""
    if out:
        kwargs = dict(kwargs)
        given = kwargs.pop("out", None)
        bound = bind(b, fn, args[:names.index("out")], kwargs, names, defaults)
        bound["out"] = args[names.index("out")] if len(args) > names.index("out") else given
        return bound
    if len(args) > len(names):
        raise Unconvertible(f"{fn}() takes at most {len(names)} positional arguments", b.where)
    bound = dict(defaults)
    bound.update(zip(names, args))
    for k, v in kwargs.items():
        if k == "out" and v is not None:
            refuse_out(b, fn)
        if k not in names:
            raise Unconvertible(f"{fn}() got an unexpected keyword argument '{k}'", b.where)
        bound[k] = v
    if bound.get("out") is not None:  # given positionally
        refuse_out(b, fn)
    missing = [n for n in names if n not in bound]
    if missing:
        raise Unconvertible(f"{fn}() missing argument(s) {missing}", b.where)
    return bound


def scalar_if_0d(t: Tensor) -> Tensor:
    """A ufunc's or reduction's result: NumPy hands out a 0-d result as a NumPy scalar."""
    return retyped(t, NP_SCALAR if t.ndim == 0 else ARRAY)


def like_input(a: Tensor, out: Tensor) -> Tensor:
    """An ndarray method's result: on a NumPy scalar, a 0-d result is a NumPy scalar again
    (`np.float64(2).T`, `np.reshape(s, ())`); on an array it stays a 0-d array."""
    if a.kind == NP_SCALAR and out.ndim == 0 and out.kind == ARRAY:
        return retyped(out, NP_SCALAR)
    return out


def as_array(b: GraphBuilder, v: Any) -> Tensor:
    """An operand as NumPy sees it inside a function call (Python scalars become arrays, and
    so lose their weak NEP 50 promotion)."""
    if is_tensor(v):
        return retyped(v, ARRAY) if v.weak else v
    if isinstance(v, RowList):
        return v.array(b, "numpy")
    if isinstance(v, (list, tuple)):
        if any(is_tensor(x) for x in v):
            from .shapes import stack  # stacking is a shape op built on these helpers

            return stack(b, [list(v)], {})
        return b.constant(np.asarray(v), ARRAY)
    return lift(b, np.asarray(v) if is_py_scalar(v) else v)


def refuse(reason: str) -> Handler:
    """A handler for a NumPy function janus recognises but does not convert: the call runs as
    plain Python with `reason` (marked `refuses`, so lists of what is converted leave it out)."""

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        raise Unconvertible(reason, b.where)

    handler.refuses = True  # type: ignore[attr-defined]
    return handler
