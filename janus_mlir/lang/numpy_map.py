"""NumPy calls on lang values, translated into janus ops (one table for boxes and graph values).

`call_ufunc(ufunc, inputs)` and `call_function(func, args, kwargs)` are what a value kind's
`__array_ufunc__` / `__array_function__` delegate to. Each entry normalises NumPy's arguments
(negative axes, `axis=None`, `-1` in shapes) into the attributes of one or a few janus ops and
applies them with `lang.op`, so that a value kind only has to implement `__janus_op__`.
Functions missing here raise `NotTranslated`, naming the function.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .apply import dtype_of, op, shape_of
from .shapes import is_static


class NotTranslated(TypeError):
    """A NumPy call lang has no translation for."""


_UFUNC_OPS: dict[np.ufunc, str] = {}


def ufunc_op(ufunc: np.ufunc) -> str | None:
    """The janus op a ufunc is (matmul included), or None."""
    if not _UFUNC_OPS:
        from ..ops.registry import OPS

        for name, rule in OPS.items():
            if isinstance(rule.numpy, np.ufunc):
                _UFUNC_OPS.setdefault(rule.numpy, name)
    return _UFUNC_OPS.get(ufunc)


def call_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]
               ) -> Any:
    name = ufunc_op(ufunc)
    if method != "__call__" or name is None or any(v is not None for v in kwargs.values()):
        what = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        extra = f" with {sorted(kwargs)}" if kwargs else ""
        raise NotTranslated(f"numpy.{what}{extra} is not supported on differentiated arrays")
    return op(name, *inputs)


def call_function(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
                  ) -> Any:
    entry = FUNCTIONS.get(func)
    if entry is None:
        name = getattr(func, "__name__", repr(func))
        raise NotTranslated(f"numpy.{name} is not supported on differentiated arrays")
    return entry(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Argument normalisation
# ---------------------------------------------------------------------------------------------


def ndim(v: Any) -> int:
    return len(shape_of(v))


def axes_of(axis: Any, rank: int) -> tuple[int, ...]:
    """NumPy's axis argument (None, an int, a tuple) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(rank))
    items = axis if isinstance(axis, tuple | list) else (axis,)
    out = []
    for a in items:
        a = int(a)
        if not -rank <= a < rank:
            raise np.exceptions.AxisError(a, rank)
        out.append(a % rank)
    return tuple(sorted(out))


