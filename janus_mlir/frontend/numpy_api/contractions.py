"""Contractions: einsum, tensordot, vdot, inner, outer (and the N-D numpy.dot), and NumPy 2.2's
gufuncs vecdot, matvec and vecmat, all written as the janus `einsum` op of one or two operands.

The subscripts are parsed by NumPy itself at conversion time (on one-element stand-ins of the
operands' ranks and dtypes, so its exceptions are the ones the call would raise); the ellipsis
is expanded into letters. Three operands are contracted pairwise in the order
`numpy.einsum_path(..., optimize='optimal')` picks. An einsum of one operand that sums nothing
is a view in NumPy (`'ij->ji'` transposes, `'ii->i'` is a writeable diagonal view): the
transposes are emitted as the transpose view op, the diagonal view falls back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy._core.einsumfunc import _parse_einsum_input

from ...ops.contraction import label_sizes
from ..builder import GraphBuilder
from ..errors import NeedsStaticShape, Unconvertible
from ..operators import apply, loop_dtypes
from ..values import ARRAY, NP_SCALAR, Tensor, retyped
from .args import Handler, as_array, no_extra, refuse_out, scalar_if_0d, static, static_int
from .shapes import axis_tuple, moveaxis, reshape_to

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def contract(b: GraphBuilder, operands: list[Tensor], terms: list[str], out: str,
             c_order: bool = True) -> Tensor:
    """One janus einsum of one or two operands: a fresh ARRAY, laid out C-contiguous in NumPy
    when `c_order` (numpy.dot, tensordot, inner and outer always make C-contiguous results)."""
    try:
        label_sizes(terms, [t.spec for t in operands])
    except Exception as e:  # noqa: BLE001 (the same check NumPy makes)
        raise Unconvertible(f"ValueError: {e}", b.where) from None
    res = retyped(b.emit("einsum", operands, subscripts=",".join(terms) + "->" + out), ARRAY)
    res.c_order = c_order or res.ndim <= 1  # a result this call made: no one else holds it
    return res


def einsum_layout(subscripts: str, operands: list[Tensor],
                  optimize: Any) -> tuple[tuple[int, ...] | None, bool | None]:
    """(memory order, is an array) of numpy.einsum's result: its axes from the largest stride
    to the smallest, and whether a 0-d result is an ndarray rather than a NumPy scalar (an
    optimized path that ends in tensordot gives one). None where it is not known.

    Its default order 'K' follows the operands' strides, so the layout depends on the
    subscripts and the operands' layouts: NumPy itself answers on stand-ins with each operand's
    real strides (from the heap model) and every dim cut to at most 2 (the stride order NumPy
    sorts by is kept; the work is tiny). Unknown: an operand of unknown layout (the order), or
    an optimized path over three operands (which depends on the real sizes)."""
    if optimize is not False and len(operands) > 2:
        return None, None
    small = [_layout_stand_in(t) for t in operands]
    known = all(x is not None for x in small)
    small = [np.zeros(tuple(min(d, 2) for d in t.shape), t.dtype) if x is None else x
             for x, t in zip(small, operands)]
    res = np.einsum(subscripts, *small, optimize=optimize)
    is_array = isinstance(res, np.ndarray)
    res = np.asarray(res)
    order = tuple(sorted(range(res.ndim), key=lambda i: (-res.strides[i], i)))
    if not known or not np.transpose(res, order).flags.c_contiguous:
        return None, is_array
    return order, is_array


def _in_layout(b: GraphBuilder, ops: list[Tensor], terms: list[str], out: str,
               order: tuple[int, ...] | None) -> Tensor:
    """The contraction as NumPy lays it out: a C-ordered result in memory order, seen through
    a transpose view (so the heap model knows its strides), or of unknown layout."""
    if order is None:
        return _contract_any(b, ops, terms, out, False)
    res = _contract_any(b, ops, terms, "".join(out[i] for i in order), True)
    if order == tuple(range(len(order))):
        return res
    return retyped(b.emit("transpose", [res], perm=tuple(order.index(j) for j in
                                                         range(len(order)))), ARRAY)


def _contract_any(b: GraphBuilder, ops: list[Tensor], terms: list[str], out: str,
                  c_order: bool) -> Tensor:
    return _three(b, ops, terms, out, c_order) if len(ops) == 3 else contract(
        b, ops, terms, out, c_order)


def _layout_stand_in(t: Tensor) -> np.ndarray | None:
    """A zero array with t's NumPy strides and its dims cut to <= 2, or None if t's layout is
    not known."""
    shape = tuple(min(d, 2) for d in t.shape)
    if t.kind != ARRAY or t.ndim <= 1:
        return np.zeros(shape, t.dtype)
    if t.view is None:
        return np.zeros(shape, t.dtype) if t.c_order else None
    view = t.view
    if view.ambiguous or not view.root.c_order:
        return None
    strides = view.layout.strides
    if any(st < 0 for st in strides):
        return None
    items = sum((d - 1) * st for d, st in zip(shape, strides)) // t.dtype.itemsize + 1
    return np.lib.stride_tricks.as_strided(np.zeros(items, t.dtype), shape, strides)


def _stand_in(t: Tensor) -> np.ndarray:
    return np.ones((1,) * t.ndim, dtype=t.dtype)


def einsum(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.einsum(subscripts, *operands, optimize=...): a NumPy scalar for a 0-d result."""
    extra = {k: v for k, v in kwargs.items() if k != "optimize"}
    if extra.get("out") is not None:
        refuse_out(b, "numpy.einsum")
    if extra:
        raise Unconvertible(f"numpy.einsum() argument(s) {sorted(extra)} are not converted",
                            b.where)
    if not args or not isinstance(static(b, args[0], "einsum subscripts"), str):
        raise Unconvertible("numpy.einsum with operand/sublist arguments is not converted",
                            b.where)
    subscripts = args[0]
    ops = [as_array(b, a) for a in args[1:]]
    if not 1 <= len(ops) <= 3:
        raise Unconvertible(f"numpy.einsum of {len(ops)} operands is not converted", b.where)
    stand_ins = [_stand_in(t) for t in ops]
    try:
        np.einsum(subscripts, *stand_ins)
        ins, out, _ = _parse_einsum_input([subscripts, *stand_ins])
    except Exception as e:  # noqa: BLE001 (what NumPy raises for these subscripts)
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    terms = ins.split(",")
    if len(ops) == 1 and all(label in out for label in terms[0]):
        return _view(b, ops[0], terms[0], out)
    optimize = static(b, kwargs.get("optimize", False), "einsum optimize")
    order, is_array = einsum_layout(subscripts, ops, optimize)
    res = _in_layout(b, ops, terms, out, order)
    if res.ndim:
        return res
    if is_array is None:
        raise Unconvertible("numpy.einsum(optimize=...) of three operands to a 0-d result: "
                            "whether NumPy returns an array or a scalar depends on its path",
                            b.where)
    return res if is_array else retyped(res, NP_SCALAR)


