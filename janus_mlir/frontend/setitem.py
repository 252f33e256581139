"""`a[key] = value` and `a[key] op= value` on arrays the graph created, through the heap model.

Basic indices (integers, slices, None, Ellipsis) select a view of `a`; the value is cast and
broadcast to that view's shape and written through it (heap.write), so every alias of `a` sees
it. Advanced indices (integer arrays, lists, run-time integers, mixed with slices) become one
`scatter` (mode set: with duplicate indices the last write wins, and `a[idx] += v` adds once per
element, as in NumPy) into the basic-sliced view. A boolean mask with a scalar value
(`a[mask] = 0`, `a[mask] += 1`) is a select over the whole array. Writes to arrays the caller can
see, and casts whose NumPy behaviour depends on run-time values (a float into an integer array)
are not converted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import heap, rows
from .builder import GraphBuilder
from .errors import Unconvertible
from .indexing import _classify, _expand_ellipsis, advanced_plan, sliced_for
from .indexing import subscript as index_array
from .operators import BINOPS, apply, cast_weak, compare_const, guard_all, guard_fits, lift
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_py_scalar, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


def view_for(cv: FunctionConverter, base: Tensor, key: Any) -> Tensor:
    """The view `base[key]` selects (a basic index), for writing through."""
    target = index_array(cv.b, base, key)
    root = heap.roots_of(base)
    if target is base:
        return base
    if target.view is None and target.kind != ARRAY:  # one element: a NumPy scalar copy
        target = index_array(cv.b, base, _unit_slices(key))
    if target.view is None or target.view.root is not root:
        raise cv.fail("item assignment with an advanced (array) index is not converted yet")
    return target


def _unit_slices(key: Any) -> tuple[Any, ...]:
    """`a[i, j]` as the 1x1 view `a[i:i+1, j:j+1]` (the element written through)."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            k = int(k)
            out.append(slice(k, k + 1 if k != -1 else None))
        else:
            out.append(k)
    return tuple(out)


def _key_kind(cv: FunctionConverter, base: Tensor, key: Any) -> tuple[str, Any]:
    """('mask', mask), ('advanced', expanded items) or ('basic', None) for a subscript."""
    items = list(key) if isinstance(key, tuple) else [key]
    if len(items) == 1 and _mask_of(items[0]) is not None:
        return "mask", _mask_of(items[0])
    classified = [_classify(cv.b, x) for x in items]
    if any(is_tensor(x) or isinstance(x, np.ndarray) for x in classified):
        return "advanced", _expand_ellipsis(cv.b, classified, base.ndim)
    return "basic", None


def _mask_of(item: Any) -> Any:
    if is_tensor(item) and item.dtype == np.bool_ and item.ndim:
        return item
    if isinstance(item, np.ndarray) and item.dtype == np.bool_ and item.ndim:
        return item
    return None


def setitem(cv: FunctionConverter, base: Tensor, key: Any, value: Any) -> None:
    if _symbolic_row(base, key):
        return _row_write(cv.b, base, key, lambda current: value)
    kind, detail = _key_kind(cv, base, key)
    if kind == "mask":
        _scalar_only(cv, value)
        _mask_write(cv, base, detail, lambda current: value)
    elif kind == "advanced":
        _advanced_write(cv, base, detail, lambda current: value)
    else:
        target = view_for(cv, base, key)
        heap.write(cv.b, target, fitted(cv.b, value, target.dtype, target.shape))


def _symbolic_row(base: Tensor, key: Any) -> bool:
    """`a[i]` for a run-time int i on an array whose first dim is symbolic (the scatter of an
    advanced index needs static dims): one row, written with tensor.insert_slice."""
    return (base.kind == ARRAY and base.ndim >= 1 and type(base.shape[0]) is not int
            and (rows.is_row_key(key) or type(key) is int))


def _row_write(b: GraphBuilder, base: Tensor, key: Any, update: Any) -> None:
    writable(b, base)
    if type(key) is int:
        key = b.constant(np.asarray(key, np.int64), PY_SCALAR)
    index = rows.row_index(b, base, key, "the array")
    current = rows.row(b, base, index, fresh=False)
    new = fitted(b, update(current), base.dtype, base.shape[1:])
    contents = rows.with_row(b, base.value, index, new.value, base.shape[1:])
    heap.write(b, base, Tensor(contents, base.spec, ARRAY))