def resolve_shape(shape: Any, size: int) -> tuple[int, ...]:
    dims = tuple(int(d) for d in (shape if isinstance(shape, tuple | list) else (shape,)))
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        dims = tuple(size // known if d == -1 else d for d in dims)
    return dims


def size_of(v: Any) -> int:
    return math.prod(shape_of(v))


# ---------------------------------------------------------------------------------------------
# Reductions and shapes
# ---------------------------------------------------------------------------------------------


def _reduction(name: str) -> Callable[..., Any]:
    def reduce(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
               keepdims: bool = False, **rest: Any) -> Any:
        if out is not None or rest:
            raise NotTranslated(f"numpy.{name} with {sorted(rest) or ['out']} is not supported "
                                "on differentiated arrays")
        if dtype is not None:
            a = op("astype", a, dtype=np.dtype(dtype))
        return op(name, a, axes=axes_of(axis, ndim(a)), keepdims=bool(keepdims))

    return reduce


def _max_min(name: str) -> Callable[..., Any]:
    reduce = _reduction(name)
    return lambda a, axis=None, out=None, keepdims=False, **rest: reduce(
        a, axis, None, out, keepdims, **rest)


def reshape(a: Any, shape: Any = None, order: str = "C", **kw: Any) -> Any:
    if order != "C":
        raise NotTranslated("reshape with order other than 'C' is not supported")
    shape = kw.get("newshape", shape)
    return op("reshape", a, shape=resolve_shape(shape, size_of(a)))


def transpose(a: Any, axes: Any = None) -> Any:
    r = ndim(a)
    perm = tuple(reversed(range(r))) if axes is None else tuple(int(x) % r for x in axes)
    return op("transpose", a, perm=perm)


def swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    r = ndim(a)
    perm = list(range(r))
    i, j = int(axis1) % r, int(axis2) % r
    perm[i], perm[j] = perm[j], perm[i]
    return op("transpose", a, perm=tuple(perm))


def moveaxis(a: Any, source: Any, destination: Any) -> Any:
    r = ndim(a)
    src = [int(s) % r for s in (source if isinstance(source, tuple | list) else (source,))]
    dst = [int(d) % r for d in (destination if isinstance(destination, tuple | list)
                                else (destination,))]
    order = [n for n in range(r) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return op("transpose", a, perm=tuple(order))


def expand_dims(a: Any, axis: Any) -> Any:
    rank = ndim(a) + (len(axis) if isinstance(axis, tuple | list) else 1)
    return op("expand_dims", a, axes=axes_of(axis, rank))


def squeeze(a: Any, axis: Any = None) -> Any:
    shape = shape_of(a)
    axes = tuple(i for i, n in enumerate(shape) if n == 1) if axis is None else axes_of(
        axis, len(shape))
    return op("squeeze", a, axes=axes)


def ravel(a: Any, order: str = "C") -> Any:
    return reshape(a, (size_of(a),), order)


def broadcast_to(a: Any, shape: Any, subok: bool = False) -> Any:
    shape = tuple(int(d) for d in (shape if isinstance(shape, tuple | list) else (shape,)))
    if shape_of(a) == shape:
        return a
    return op("broadcast_to", a, shape=shape)


def concatenate(arrays: Any, axis: Any = 0, out: Any = None, **kw: Any) -> Any:
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    return op("concatenate", *arrays, axis=int(axis) % ndim(arrays[0]))


def stack(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> Any:
    arrays = list(arrays)
    return op("stack", *arrays, axis=int(axis) % (ndim(arrays[0]) + 1))


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None or y is None:
        raise NotTranslated("numpy.where with one argument is not supported on differentiated "
                            "arrays")
    return op("where", condition, x, y)


def full_like(a: Any, fill_value: Any, dtype: Any = None, shape: Any = None, **kw: Any) -> Any:
    dt = np.dtype(dtype) if dtype is not None else dtype_of(a)
    if shape is None and _graph(a) and not is_static(a):
        # a symbolic shape: the lengths come from `a` itself (a where that never picks it)
        v = op("where", np.True_, np.asarray(fill_value, dt), a)
        return v if dtype_of(v) == dt else op("astype", v, dtype=dt)
    return op("full", shape=tuple(shape) if shape is not None else shape_of(a), dtype=dt,
              value=fill_value) if _graph(a) else np.full(
        shape if shape is not None else shape_of(a), fill_value, dtype=dt)


def zeros_like(a: Any, dtype: Any = None, **kw: Any) -> Any:
    return full_like(a, 0, dtype)


def ones_like(a: Any, dtype: Any = None, **kw: Any) -> Any:
    return full_like(a, 1, dtype)


def _graph(a: Any) -> bool:
    """Whether `a` is a graph value (creation ops are then emitted, not computed)."""
    return getattr(type(a), "EMITS", False)


def take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    if axis is None:
        a, axis = ravel(a), 0
    return op("take", a, indices, axis=int(axis) % max(ndim(a), 1))


def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    a_min = kw.pop("min", a_min)
    a_max = kw.pop("max", a_max)
    if a_min is not None:  # the bound first: a tie gives `a`, as np.clip does
        a = op("maximum", a_min, a)
    if a_max is not None:
        a = op("minimum", a_max, a)
    return a


def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
         keepdims: bool = False, **rest: Any) -> Any:
    return _reduction("mean")(a, axis, dtype, out, keepdims, **rest)


def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
        keepdims: bool = False, **rest: Any) -> Any:
    """numpy.var as NumPy computes it: the mean of squared deviations from the mean."""
    if out is not None or rest:
        raise NotTranslated("numpy.var with out= or where= is not supported")
    axes = axes_of(axis, ndim(a))
    if dtype is not None:
        a = op("astype", a, dtype=np.dtype(dtype))
    elif dtype_of(a).kind in "biu":
        a = op("astype", a, dtype=np.dtype(np.float64))
    count = math.prod(shape_of(a)[i] for i in axes)
    centred = op("subtract", a, op("mean", a, axes=axes, keepdims=True))
    total = op("sum", op("multiply", centred, centred), axes=axes, keepdims=bool(keepdims))
    return op("divide", total, builtins.max(count - ddof, 0))


def std(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: int = 0,
        keepdims: bool = False, **rest: Any) -> Any:
    return op("sqrt", var(a, axis, dtype, out, ddof, keepdims, **rest))


def dot(a: Any, b: Any, out: Any = None) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return op("multiply", a, b)
    if ndim(b) <= 2:
        return op("matmul", a, b)
    raise NotTranslated("numpy.dot of an operand of rank > 2 is not supported on "
                        "differentiated arrays (use matmul or einsum)")


def einsum(subscripts: str, *operands: Any, optimize: Any = False, **kw: Any) -> Any:
    if kw or not isinstance(subscripts, str):
        raise NotTranslated("numpy.einsum with out=/dtype= or in the interleaved form is not "
                            "supported on differentiated arrays")
    return op("einsum", *operands, subscripts=explicit_subscripts(subscripts, operands))


def explicit_subscripts(subscripts: str, operands: Any) -> str:
    """Subscripts with an explicit output and every ellipsis written out (the janus form)."""
    from numpy._core.einsumfunc import _parse_einsum_input

    stand_ins = [np.empty(shape_of(o), dtype=np.float32) for o in operands]
    ins, out, _ = _parse_einsum_input([subscripts.replace(" ", ""), *stand_ins])
    return f"{ins}->{out}"


def pad(a: Any, pad_width: Any, mode: str = "constant", **kw: Any) -> Any:
    values = kw.pop("constant_values", 0)
    if mode != "constant" or kw or np.ndim(values) != 0:
        raise NotTranslated("numpy.pad other than mode='constant' with one fill value is not "
                            "supported on differentiated arrays")
    shape = shape_of(a)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (len(shape), 2))
    out_shape = tuple(int(n + lo + hi) for n, (lo, hi) in zip(shape, widths))
    base = full_like(a, values, shape=out_shape)
    return op("slice_update", base, a, starts=tuple(int(lo) for lo, _ in widths),
              steps=(1,) * len(shape))


def sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    if order is not None:
        raise NotTranslated("numpy.sort with order= is not supported")
    if axis is None:
        a, axis = ravel(a), 0
    return op("sort", a, axis=int(axis) % ndim(a))


def _scan(name: str) -> Callable[..., Any]:
    def scan(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        if axis is None:
            a, axis = ravel(a), 0
        if dtype is not None:
            a = op("astype", a, dtype=np.dtype(dtype))
        return op(name, a, axis=int(axis) % ndim(a))

    scan.__name__ = name
    return scan


cumsum, cumprod = _scan("cumsum"), _scan("cumprod")


def tril(m: Any, k: int = 0) -> Any:
    return op("tri", m, k=int(k), upper=False)


def triu(m: Any, k: int = 0) -> Any:
    return op("tri", m, k=int(k), upper=True)


def along_axis_index(indices: Any, axis: int, shape: tuple[int, ...]) -> list[Any]:
    """Index arrays for every dim, `indices` at `axis` (take_along_axis as a gather)."""
    out_shape = np.broadcast_shapes(shape_of(indices), tuple(
        1 if d == axis else n for d, n in enumerate(shape)))
    index = []
    for d in range(len(shape)):
        if d == axis:
            index.append(indices)
        else:
            n = out_shape[d]
            index.append(np.broadcast_to(np.arange(n, dtype=np.int64).reshape(
                [n if e == d else 1 for e in range(len(shape))]), out_shape))
    return index


def take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    if axis is None:
        arr, axis = ravel(arr), 0
    axis = int(axis) % ndim(arr)
    n = shape_of(arr)[axis]
    idx = op("where", op("less", indices, 0), op("add", indices, n), indices)
    index = along_axis_index(idx, axis, shape_of(arr))
    return op("gather", arr, *index, axes=tuple(range(ndim(arr))), position=0)


def outer(a: Any, b: Any, out: Any = None) -> Any:
    return op("multiply", op("reshape", a, shape=(size_of(a), 1)),
              op("reshape", b, shape=(1, size_of(b))))


def _as_value(v: Any) -> Any:
    """A lang value or NumPy array (lists and Python numbers become arrays)."""
    return v if hasattr(v, "shape") else np.asarray(v)


def kron(a: Any, b: Any) -> Any:
    """numpy.kron: each operand spread over interleaved axes, one broadcast multiply, then
    the merged shape (NumPy's own steps)."""
    a, b = _as_value(a), _as_value(b)
    nd = builtins.max(ndim(a), ndim(b))
    if ndim(a) == 0 or ndim(b) == 0:
        return op("multiply", a, b)
    sa = (1,) * (nd - ndim(a)) + shape_of(a)
    sb = (1,) * (nd - ndim(b)) + shape_of(b)
    prod = op("multiply", op("reshape", a, shape=tuple(d for n in sa for d in (n, 1))),
              op("reshape", b, shape=tuple(d for n in sb for d in (1, n))))
    return op("reshape", prod, shape=tuple(i * j for i, j in zip(sa, sb)))


def cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
          axis: Any = None) -> Any:
    """numpy.cross of 3-vectors: NumPy's products and differences, stacked along axisc."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a = moveaxis(_as_value(a), axisa, -1)
    b = moveaxis(_as_value(b), axisb, -1)
    if shape_of(a)[-1:] != (3,) or shape_of(b)[-1:] != (3,):
        raise NotTranslated("numpy.cross of other than 3-vectors is not supported on "
                            "differentiated arrays")
    a0, a1, a2 = (a[..., i] for i in range(3))
    b0, b1, b2 = (b[..., i] for i in range(3))
    parts = [op("subtract", op("multiply", a1, b2), op("multiply", a2, b1)),
             op("subtract", op("multiply", a2, b0), op("multiply", a0, b2)),
             op("subtract", op("multiply", a0, b1), op("multiply", a1, b0))]
    return moveaxis(stack(parts, axis=-1), -1, axisc)


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """numpy.copy (and ascontiguousarray): the same values as a new value."""
    return op("positive", _as_value(a))


FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sort: sort,
    np.cumsum: cumsum,
    np.cumprod: cumprod,
    np.tril: tril,
    np.triu: triu,
    np.take_along_axis: take_along_axis,
    np.outer: outer,
    np.kron: kron,
    np.cross: cross,
    np.copy: copy,
    np.sum: _reduction("sum"),
    np.prod: _reduction("prod"),
    np.mean: mean,
    np.max: _max_min("max"),
    np.amax: _max_min("max"),
    np.min: _max_min("min"),
    np.amin: _max_min("min"),
    np.var: var,
    np.std: std,
    np.reshape: reshape,
    np.ravel: ravel,
    np.transpose: transpose,
    np.swapaxes: swapaxes,
    np.moveaxis: moveaxis,
    np.expand_dims: expand_dims,
    np.squeeze: squeeze,
    np.broadcast_to: broadcast_to,
    np.concatenate: concatenate,
    np.stack: stack,
    np.where: where,
    np.zeros_like: zeros_like,
    np.ones_like: ones_like,
    np.full_like: full_like,
    np.take: take,
    np.clip: clip,
    np.dot: dot,
    np.einsum: einsum,
    np.pad: pad,
    np.shape: shape_of,
    np.ndim: ndim,
    np.size: size_of,
}
