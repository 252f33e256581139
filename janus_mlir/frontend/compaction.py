"""NumPy operations whose result size depends on the data: boolean-mask selection (`x[mask]`,
`x[mask, :]`, `x[:, mask]`), `np.nonzero` / `x.nonzero()` / `np.where(cond)`, `np.argwhere`,
`np.flatnonzero` and `np.unique` (with return_index, return_inverse, return_counts).

Each converts to one op of ops/compaction.py whose counted dim is a fresh `CountDim`: one graph
serves every count, zero included. A CountDim may be 0 or 1 when the graph runs, so comparing it
with a number while converting raises (the call then runs as plain Python); its size is a
run-time int for `len(x)` and `x.shape[0]` (frontend/symbolic.py), and a reduction over it is
one graph too (max/min guard that it is not empty, as NumPy raises there).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..dialects import janus
from ..dialects.opdef import NotConverted, ShapeError
from ..dialects.types import ANY, CountDim, SymbolicShape, TensorSpec, UnsupportedType, is_float
from .builder import GraphBuilder
from .errors import NeedsStaticShape, Unconvertible
from .values import ARRAY, Tensor, is_tensor

_COUNTS = itertools.count()


def emit_counted(b: GraphBuilder, name: str, operands: list[Tensor], **attrs: Any
                 ) -> list[Tensor]:
    """Emit compaction op `name`; its `?` result dims become one fresh CountDim."""
    cls = janus.op_class(name)
    try:
        specs = cls.infer([t.spec for t in operands], **attrs)
    except SymbolicShape as e:
        raise NeedsStaticShape(str(e), b.where) from None
    except NotConverted as e:
        raise Unconvertible(str(e), b.where) from None
    except (ShapeError, UnsupportedType) as e:
        raise Unconvertible(f"numpy would reject this: {e}", b.where) from None
    count = CountDim(f"count{next(_COUNTS)}@{b.where}")
    specs = [TensorSpec(tuple(count if d is ANY else d for d in s.shape), s.dtype)
             for s in specs]
    values = b.emit_values(name, [t.value for t in operands], results=specs, **attrs)
    return [Tensor(v, s, ARRAY) for v, s in zip(values, specs)]


# ---------------------------------------------------------------------------------------------
# x[mask]
# ---------------------------------------------------------------------------------------------


def is_mask(item: Any) -> bool:
    """Whether a (classified or raw) index item is a boolean array or a list of bools."""
    if is_tensor(item):
        return item.dtype == np.bool_
    if isinstance(item, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(item)
        except ValueError:
            return False
        return arr.dtype == np.bool_
    return False


def mask_subscript(b: GraphBuilder, a: Tensor, items: list[Any]) -> Tensor:
    """`a[items]` where one item is a boolean mask and the others full slices `:` (Ellipsis
    already expanded): NumPy's compaction along the mask's dims."""
    items = _expand_ellipsis(b, a, items)
    where = [i for i, x in enumerate(items) if is_mask(x)]
    if len(where) != 1 or any(not _full_slice(x) for i, x in enumerate(items) if i != where[0]):
        raise Unconvertible("a boolean mask mixed with other indices than full slices is not "
                            "converted", b.where)
    k = where[0]
    item = items[k]
    mask = item if is_tensor(item) else b.constant(np.asarray(item), ARRAY)
    if mask.ndim == 0:
        raise Unconvertible("a 0-d boolean index (x[True]) is not converted", b.where)
    if k + mask.ndim > a.ndim:
        raise Unconvertible(f"IndexError: too many indices for array: array is {a.ndim}-"
                            f"dimensional, but {k + mask.ndim} were indexed", b.where)
    if a.spec.static and mask.spec.static:
        for d, (n, m) in enumerate(zip(a.shape[k:], mask.shape)):
            if n != m:
                raise Unconvertible(f"IndexError: boolean index did not match indexed array "
                                    f"along axis {k + d}; size of axis is {n} but size of "
                                    f"corresponding boolean axis is {m}", b.where)
    (out,) = emit_counted(b, "compress", [a, mask], axis=k)
    return out


def _expand_ellipsis(b: GraphBuilder, a: Tensor, items: list[Any]) -> list[Any]:
    """Ellipsis as the full slices it stands for (a mask counts as its rank in dims)."""
    if not any(x is Ellipsis for x in items):
        return items
    if sum(1 for x in items if x is Ellipsis) > 1:
        raise Unconvertible("an index can only have a single ellipsis ('...')", b.where)
    used = sum(np.ndim(x) if is_mask(x) and not is_tensor(x) else x.ndim if is_mask(x) else 1
               for x in items if x is not Ellipsis and x is not None)
    i = items.index(Ellipsis)
    return items[:i] + [slice(None)] * max(a.ndim - used, 0) + items[i + 1:]


def _full_slice(x: Any) -> bool:
    return isinstance(x, slice) and x.start is None and x.stop is None and x.step is None


# ---------------------------------------------------------------------------------------------
# nonzero, argwhere, flatnonzero, where(cond)
# ---------------------------------------------------------------------------------------------


def _one_array(b: GraphBuilder, fn: str, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    from .numpy_api.args import as_array, bind

    return as_array(b, bind(b, fn, args, kwargs, ("a",), {})["a"])


def nonzero(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> tuple[Tensor, ...]:
    a = _one_array(b, "numpy.nonzero", args, kwargs)
    if a.ndim == 0:
        raise Unconvertible("ValueError: Calling nonzero on 0d arrays is not allowed. Use "
                            "np.atleast_1d(scalar).nonzero() instead.", b.where)
    return tuple(emit_counted(b, "nonzero", [a]))


def where_one(b: GraphBuilder, cond: Any) -> tuple[Tensor, ...]:
    """numpy.where(condition): nonzero(asarray(condition))."""
    return nonzero(b, [cond], {})


def argwhere(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a = _one_array(b, "numpy.argwhere", args, kwargs)
    if a.ndim == 0:
        raise Unconvertible("numpy.argwhere of a 0-d array is not converted", b.where)
    return emit_counted(b, "argwhere", [a])[0]


def flatnonzero(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    a = _one_array(b, "numpy.flatnonzero", args, kwargs)
    if a.ndim != 1:
        a = b.emit("reshape", [a], copy=True, shape=(a.spec.size,))
    return emit_counted(b, "nonzero", [a])[0]


# ---------------------------------------------------------------------------------------------
# unique
# ---------------------------------------------------------------------------------------------

_UNIQUE_ARGS = ("ar", "return_index", "return_inverse", "return_counts", "axis")


def unique(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
    from .numpy_api.args import as_array, bind, static

    p = bind(b, "numpy.unique", args, kwargs, (*_UNIQUE_ARGS, "equal_nan", "sorted"),
             {"return_index": False, "return_inverse": False, "return_counts": False,
              "axis": None, "equal_nan": True, "sorted": True})
    if p["axis"] is not None:
        raise Unconvertible("numpy.unique(axis=...) is not converted", b.where)
    if not static(b, p["equal_nan"], "equal_nan"):
        raise Unconvertible("numpy.unique(equal_nan=False) is not converted", b.where)
    if not static(b, p["sorted"], "sorted"):
        raise Unconvertible("numpy.unique(sorted=False): the order NumPy gives is "
                            "implementation-defined", b.where)
    flags = {f: bool(static(b, p[f], f)) for f in _UNIQUE_ARGS[1:4]}
    a = as_array(b, p["ar"])
    if is_float(a.dtype) and not flags["return_index"]:
        _guard_one_zero(b, a)
    out = emit_counted(b, "unique", [a], **{k: v for k, v in flags.items() if v})
    return out[0] if len(out) == 1 else tuple(out)


def _guard_one_zero(b: GraphBuilder, a: Tensor) -> None:
    """Without return_index NumPy sorts with an unstable algorithm, so which of 0.0 and -0.0
    it keeps when both occur is implementation-defined: assume they do not both occur."""
    zero = b.emit("equal", [a, b.constant(np.zeros((), a.dtype), ARRAY)])
    neg = b.emit("signbit", [a])
    axes = tuple(range(a.ndim))
    has_neg = b.emit("any", [b.emit("logical_and", [zero, neg])], axes=axes)
    has_pos = b.emit("any", [b.emit("logical_and", [zero, b.emit("logical_not", [neg])])],
                     axes=axes)
    both = b.emit("logical_and", [has_neg, has_pos])
    b.guard(b.emit("logical_not", [both]), "value",
            "the array numpy.unique sorts does not hold both 0.0 and -0.0 (which one NumPy "
            "keeps depends on its sort algorithm)")


# ---------------------------------------------------------------------------------------------
# Reductions over a counted dim
# ---------------------------------------------------------------------------------------------


def guard_nonempty(b: GraphBuilder, a: Tensor, axes: tuple[int, ...], fn: str) -> None:
    """max/min over a counted dim: NumPy raises when it is empty; assume it is not."""
    counted = [ax for ax in axes if isinstance(a.shape[ax], CountDim)]
    if not counted:
        return
    from . import symbolic
    from .operators import apply

    n = symbolic.dim(b, a, counted[0])
    ok = apply(b, "greater", [n, 0], static_fn=lambda x, y: x > y)
    b.guard(ok, "error", f"the array numpy.{fn} reduces is not empty (NumPy raises "
            "ValueError: zero-size array to reduction operation)")