def fill(b: GraphBuilder, base: Tensor, value: Any) -> None:
    """`base.fill(value)`: `base[...] = value` for a scalar value (NumPy raises ValueError for
    an array of any size, one element included)."""
    ndim = value.ndim if is_tensor(value) else np.ndim(value) if isinstance(
        value, (np.ndarray, list, tuple)) else 0
    if (is_tensor(value) and value.kind == ARRAY and ndim) or (not is_tensor(value) and ndim):
        raise _fail(b, "ValueError: setting an array element with a sequence.")
    heap.write(b, base, fitted(b, value, base.dtype, base.shape))


def aug_setitem(cv: FunctionConverter, base: Tensor, key: Any, op: type, rhs_node: Any) -> None:
    if _symbolic_row(base, key):
        rhs = cv.visit(rhs_node)
        return _row_write(cv.b, base, key, lambda current: _combined(cv, current, op, rhs))
    kind, detail = _key_kind(cv, base, key)
    if kind != "basic":
        rhs = cv.visit(rhs_node)

        def update(current: Tensor) -> Any:
            return _combined(cv, current, op, rhs)

        if kind == "mask":
            _scalar_only(cv, rhs)
            _mask_write(cv, base, detail, update)
        else:
            _advanced_write(cv, base, detail, update)
        return
    target = view_for(cv, base, key)
    rhs = cv.visit(rhs_node)
    new = _combined(cv, _as_array_view(target), op, rhs)
    heap.write(cv.b, target, fitted(cv.b, new, target.dtype, target.shape))


def _combined(cv: FunctionConverter, current: Tensor, op: type, rhs: Any) -> Any:
    """`current <op> rhs` as the in-place ufunc computes it (same_kind cast back checked)."""
    op_name, _ = BINOPS[op]
    new = apply(cv.b, op_name, [current, rhs])
    if is_tensor(new) and new.dtype != current.dtype and not np.can_cast(
            new.dtype, current.dtype, casting="same_kind"):
        raise cv.fail(f"Cannot cast ufunc '{op_name}' output from {new.dtype} to "
                      f"{current.dtype} with casting rule 'same_kind'")
    return new


def _advanced_write(cv: FunctionConverter, base: Tensor, items: list[Any], update: Any) -> None:
    scatter_write(cv.b, base, items, update)


def scatter_write(b: GraphBuilder, base: Tensor, items: list[Any], update: Any) -> None:
    """base[items] = update(base[items]) (advanced items, Ellipsis expanded) as one scatter
    (mode set) into the basic-sliced view of base, written through the heap model."""
    writable(b, base)
    plan = advanced_plan(b, base, items)
    target = sliced_for(b, base, plan, copy=False)
    current = b.emit("gather", [target, *plan["indices"]], axes=plan["axes"],
                     position=plan["position"])
    value = fitted(b, update(_reshaped(b, current, plan["final"])), base.dtype, plan["final"])
    value = _reshaped(b, value, current.shape)
    new = b.emit("scatter", [target, value, *plan["indices"]], axes=plan["axes"],
                 position=plan["position"], mode="set")
    heap.write(b, target, new)


def _scalar_only(cv: FunctionConverter, value: Any) -> None:
    ndim = value.ndim if is_tensor(value) else (0 if is_py_scalar(value) else np.ndim(value))
    if ndim != 0:
        raise cv.fail("assigning an array through a boolean mask needs as many values as True "
                      "elements (data-dependent): not converted")


def writable(b: GraphBuilder, base: Tensor) -> None:
    """Refuse (Unconvertible) an in-place write into an array that cannot be written back."""
    heap.refuse_unwritable(b, heap.roots_of(base))


def _fail(b: GraphBuilder, reason: str) -> Unconvertible:
    return Unconvertible(reason, b.where)


def _reshaped(b: GraphBuilder, t: Tensor, shape: tuple[int, ...]) -> Tensor:
    return t if t.shape == tuple(shape) else b.emit("reshape", [t], copy=True, shape=shape)


