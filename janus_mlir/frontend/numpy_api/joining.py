"""Joining and splitting: split/array_split/hsplit/vsplit/dsplit, hstack/vstack/dstack/
column_stack, tile, repeat, pad.

The pieces of a split are slices, so views of the array as in NumPy; everything else here makes
a new array. Counts, sections and pad widths are constants NumPy needs before it runs: a value
computed from array data there stops the conversion.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.lib._arraypad_impl import _as_pairs

from iree.compiler import ir

from ...dialects import janus
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..values import ARRAY, Tensor, is_tensor, retyped
from .args import Handler, as_array, bind, static, static_int
from .shapes import at_least, axis_tuple, join, reshape_to, sequence, slice_axis

I64 = np.dtype(np.int64)


def constant_arg(b: GraphBuilder, v: Any, what: str) -> Any:
    """`v` as a Python/NumPy constant: a graph array still holding the constant it was made
    from (`np.array([1, 2])` in the code, never written since) counts as that constant."""
    if is_tensor(v):
        owner = v.value.owner
        if isinstance(owner, ir.OpView | ir.Operation) and owner.name == "janus.constant":
            with b.context:
                value = np.asarray(janus.wrap(owner).attributes()["value"])
            return value[()] if v.kind != ARRAY or value.ndim == 0 else value
    return static(b, v, what)


# ---------------------------------------------------------------------------------------------
# split family: views
# ---------------------------------------------------------------------------------------------


def split_points(b: GraphBuilder, n: int, sections: Any, equal: bool) -> list[tuple[int, int]]:
    """(start, stop) of each piece of an axis of length `n`, as numpy.array_split computes
    them (index lists slice like Python, sections spread the remainder over the first pieces);
    `equal`: numpy.split, which refuses sections that do not divide the axis."""
    sections = constant_arg(b, sections, "indices or sections")
    if isinstance(sections, (list, tuple, np.ndarray)):
        cuts = [static_int(b, c, "a split index") for c in list(sections)]
        bounds = [0, *cuts, n]
        return [slice(s, e).indices(n)[:2] for s, e in zip(bounds, bounds[1:])]
    if isinstance(sections, (bool, np.bool_)) or not isinstance(
            sections, (int, float, np.integer, np.floating)):
        raise Unconvertible("indices_or_sections must be an integer or a list of indices",
                            b.where)
    count = int(sections)
    if count <= 0:
        raise Unconvertible("ValueError: number sections must be larger than 0.", b.where)
    if equal and n % sections:
        raise Unconvertible("ValueError: array split does not result in an equal division",
                            b.where)
    each, extras = divmod(n, count)
    sizes = [each + 1] * extras + [each] * (count - extras)
    stops = np.cumsum(sizes).tolist()
    return list(zip([0, *stops[:-1]], stops))


def split_along(b: GraphBuilder, a: Tensor, sections: Any, axis: Any, equal: bool) -> list:
    (axis,) = axis_tuple(b, axis, a.ndim)
    pieces = []
    for start, stop in split_points(b, a.shape[axis], sections, equal):
        size = max(stop - start, 0)
        pieces.append(slice_axis(b, a, axis, start if size else 0, size))
    return pieces


def _split(equal: bool, fixed_axis: int | None = None, min_ndim: int = 0) -> Handler:
    fn = {None: "numpy.array_split" if not equal else "numpy.split", 0: "numpy.vsplit",
          1: "numpy.hsplit", 2: "numpy.dsplit"}[fixed_axis]

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> list:
        names = ("ary", "indices_or_sections", "axis") if fixed_axis is None else (
            "ary", "indices_or_sections")
        p = bind(b, fn, args, kwargs, names, {"axis": 0})
        a = as_array(b, p["ary"])
        if a.ndim < max(min_ndim, 1):
            raise Unconvertible(f"ValueError: {fn} only works on arrays of {max(min_ndim, 1)} "
                                "or more dimensions", b.where)
        axis = p["axis"] if fixed_axis is None else (
            0 if fixed_axis == 1 and a.ndim == 1 else fixed_axis)
        return split_along(b, a, p["indices_or_sections"], axis, equal)

    return handler


# ---------------------------------------------------------------------------------------------
# hstack, vstack, dstack, column_stack: concatenate after atleast_*d
# ---------------------------------------------------------------------------------------------


def _stack_family(ndim: int, typed: bool, fn: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        names = ("tup", "dtype", "casting") if typed else ("tup",)
        p = bind(b, fn, args, kwargs, names, {"dtype": None, "casting": "same_kind"})
        parts = [at_least(b, t, ndim) for t in sequence(b, p["tup"], fn)]
        axis = {1: 0 if parts[0].ndim == 1 else 1, 2: 0, 3: 2}[ndim]
        return join(b, parts, axis, p["dtype"], p["casting"], fn)

    return handler


def column_stack(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.column_stack", args, kwargs, ("tup",), {})
    parts = []
    for t in sequence(b, p["tup"], "numpy.column_stack"):
        if t.ndim < 2:
            t = b.emit("reshape", [t], shape=(t.spec.size, 1))
        parts.append(t)
    return join(b, parts, 1)


# ---------------------------------------------------------------------------------------------
# tile, repeat: broadcasts and gathers into new arrays
# ---------------------------------------------------------------------------------------------


def _new(b: GraphBuilder, a: Tensor, shape: tuple[int, ...]) -> Tensor:
    """`a` reshaped to `shape` as a new array (never a view of `a`)."""
    if int(np.prod(shape)) == 0:
        return b.emit("full", [], shape=shape, dtype=a.dtype, value=0)
    return retyped(b.emit("reshape", [a], copy=True, shape=shape), ARRAY)


def tile(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.tile as one broadcast: (1, s0, 1, s1, ...) to (r0, s0, r1, s1, ...), merged."""
    p = bind(b, "numpy.tile", args, kwargs, ("A", "reps"), {})
    reps = static(b, p["reps"], "reps")
    reps = tuple(reps) if isinstance(reps, (tuple, list, np.ndarray)) else (reps,)
    reps = tuple(static_int(b, r, "a repetition count") for r in reps)
    if any(r < 0 for r in reps):
        raise Unconvertible("ValueError: negative dimensions are not allowed", b.where)
    a = as_array(b, p["A"])
    rank = max(len(reps), a.ndim)
    shape = (1,) * (rank - a.ndim) + a.shape
    reps = (1,) * (rank - len(reps)) + reps
    out = tuple(s * r for s, r in zip(shape, reps))
    if all(r == 1 for r in reps) or not out or int(np.prod(out)) == 0:
        return _new(b, a, out)
    inter = tuple(x for s in shape for x in (1, s))
    wide = b.emit("broadcast_to", [b.emit("reshape", [a], shape=inter)], copy=True,
                  shape=tuple(x for s, r in zip(shape, reps) for x in (r, s)))
    return _new(b, wide, out)


