"""Shape ops: reshape, ravel, transpose, moveaxis, swapaxes, broadcast_to, broadcast_arrays,
expand_dims, squeeze, atleast_1d/2d/3d, flip/fliplr/flipud, rot90, roll, concatenate, stack.

Where NumPy hands out a view (transpose, moveaxis, swapaxes, flip, rot90, broadcast_arrays,
atleast_*d) the result is built from view ops, so the heap model tracks it as a view; roll,
concatenate and stack make new arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from ..builder import GraphBuilder
from ..errors import Unconvertible
from .. import row_lists
from ..row_lists import RowList
from ..values import ARRAY, NP_SCALAR, Tensor, is_tensor, retyped
from .args import (Handler, as_array, axes_arg, bind, dtype_arg, like_input, no_extra, shape_arg,
    static, static_int)


def reshape_to(b: GraphBuilder, a: Tensor, shape: tuple[int, ...]) -> Tensor:
    if any(d < -1 for d in shape):
        raise Unconvertible(f"negative dimensions not allowed: {shape}", b.where)
    if sum(1 for d in shape if d == -1) > 1:
        raise Unconvertible("can only specify one unknown dimension", b.where)
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        if known == 0 or a.spec.size % known:
            raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                                b.where)
        shape = tuple(a.spec.size // known if d == -1 else d for d in shape)
    if int(np.prod(shape)) != a.spec.size:
        raise Unconvertible(f"cannot reshape array of size {a.spec.size} into shape {shape}",
                            b.where)
    return b.emit("reshape", [a], shape=shape)


def reshape(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.reshape", args, kwargs, ("a", "shape", "order"), {"order": "C"})
    if static(b, p["order"], "order") != "C":
        raise Unconvertible("reshape with order other than 'C' is not converted", b.where)
    a = as_array(b, p["a"])
    return like_input(a, reshape_to(b, a, shape_arg(b, p["shape"])))


def transpose(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.transpose", args, kwargs, ("a", "axes"), {"axes": None})
    a = as_array(b, p["a"])
    axes = static(b, p["axes"], "axes")
    if isinstance(axes, (int, np.integer)):  # x.transpose(0) of a 1-d array
        axes = (axes,)
    perm = tuple(reversed(range(a.ndim))) if axes is None else tuple(
        static_int(b, x, "an axis") for x in axes)
    if any(not -a.ndim <= x < a.ndim for x in perm):
        raise Unconvertible(f"axis out of bounds for array of dimension {a.ndim}", b.where)
    perm = tuple(x % a.ndim for x in perm)
    if sorted(perm) != list(range(a.ndim)):
        raise Unconvertible("axes don't match array", b.where)
    return like_input(a, b.emit("transpose", [a], perm=perm))


def broadcast_to(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.broadcast_to", args, kwargs, ("array", "shape", "subok"), {"subok": False})
    return b.emit("broadcast_to", [as_array(b, p["array"])], shape=shape_arg(b, p["shape"]))


def expand_dims(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.expand_dims", args, kwargs, ("a", "axis"), {})
    a = as_array(b, p["a"])
    axis = static(b, p["axis"], "an axis")
    n = len(axis) if isinstance(axis, (tuple, list)) else 1
    return b.emit("expand_dims", [a], axes=axes_arg(b, axis, a.ndim + n))


def squeeze(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.squeeze; with nothing to squeeze NumPy returns the array itself."""
    p = bind(b, "numpy.squeeze", args, kwargs, ("a", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    if p["axis"] is None:
        axes = tuple(i for i, d in enumerate(a.shape) if d == 1)
    else:
        axes = axes_arg(b, p["axis"], a.ndim)
        if any(a.shape[i] != 1 for i in axes):
            raise Unconvertible("cannot select an axis to squeeze out which has size not "
                                "equal to one", b.where)
    if not axes:
        return a
    return like_input(a, b.emit("squeeze", [a], axes=axes))


def cast_parts(b: GraphBuilder, parts: list[Tensor], dtype: Any, casting: Any,
               fn: str) -> list[Tensor]:
    """The operands of concatenate/stack cast to `dtype=` under the `casting=` rule (NumPy
    raises TypeError where the rule forbids the cast); without a dtype they promote."""
    casting = static(b, casting, "casting")
    dt = dtype_arg(b, dtype)
    if casting not in ("no", "equiv", "safe", "same_kind", "unsafe"):
        raise Unconvertible(f"{fn}: casting must be one of 'no', 'equiv', 'safe', "
                            "'same_kind', or 'unsafe'", b.where)
    target = dt if dt is not None else np.result_type(*[t.dtype for t in parts])
    for t in parts:
        if not np.can_cast(t.dtype, target, casting=casting):
            raise Unconvertible(f"TypeError: Cannot cast array data from {t.dtype!r} to "
                                f"{target!r} according to the rule {casting!r}", b.where)
    if dt is None:
        return parts
    return [t if t.dtype == dt else b.emit("astype", [t], dtype=dt) for t in parts]


def join(b: GraphBuilder, parts: list[Tensor], axis: Any, dtype: Any = None,
         casting: Any = "same_kind", fn: str = "numpy.concatenate") -> Tensor:
    """numpy.concatenate of arrays (axis=None joins them flattened): always a new array."""
    axis = static(b, axis, "an axis")
    if axis is None:
        parts = [reshape_to(b, t, (t.spec.size,)) for t in parts]
        axis = 0
    if any(t.ndim == 0 for t in parts):
        raise Unconvertible("zero-dimensional arrays cannot be concatenated", b.where)
    parts = cast_parts(b, parts, dtype, casting, fn)
    return b.emit("concatenate", parts, axis=axes_arg(b, axis, parts[0].ndim)[0])


def concatenate(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.concatenate", args, kwargs, ("arrays", "axis", "out", "dtype", "casting"),
              {"axis": 0, "out": None, "dtype": None, "casting": "same_kind"})
    parts = sequence(b, p["arrays"], "numpy.concatenate")
    return join(b, parts, p["axis"], p["dtype"], p["casting"])


def stack(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.stack", args, kwargs, ("arrays", "axis", "out", "dtype", "casting"),
              {"axis": 0, "out": None, "dtype": None, "casting": "same_kind"})
    if isinstance(p["arrays"], RowList) and p["out"] is None and p["casting"] == "same_kind":
        rows = p["arrays"]
        axis = axes_arg(b, p["axis"], rows.rows.ndim)[0]
        return row_lists.stacked(b, rows, axis, dtype_arg(b, p["dtype"]))
    parts = sequence(b, p["arrays"], "numpy.stack")
    if any(t.shape != parts[0].shape for t in parts):
        raise Unconvertible("ValueError: all input arrays must have the same shape", b.where)
    axis = axes_arg(b, p["axis"], parts[0].ndim + 1)[0]
    parts = cast_parts(b, parts, p["dtype"], p["casting"], "numpy.stack")
    return b.emit("stack", parts, axis=axis)


# ---------------------------------------------------------------------------------------------
# Views NumPy hands out: ravel, moveaxis, swapaxes, flip, rot90, atleast_*d, broadcast_arrays
# ---------------------------------------------------------------------------------------------


def axis_tuple(b: GraphBuilder, axis: Any, ndim: int, what: str = "an axis",
               allow_duplicate: bool = False) -> tuple[int, ...]:
    """NumPy's normalize_axis_tuple (order kept, AxisError/ValueError as Unconvertible)."""
    axis = static(b, axis, what)
    items = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in items:
        static_int(b, a, what)
    try:
        return tuple(normalize_axis_tuple(axis, ndim, allow_duplicate=allow_duplicate))
    except (ValueError, TypeError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None


def slice_view(b: GraphBuilder, a: Tensor, starts: list[int], sizes: list[int],
               steps: list[int]) -> Tensor:
    """a[...] by one (start, size, step) per dim (a view, as basic slicing is in NumPy)."""
    fixed = [(st, n, sp) if n else (0, 0, 1) for st, n, sp in zip(starts, sizes, steps)]
    return b.emit("slice", [a], starts=tuple(f[0] for f in fixed),
                  sizes=tuple(f[1] for f in fixed), steps=tuple(f[2] for f in fixed))


def slice_axis(b: GraphBuilder, a: Tensor, axis: int, start: int, size: int) -> Tensor:
    """a[..., start:start + size, ...] along `axis` (a view)."""
    starts, sizes = [0] * a.ndim, list(a.shape)
    starts[axis], sizes[axis] = start, size
    return slice_view(b, a, starts, sizes, [1] * a.ndim)


def flip_axes(b: GraphBuilder, a: Tensor, axes: tuple[int, ...]) -> Tensor:
    """a[::-1] along each of `axes` (a view); a 0-d array gives a NumPy scalar, as m[()]."""
    if a.ndim == 0:
        return retyped(a, NP_SCALAR)
    starts = [a.shape[d] - 1 if d in axes else 0 for d in range(a.ndim)]
    steps = [-1 if d in axes else 1 for d in range(a.ndim)]
    return slice_view(b, a, starts, list(a.shape), steps)


def flip(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.flip", args, kwargs, ("m", "axis"), {"axis": None})
    a = as_array(b, p["m"])
    axes = tuple(range(a.ndim)) if p["axis"] is None else axis_tuple(b, p["axis"], a.ndim)
    return flip_axes(b, a, axes)


def _flip_one(axis: int, min_ndim: int, fn: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        a = as_array(b, bind(b, fn, args, kwargs, ("m",), {})["m"])
        if a.ndim < min_ndim:
            raise Unconvertible(f"ValueError: Input must be >= {min_ndim}-d.", b.where)
        return flip_axes(b, a, (axis,))

    return handler


def rot90(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.rot90: flips and a transpose, so a view of `m` as in NumPy."""
    p = bind(b, "numpy.rot90", args, kwargs, ("m", "k", "axes"), {"k": 1, "axes": (0, 1)})
    axes = tuple(static(b, p["axes"], "axes"))
    k = static_int(b, p["k"], "k") % 4
    if len(axes) != 2:
        raise Unconvertible("ValueError: len(axes) must be 2.", b.where)
    m = as_array(b, p["m"])
    x, y = (static_int(b, a, "an axis") for a in axes)
    if x == y or abs(x - y) == m.ndim or not (-m.ndim <= x < m.ndim and -m.ndim <= y < m.ndim):
        raise Unconvertible(f"ValueError: invalid axes {axes} for rot90 of a {m.ndim}-d array",
                            b.where)
    x, y = x % m.ndim, y % m.ndim
    perm = list(range(m.ndim))
    perm[x], perm[y] = perm[y], perm[x]
    if k == 0:
        return slice_view(b, m, [0] * m.ndim, list(m.shape), [1] * m.ndim)
    if k == 2:
        return flip_axes(b, flip_axes(b, m, (x,)), (y,))
    if k == 1:
        return b.emit("transpose", [flip_axes(b, m, (y,))], perm=tuple(perm))
    return flip_axes(b, b.emit("transpose", [m], perm=tuple(perm)), (y,))


def moveaxis(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.moveaxis", args, kwargs, ("a", "source", "destination"), {})
    a = as_array(b, p["a"])
    src = axis_tuple(b, p["source"], a.ndim, "source")
    dst = axis_tuple(b, p["destination"], a.ndim, "destination")
    if len(src) != len(dst):
        raise Unconvertible("ValueError: `source` and `destination` arguments must have the "
                            "same number of elements", b.where)
    order = [n for n in range(a.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return b.emit("transpose", [a], perm=tuple(order))


def swapaxes(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.swapaxes", args, kwargs, ("a", "axis1", "axis2"), {})
    a = as_array(b, p["a"])
    (x,) = axis_tuple(b, static_int(b, p["axis1"], "axis1"), a.ndim, "axis1")
    (y,) = axis_tuple(b, static_int(b, p["axis2"], "axis2"), a.ndim, "axis2")
    perm = list(range(a.ndim))
    perm[x], perm[y] = perm[y], perm[x]
    return b.emit("transpose", [a], perm=tuple(perm))


def ravel(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.ravel: a view when NumPy's reshape(-1) is one (the heap model decides)."""
    p = bind(b, "numpy.ravel", args, kwargs, ("a", "order"), {"order": "C"})
    if static(b, p["order"], "order") != "C":
        raise Unconvertible("ravel with order other than 'C' is not converted", b.where)
    a = as_array(b, p["a"])
    return retyped(reshape_to(b, a, (a.spec.size,)), ARRAY)


def at_least(b: GraphBuilder, a: Tensor, n: int) -> Tensor:
    """atleast_{n}d of one array: the array itself when it has n dims or more, else a view
    with NumPy's placement of the new axes."""
    a = as_array(b, a)
    if a.ndim >= n:
        return a
    if a.ndim == 0:
        shape: tuple[int, ...] = (1,) * n
    elif n == 2 or a.ndim == 2:
        shape = (1, *a.shape) if a.ndim == 1 and n == 2 else (*a.shape, 1)
    else:
        shape = (1, *a.shape, 1)
    return retyped(b.emit("reshape", [a], shape=shape), ARRAY)


def _atleast(n: int) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        no_extra(b, kwargs, (), f"numpy.atleast_{n}d")
        out = [at_least(b, a, n) for a in args]
        return out[0] if len(out) == 1 else tuple(out)

    return handler


def broadcast_arrays(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> tuple:
    """numpy.broadcast_arrays: arrays already of the common shape as they are, the others as
    broadcast views."""
    no_extra(b, {k: v for k, v in kwargs.items() if not (k == "subok" and v is False)}, (),
             "numpy.broadcast_arrays")
    arrays = [retyped(as_array(b, a), ARRAY) for a in args]  # NumPy scalars become arrays
    try:
        shape = np.broadcast_shapes(*[t.shape for t in arrays])
    except ValueError as e:
        raise Unconvertible(f"ValueError: {e}", b.where) from None
    return tuple(t if t.shape == shape else retyped(
        b.emit("broadcast_to", [t], shape=shape), ARRAY) for t in arrays)


# ---------------------------------------------------------------------------------------------
# roll: a new array from two slices per rolled axis
# ---------------------------------------------------------------------------------------------


def roll(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.roll", args, kwargs, ("a", "shift", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    shift, axis = static(b, p["shift"], "a shift"), static(b, p["axis"], "an axis")
    if axis is None:
        flat = roll(b, [reshape_to(b, a, (a.spec.size,)), shift, 0], {})
        return b.emit("reshape", [flat], copy=True, shape=a.shape)
    try:
        pairs = np.broadcast(np.asarray(shift), np.asarray(axis))
    except ValueError as e:
        raise Unconvertible(f"ValueError: {e}", b.where) from None
    if pairs.ndim > 1 or np.asarray(shift).dtype.kind not in "iu":
        raise Unconvertible("'shift' and 'axis' should be integer scalars or 1D sequences",
                            b.where)
    shifts = dict.fromkeys(range(a.ndim), 0)
    for sh, ax in pairs:
        (ax,) = axis_tuple(b, int(ax), a.ndim)
        shifts[ax] += int(sh)
    out = a
    for ax, sh in shifts.items():
        n = a.shape[ax]
        offset = sh % n if n else 0
        if offset:
            out = b.emit("concatenate", [slice_axis(b, out, ax, n - offset, offset),
                                         slice_axis(b, out, ax, 0, n - offset)], axis=ax)
    return b.emit("reshape", [out], copy=True, shape=a.shape) if out is a else out


def sequence(b: GraphBuilder, seq: Any, fn: str) -> list[Tensor]:
    """The arrays of a joining function's sequence argument (an array counts as the sequence
    of its rows)."""
    if is_tensor(seq):
        return [index_first(b, seq, i) for i in range(seq.shape[0])]
    if not isinstance(seq, (list, tuple)) or not seq:
        raise Unconvertible(f"{fn} needs a non-empty list or tuple of arrays", b.where)
    return [as_array(b, x) for x in seq]


def index_first(b: GraphBuilder, a: Tensor, i: int) -> Tensor:
    """a[i] for a constant i (a view NumPy would hand out: rank one less)."""
    if a.ndim == 0:
        raise Unconvertible("iteration over a 0-d array", b.where)
    starts = (i, *[0] * (a.ndim - 1))
    sizes = (1, *a.shape[1:])
    part = b.emit("slice", [a], starts=starts, sizes=sizes, steps=(1,) * a.ndim)
    out = b.emit("reshape", [part], shape=a.shape[1:])
    out.kind = NP_SCALAR if out.ndim == 0 else ARRAY
    return out


FUNCTIONS: dict[Any, Handler] = {
    np.reshape: reshape, np.transpose: transpose, np.broadcast_to: broadcast_to,
    np.expand_dims: expand_dims, np.squeeze: squeeze, np.concatenate: concatenate,
    np.stack: stack, np.ravel: ravel, np.moveaxis: moveaxis, np.swapaxes: swapaxes,
    np.flip: flip, np.fliplr: _flip_one(1, 2, "numpy.fliplr"),
    np.flipud: _flip_one(0, 1, "numpy.flipud"), np.rot90: rot90, np.roll: roll,
    np.atleast_1d: _atleast(1), np.atleast_2d: _atleast(2), np.atleast_3d: _atleast(3),
    np.broadcast_arrays: broadcast_arrays,
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"swapaxes": swapaxes}