def _view(b: GraphBuilder, a: Tensor, term: str, out: str) -> Tensor:
    """An einsum that only reorders dims: NumPy's result is a view of the operand."""
    if len(set(term)) != len(term):
        raise Unconvertible("numpy.einsum taking a diagonal without summing returns a writeable "
                            "view, which is not converted", b.where)
    if not out:  # numpy.einsum('->', a): a NumPy scalar, not a view
        return retyped(b.emit("reshape", [a], copy=True, shape=()), NP_SCALAR)
    perm = tuple(term.index(label) for label in out)
    return retyped(b.emit("transpose", [a], perm=perm), ARRAY)


def _three(b: GraphBuilder, ops: list[Tensor], terms: list[str], out: str,
           c_order: bool) -> Tensor:
    """Three operands contracted pairwise in the order of einsum_path(optimize='optimal') (a
    step that takes all three at once is done left to right)."""
    shaped = [np.lib.stride_tricks.as_strided(np.zeros(1, t.dtype), t.shape, (0,) * t.ndim)
              for t in ops]
    path = np.einsum_path(",".join(terms) + "->" + out, *shaped, optimize="optimal")[0][1:]
    final = np.result_type(*[t.dtype for t in ops])
    # Every step in the final dtype (float16 in float32), as NumPy's one loop computes: int8
    # intermediates would wrap, float32 ones would round where NumPy does not.
    acc = np.dtype(np.float32) if final == np.float16 else final
    ops = [t if t.dtype == acc else b.emit("astype", [t], dtype=acc) for t in ops]
    terms = list(terms)
    for step in path:
        taken = [(ops.pop(i), terms.pop(i)) for i in sorted(step, reverse=True)][::-1]
        while taken:
            group, taken = taken[:2], taken[2:]
            rest = "".join(terms) + "".join(t for _, t in taken) + out
            labels = "".join(t for _, t in group)
            keep = out if not ops and not taken else "".join(
                label for label in dict.fromkeys(labels) if label in rest)
            res = contract(b, [o for o, _ in group], [t for _, t in group], keep, False)
            if taken:
                taken.insert(0, (res, keep))
            else:
                ops.append(res)
                terms.append(keep)
    (res,) = ops
    if terms[0] != out:
        res = b.emit("transpose", [res], copy=True, perm=tuple(terms[0].index(x) for x in out))
    if res.dtype != final:
        res = b.emit("astype", [res], dtype=final)
    res = retyped(res, ARRAY)
    res.c_order = c_order or res.ndim <= 1
    return res