def repeat(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.repeat with constant counts: one count repeats by a broadcast, per-item counts
    gather the rows of `np.repeat(arange(n), counts)`."""
    p = bind(b, "numpy.repeat", args, kwargs, ("a", "repeats", "axis"), {"axis": None})
    a = as_array(b, p["a"])
    counts = constant_arg(b, p["repeats"], "repeat counts")
    axis = static(b, p["axis"], "an axis")
    if axis is None:
        a, axis = reshape_to(b, a, (a.spec.size,)), 0
    (axis,) = axis_tuple(b, axis, a.ndim)
    n = a.shape[axis]
    arr = np.asarray(counts)
    if arr.dtype.kind not in "iub" or arr.ndim > 1:
        raise Unconvertible("repeat counts must be integers (a scalar or a 1-D sequence)",
                            b.where)
    try:
        index = np.repeat(np.arange(n, dtype=I64), arr)
    except (ValueError, TypeError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    shape = (*a.shape[:axis], index.size, *a.shape[axis + 1:])
    if index.size == 0 or a.spec.size == 0:
        return b.emit("full", [], shape=shape, dtype=a.dtype, value=0)
    flat = arr.ravel()
    if flat.size == 1 or (flat == flat[0]).all():
        r = int(flat[0])
        inner = (*a.shape[:axis + 1], 1, *a.shape[axis + 1:])
        wide = b.emit("broadcast_to", [b.emit("reshape", [a], shape=inner)], copy=True,
                      shape=(*a.shape[:axis + 1], r, *a.shape[axis + 1:]))
        return _new(b, wide, shape)
    out = b.emit("take", [a, b.constant(index, ARRAY)], axis=axis)
    return retyped(out, ARRAY)


# ---------------------------------------------------------------------------------------------
# pad: constant blocks joined on, or a gather per axis of np.pad(arange(n), ...)
# ---------------------------------------------------------------------------------------------

_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")


def _pairs(b: GraphBuilder, value: Any, ndim: int, as_index: bool, what: str) -> list:
    value = static(b, value, what)
    if as_index and np.asarray(value).dtype.kind != "i":
        raise Unconvertible("TypeError: `pad_width` must be of integral type.", b.where)
    try:
        return [tuple(p) for p in _as_pairs(value, ndim, as_index=as_index)]
    except (ValueError, TypeError) as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None


def _fill_value(b: GraphBuilder, value: Any, dtype: np.dtype) -> Any:
    """`value` as NumPy stores it into an array of `dtype` (errors and warnings stop the
    conversion, so the plain call shows them)."""
    cell = np.zeros(1, dtype)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            cell[0:1] = value
    except Exception as e:  # whatever NumPy raises for this value, the plain call raises it
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    return cell[0].item()


def pad(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.pad in modes constant, edge, reflect, symmetric and wrap: always a new array."""
    names = ("array", "pad_width", "mode")
    p = bind(b, "numpy.pad", args, {k: v for k, v in kwargs.items() if k in names}, names,
             {"mode": "constant"})
    rest = {k: v for k, v in kwargs.items() if k not in names}
    a = as_array(b, p["array"])
    mode = static(b, p["mode"], "a pad mode")
    if not isinstance(mode, str) or mode not in ("constant", *_INDEX_MODES):
        raise Unconvertible(f"numpy.pad(mode={mode!r}) is not converted", b.where)
    widths = _pairs(b, p["pad_width"], a.ndim, True, "pad widths")
    allowed = {"constant": ("constant_values",), "reflect": ("reflect_type",),
               "symmetric": ("reflect_type",)}.get(mode, ())
    if any(k not in allowed for k in rest):
        raise Unconvertible(f"ValueError: unsupported keyword arguments for mode '{mode}': "
                            f"{sorted(set(rest) - set(allowed))}", b.where)
    rest = {k: static(b, v, k) for k, v in rest.items()}
    if rest.get("reflect_type", "even") != "even":
        raise Unconvertible("numpy.pad(reflect_type='odd') is not converted", b.where)
    out = a
    if mode == "constant":
        values = _pairs(b, rest.get("constant_values", 0), a.ndim, False, "constant values")
        for axis, ((before, after), (vb, va)) in enumerate(zip(widths, values)):
            parts = []
            for width, v in ((before, vb), (after, va)):
                shape = (*out.shape[:axis], int(width), *out.shape[axis + 1:])
                parts.append(b.emit("full", [], shape=shape, dtype=a.dtype,
                                    value=_fill_value(b, v, a.dtype)) if width else None)
            if parts[0] is not None or parts[1] is not None:
                out = b.emit("concatenate", [t for t in (parts[0], out, parts[1])
                                             if t is not None], axis=axis)
    else:
        for axis, (before, after) in enumerate(widths):
            if not before and not after:
                continue
            try:
                index = np.pad(np.arange(a.shape[axis], dtype=I64), (before, after), mode=mode)
            except ValueError as e:
                raise Unconvertible(f"ValueError: {e}", b.where) from None
            if out.spec.size == 0 or index.size == 0:
                shape = (*out.shape[:axis], index.size, *out.shape[axis + 1:])
                out = b.emit("full", [], shape=shape, dtype=a.dtype, value=0)
            else:
                out = b.emit("take", [out, b.constant(index, ARRAY)], axis=axis)
    if out is a:
        return _new(b, a, a.shape)
    return retyped(out, ARRAY)


FUNCTIONS: dict[Any, Handler] = {
    np.split: _split(True), np.array_split: _split(False),
    np.vsplit: _split(True, 0, 2), np.hsplit: _split(True, 1, 1),
    np.dsplit: _split(True, 2, 3),
    np.hstack: _stack_family(1, True, "numpy.hstack"),
    np.vstack: _stack_family(2, True, "numpy.vstack"),
    np.dstack: _stack_family(3, False, "numpy.dstack"),
    np.column_stack: column_stack, np.tile: tile, np.repeat: repeat, np.pad: pad,
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {"repeat": repeat}
