"""GraphValue: a janus SSA value with NumPy's operators; every call emits janus ops.

Ops are created at the current `ir.InsertionPoint` and `ir.Location` (the caller sets both, as
the `janus-autodiff` pass does), with result types from each op's shape rule. Python scalars
mixed with graph values are weak, as in NumPy 2 (NEP 50): `g * 0.5` stays float32 for a
float32 `g`; NumPy constants become `janus.constant`s of their own dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects import janus
from ..dialects.types import TensorSpec, spec_of_type
from . import numpy_map
from .apply import op
from .operators import Operators


class GraphValue(Operators):
    """One SSA value of the janus IR being built, used like an ndarray."""

    EMITS = True  # creation calls (zeros_like, ...) emit ops instead of computing arrays

    def __init__(self, value: ir.Value):
        self.value = value
        self.spec: TensorSpec = spec_of_type(value.type)

    # --- what NumPy code reads -----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.spec.shape

    @property
    def dtype(self) -> np.dtype:
        return self.spec.dtype

    @property
    def ndim(self) -> int:
        return len(self.spec.shape)

    @property
    def size(self) -> int:
        return self.spec.size

    @property
    def T(self) -> GraphValue:  # noqa: N802 (NumPy's name)
        return numpy_map.transpose(self)

    def __repr__(self) -> str:
        return f"GraphValue({self.value.type})"

    # --- the protocols --------------------------------------------------------------------------
    @classmethod
    def __janus_op__(cls, name: str, operands: tuple[Any, ...], attrs: dict[str, Any]) -> Any:
        values = _operand_values(name, operands)
        op_class = janus.op_class(name)
        if not op_class.SIGNATURE.symbolic and not all(
                ir.RankedTensorType(v.type).has_static_shape for v in values):
            raise TypeError(f"janus.{name} does not take symbolic dims")
        built = op_class.build(*values, loc=ir.Location.current, **attrs)
        return GraphValue(built.result)

    def __janus_known__(self) -> np.ndarray | None:
        """The array of a `janus.constant` result (lang.apply.known_value), else None."""
        owner = self.value.owner
        if getattr(owner, "name", None) == "janus.constant":  # a block argument has none
            from ..dialects.opdef import DENSE

            return DENSE.from_ir(owner.attributes["value"])
        return None

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return numpy_map.call_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return numpy_map.call_function(func, args, kwargs)

    # --- methods rules use -----------------------------------------------------------------------
    def astype(self, dtype: Any) -> GraphValue:
        dt = np.dtype(dtype)
        return self if dt == self.dtype else op("astype", self, dtype=dt)

    def reshape(self, *shape: Any) -> GraphValue:
        return numpy_map.reshape(self, shape[0] if len(shape) == 1 else shape)

    def sum(self, axis: Any = None, keepdims: bool = False) -> GraphValue:
        return numpy_map.call_function(np.sum, (self,), {"axis": axis, "keepdims": keepdims})

    def transpose(self, *axes: Any) -> GraphValue:
        return numpy_map.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def __getitem__(self, key: Any) -> GraphValue:
        return basic_slice(self, key)

    # --- operators beyond lang.operators -------------------------------------------------
    def __invert__(self): return op("logical_not", self)
    def __and__(self, o): return op("logical_and", self, o)
    def __or__(self, o): return op("logical_or", self, o)


def basic_slice(x: GraphValue, key: Any) -> GraphValue:
    """x[key] for ints, slices with positive steps, None and Ellipsis (`janus.slice`, then a
    reshape dropping the int-indexed dims and adding the None ones)."""
    key = key if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        i = key.index(Ellipsis)
        fill = x.ndim - (len(key) - 1 - sum(k is None for k in key))
        key = key[:i] + (slice(None),) * fill + key[i + 1:]
    starts, sizes, steps, out_shape = [], [], [], []
    d = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        n = x.shape[d]
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            if step <= 0:
                raise numpy_map.NotTranslated("negative slice steps on graph values")
            size = max(0, (stop - start + step - 1) // step)
            starts.append(start), sizes.append(size), steps.append(step)
            out_shape.append(size)
        else:
            i = int(k)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {d} with size {n}")
            starts.append(i % n), sizes.append(1), steps.append(1)
        d += 1
    for n in x.shape[d:]:
        starts.append(0), sizes.append(n), steps.append(1)
        out_shape.append(n)
    r = op("slice", x, starts=tuple(starts), sizes=tuple(sizes), steps=tuple(steps))
    return r if tuple(out_shape) == r.shape else op("reshape", r, shape=tuple(out_shape))


def _operand_values(name: str, operands: tuple[Any, ...]) -> list[ir.Value]:
    """The SSA values of an op's operands; Python scalars as weak constants (the dtype NumPy
    would give them next to the graph operands), NumPy values as constants of their dtype."""
    graph = [o for o in operands if isinstance(o, GraphValue)]
    out = []
    for o in operands:
        if isinstance(o, GraphValue):
            out.append(o.value)
            continue
        if type(o) in (bool, int, float):
            dt = np.result_type(*[g.dtype for g in graph], o) if graph else np.asarray(o).dtype
            if name == "where" and graph:  # the condition is no dtype partner of the branches
                dt = np.result_type(*[g.dtype for g in graph if g.dtype != np.bool_] or
                                    [np.asarray(o).dtype], o)
            arr = np.asarray(o, dtype=dt)
        else:
            arr = np.asarray(o)
        out.append(janus.op_class("constant").build(loc=ir.Location.current, value=arr).result)
    return out