def _mask_write(cv: FunctionConverter, base: Tensor, mask: Any, update: Any) -> None:
    """base[mask] = scalar (or op= scalar): where(mask, new, base) over the whole array."""
    b = cv.b
    if mask.shape != base.shape[:len(mask.shape)]:
        raise cv.fail(f"IndexError: boolean index of shape {mask.shape} does not match the "
                      f"indexed array of shape {base.shape}")
    cond = mask if is_tensor(mask) else b.constant(mask, ARRAY)
    if cond.ndim < base.ndim:
        cond = b.emit("reshape", [cond], copy=True,
                      shape=(*cond.shape, *[1] * (base.ndim - cond.ndim)))
    writable(b, base)
    value = update(_as_array_view(base))
    value = fitted(cv.b, value, base.dtype, value.shape if is_tensor(value) else ())
    heap.write(b, base, b.emit("where", [cond, value, base]))


def _as_array_view(t: Tensor) -> Tensor:
    """The written element(s) as an array operand (an int-indexed element is a 0-d view)."""
    if t.kind == ARRAY:
        return t
    out = Tensor(t.value, t.spec, ARRAY)
    return out


def fitted(b: GraphBuilder, value: Any, dtype: np.dtype, shape: tuple[int, ...]) -> Tensor:
    """`value` as NumPy's setitem would store it into an array of `dtype` and `shape`: cast,
    then broadcast."""
    if is_py_scalar(value) or (is_tensor(value) and value.weak):
        if dtype.kind in "iub" and (isinstance(value, float) or (
                is_tensor(value) and value.dtype.kind == "f")):
            raise _fail(b, "storing a Python float into an integer array is not converted "
                          "(NumPy raises for NaN and inf)")
        if is_tensor(value) and dtype.kind in "iu" and dtype != value.dtype:
            raise _fail(b, "storing a run-time Python int into a narrower integer array is not "
                          "converted (NumPy raises OverflowError when it does not fit)")
        value = cast_weak(b, value, dtype)
    elif is_tensor(value) and value.kind == NP_SCALAR and dtype.kind == "i" and (
            value.dtype.kind in "iu" and not np.can_cast(value.dtype, dtype)):
        _guard_scalar_fits(b, value, dtype)
    elif not is_tensor(value):
        if isinstance(value, np.integer) and dtype.kind == "i" and not (
                np.iinfo(dtype).min <= int(value) <= np.iinfo(dtype).max):
            raise _fail(b, f"OverflowError: Python integer {int(value)} out of bounds for "
                          f"{dtype.name}")
        if isinstance(value, (np.generic, np.ndarray)):
            value = lift(b, value)
        else:
            raise _fail(b, f"storing a {type(value).__name__} into an array is not converted")
    if value.dtype != dtype:
        if not np.can_cast(value.dtype, dtype, casting="same_kind") or (
                value.dtype.kind == "f" and dtype.kind in "iub"):
            raise _fail(b, f"storing {value.dtype} values into a {dtype} array is not converted")
        value = b.emit("astype", [value], ARRAY, dtype=dtype)
    shape = tuple(shape)
    if value.shape != shape:
        try:
            joint = np.broadcast_shapes(value.shape, shape)
        except ValueError:
            joint = None
        if joint != shape:
            raise _fail(b, f"could not broadcast input array from shape {value.shape} into "
                          f"shape {shape}")
        value = b.emit("broadcast_to", [value], ARRAY, copy=True, shape=shape)
    return value


def _guard_scalar_fits(b: GraphBuilder, value: Tensor, dtype: np.dtype) -> None:
    """NumPy stores a NumPy integer scalar into a signed integer array through a Python int,
    raising OverflowError where it does not fit (into an unsigned array it wraps, as a cast)."""
    if value.dtype == np.uint64:  # beyond int64: only the top of the range is tested
        ok = compare_const(b, "less_equal", value, int(np.iinfo(dtype).max))
        guard_all(b, ok, "error", f"the NumPy integer scalar fits in {dtype.name} (NumPy raises "
                  "OverflowError: Python integer out of bounds)")
        return
    wide = value if value.dtype == np.int64 else b.emit("astype", [value], NP_SCALAR,
                                                        dtype=np.dtype(np.int64))
    guard_fits(b, wide, dtype, "the NumPy integer scalar")