# ---------------------------------------------------------------------------------------------
# tensordot, dot (N-D), vdot, inner, outer
# ---------------------------------------------------------------------------------------------


def _labels(b: GraphBuilder, n: int, start: int = 0) -> str:
    if start + n > len(_LETTERS):
        raise Unconvertible("too many dimensions for one contraction", b.where)
    return _LETTERS[start:start + n]


def tensordot(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.tensordot(a, b, axes=2): always an ndarray, 0-d included."""
    names = ("a", "b", "axes")
    p = dict(zip(names, args))
    p.update(kwargs)
    if set(p) - set(names) or "a" not in p or "b" not in p:
        raise Unconvertible("numpy.tensordot() takes a, b and axes", b.where)
    x, y = as_array(b, p["a"]), as_array(b, p["b"])
    axes = static(b, p.get("axes", 2), "tensordot axes")
    try:
        if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
            n = int(axes)
            xa, ya = list(range(x.ndim - n, x.ndim)), list(range(n))
            if n < 0 or n > x.ndim or n > y.ndim:
                raise ValueError("shape-mismatch for sum")
        else:
            xa, ya = ([axes_a] if isinstance(axes_a, (int, np.integer)) else list(axes_a)
                      for axes_a in axes)
            if len(xa) != len(ya):
                raise ValueError("shape-mismatch for sum")
            xa = [static_int(b, i, "an axis") % max(x.ndim, 1) for i in xa]
            ya = [static_int(b, i, "an axis") % max(y.ndim, 1) for i in ya]
        np.tensordot(_stand_in(x), _stand_in(y), (xa, ya))
    except Unconvertible:
        raise
    except Exception as e:  # noqa: BLE001 (what NumPy raises)
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    if any(x.shape[i] != y.shape[j] for i, j in zip(xa, ya)):
        raise Unconvertible("ValueError: shape-mismatch for sum", b.where)
    lx = list(_labels(b, x.ndim))
    ly = list(_labels(b, y.ndim, x.ndim))
    for i, j in zip(xa, ya):
        ly[j] = lx[i]
    out = "".join(c for i, c in enumerate(lx) if i not in xa) + "".join(
        c for j, c in enumerate(ly) if j not in ya)
    return contract(b, [x, y], ["".join(lx), "".join(ly)], out)


def dot_nd(b: GraphBuilder, x: Tensor, y: Tensor) -> Tensor:
    """numpy.dot of N-D and M-D: the last axis of x with the second-to-last of y (the only
    one when y is 1-D)."""
    if x.shape[-1] != y.shape[-2 if y.ndim > 1 else -1]:
        raise Unconvertible(f"ValueError: shapes {x.shape} and {y.shape} not aligned", b.where)
    lx = _labels(b, x.ndim)
    ly = list(_labels(b, y.ndim, x.ndim))
    ly[-2 if y.ndim > 1 else -1] = lx[-1]
    out = lx[:-1] + "".join(c for i, c in enumerate(ly) if c != lx[-1])
    return scalar_if_0d(contract(b, [x, y], [lx, "".join(ly)], out))


def vdot(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.vdot: the flattened arrays' dot product (no conjugation for real dtypes)."""
    if kwargs or len(args) != 2:
        raise Unconvertible("numpy.vdot() takes exactly two arguments", b.where)
    x, y = (as_array(b, a) for a in args)
    if x.spec.size != y.spec.size:
        raise Unconvertible("ValueError: cannot reshape array, vectors have different lengths",
                            b.where)
    xf, yf = reshape_to(b, x, (x.spec.size,)), reshape_to(b, y, (y.spec.size,))
    return scalar_if_0d(contract(b, [xf, yf], ["a", "a"], ""))


def inner(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """numpy.inner: a sum over the last axes; a scalar operand multiplies."""
    if kwargs or len(args) != 2:
        raise Unconvertible("numpy.inner() takes exactly two arguments", b.where)
    x, y = (as_array(b, a) for a in args)
    if x.ndim == 0 or y.ndim == 0:
        return apply(b, "multiply", [x, y])
    if x.shape[-1] != y.shape[-1]:
        raise Unconvertible("ValueError: shapes not aligned (inner)", b.where)
    lx = _labels(b, x.ndim)
    ly = _labels(b, y.ndim - 1, x.ndim) + lx[-1]
    return scalar_if_0d(contract(b, [x, y], [lx, ly], lx[:-1] + ly[:-1]))


def outer(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    """numpy.outer: the flattened operands' products, out[i, j] = a[i] * b[j]."""
    if kwargs.get("out") is not None or len(args) == 3:
        refuse_out(b, "numpy.outer")
    if len(args) != 2 or any(v is not None for v in kwargs.values()):
        raise Unconvertible("numpy.outer takes two arrays", b.where)
    x, y = (as_array(b, a) for a in args)
    xf, yf = reshape_to(b, x, (x.spec.size,)), reshape_to(b, y, (y.spec.size,))
    return contract(b, [xf, yf], ["a", "b"], "ab")


# ---------------------------------------------------------------------------------------------
# vecdot, matvec, vecmat: gufuncs whose loops compute in one dtype (real dtypes: no conjugation)
# ---------------------------------------------------------------------------------------------

# name -> core dims of the two operands, and the core labels of operands and result
_GUFUNCS = {"vecdot": ("n", "n", ""), "matvec": ("mn", "n", "m"), "vecmat": ("n", "nm", "m")}


def _batch_terms(b: GraphBuilder, x: Tensor, y: Tensor, cx: int, cy: int,
                 fn: str) -> tuple[Tensor, Tensor, str, str, str]:
    """The broadcast loop dims of x and y as einsum labels: a dim of 1 against a longer one is
    dropped from its operand (so no operand is copied to the broadcast shape)."""
    bx, by = x.shape[:x.ndim - cx], y.shape[:y.ndim - cy]
    n = max(len(bx), len(by))
    labels = _labels(b, n, 26)  # upper case: the core labels are m and n
    tx, ty, keep_x, keep_y = "", "", list(bx), list(by)
    for i in range(n):
        dx = bx[i - n + len(bx)] if i >= n - len(bx) else None
        dy = by[i - n + len(by)] if i >= n - len(by) else None
        if dx is not None and dy is not None and dx != dy and 1 not in (dx, dy):
            if isinstance(dx, int) and isinstance(dy, int):
                raise Unconvertible(f"ValueError: {fn}: operands could not be broadcast "
                                    f"together with loop shapes {bx} and {by}", b.where)
            raise NeedsStaticShape(f"{fn} broadcasts symbolic loop dims", b.where)
        if dx == 1 and dy not in (None, 1):
            keep_x[i - n + len(bx)] = None
        elif dx is not None:
            tx += labels[i]
        if dy == 1 and dx not in (None, 1):
            keep_y[i - n + len(by)] = None
        elif dy is not None:
            ty += labels[i]
    if None in keep_x:
        x = reshape_to(b, x, tuple(d for d in keep_x if d is not None) + x.shape[x.ndim - cx:])
    if None in keep_y:
        y = reshape_to(b, y, tuple(d for d in keep_y if d is not None) + y.shape[y.ndim - cy:])
    return x, y, tx, ty, labels


def _gufunc(name: str) -> Handler:
    """numpy.vecdot(x1, x2, axis=, keepdims=), numpy.matvec(x1, x2), numpy.vecmat(x1, x2): the
    loop dtype NumPy resolves, loop dims broadcast, one einsum; a 0-d result is a NumPy
    scalar."""
    ufunc, fn = getattr(np, name), f"numpy.{name}"
    core_x, core_y, core_out = _GUFUNCS[name]

    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) > 2:
            refuse_out(b, fn)
        no_extra(b, {k: v for k, v in kwargs.items() if not (k == "keepdims" and v is False)},
                 ("axis", "keepdims") if name == "vecdot" else (), fn)
        if len(args) != 2:
            raise Unconvertible(f"TypeError: {fn}() takes 2 positional arguments", b.where)
        x, y = (as_array(b, a) for a in args)
        for i, (t, core) in enumerate(((x, core_x), (y, core_y))):
            if t.ndim < len(core):
                raise Unconvertible(f"ValueError: {fn}: Input operand {i} does not have enough "
                                    "dimensions", b.where)
        axis = static(b, kwargs.get("axis"), "an axis")
        if axis is not None:  # vecdot's reduced axis, in each operand
            x, y = (moveaxis(b, [t, axis_tuple(b, axis, t.ndim)[0], -1], {}) for t in (x, y))
        loop = loop_dtypes(b, ufunc, [x, y])
        x, y = (t if t.dtype == d else b.emit("astype", [t], dtype=d) for t, d in zip((x, y),
                                                                                        loop))
        sizes: dict[str, Any] = {}
        for t, core in ((x, core_x), (y, core_y)):
            for label, d in zip(core, t.shape[t.ndim - len(core):]):
                if sizes.setdefault(label, d) != d:
                    raise Unconvertible(f"ValueError: {fn}: a mismatch in its core dimension "
                                        f"{label!r} ({sizes[label]} and {d})", b.where)
        x, y, tx, ty, batch = _batch_terms(b, x, y, len(core_x), len(core_y), fn)
        out = contract(b, [x, y], [tx + core_x, ty + core_y], batch + core_out)
        if static(b, kwargs.get("keepdims", False), "keepdims"):
            shape = list(out.shape)
            shape.insert(axis_tuple(b, -1 if axis is None else axis, out.ndim + 1)[0], 1)
            return retyped(b.emit("reshape", [out], shape=tuple(shape)), ARRAY)
        return scalar_if_0d(out)

    return handler


FUNCTIONS: dict[Any, Handler] = {
    np.einsum: einsum, np.tensordot: tensordot, np.vdot: vdot, np.inner: inner,
    np.outer: outer,
    # NumPy 2.2's gufuncs, where the installed NumPy has them
    **{getattr(np, name): _gufunc(name) for name in _GUFUNCS if hasattr(np, name)},
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
