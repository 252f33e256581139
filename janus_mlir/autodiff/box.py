"""Box: an array (or scalar) being differentiated, recorded as it flows through NumPy code.

A Box holds the plain value NumPy computed and the node that made it. NumPy calls reach it
through `__array_ufunc__`/`__array_function__`, operators and methods; each becomes one or a few
janus ops (`lang.numpy_map`) applied by `Box.__janus_op__`, which computes the op's NumPy
reference on the unboxed values and records a `Node` holding the op, its attributes, operands
and result. Traces nest (`grad` of `grad`): a box belongs to one trace, and an op on boxes of
several traces is recorded on the innermost one, with the outer boxes as its operands, so the
derivative rules run on outer boxes and are recorded in turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..lang import numpy_map
from ..lang.apply import op
from ..lang.operators import Operators


@dataclass(eq=False)
class Node:
    """One recorded op: `name` applied to `operands` (values of this trace's level) gave `ans`.
    `parents` are (operand position, parent node) for the operands that were boxes of the
    trace; a leaf (an input being differentiated) has none."""

    name: str
    attrs: dict[str, Any]
    operands: tuple[Any, ...]
    ans: Any
    parents: list[tuple[int, Node]] = field(default_factory=list)
    vjp: Any = None  # a rule of its own (eager-only primitives); else the registry's


class Box(Operators):
    """A value of trace `trace` (an int; inner traces have larger ids) made by `node`."""

    def __init__(self, value: Any, trace: int, node: Node):
        self.value = value
        self.trace = trace
        self.node = node

    # --- what NumPy code reads -----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.value)

    @property
    def dtype(self) -> np.dtype:
        return _dtype(self.value)

    @property
    def ndim(self) -> int:
        return np.ndim(self.value)

    @property
    def size(self) -> int:
        return int(np.size(self.value))

    @property
    def T(self) -> Any:  # noqa: N802 (NumPy's name)
        return numpy_map.transpose(self)

    @property
    def mT(self) -> Any:  # noqa: N802
        return numpy_map.swapaxes(self, -1, -2)

    def __len__(self) -> int:
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self.value)))

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __index__(self) -> int:
        return self.value.__index__()

    def item(self, *args: Any) -> Any:
        return np.asarray(self.value).item(*args)

    def tolist(self) -> Any:
        return np.asarray(self.value).tolist()

    def __repr__(self) -> str:
        return f"Box({self.value!r}, trace={self.trace})"

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError("an array being differentiated by janus_mlir.grad cannot be converted "
                        "to a plain NumPy array here (np.array/np.asarray of it would lose its "
                        "gradient); use NumPy functions on it directly, e.g. np.stack instead "
                        "of np.array([...])")

    # --- the protocols --------------------------------------------------------------------------
    @classmethod
    def __janus_op__(cls, name: str, operands: tuple[Any, ...], attrs: dict[str, Any]) -> Any:
        return record(name, operands, attrs)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return numpy_map.call_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return numpy_map.call_function(func, args, kwargs)

    # --- ndarray methods --------------------------------------------------------------------------
    def _method(name: str):  # noqa: N805 (builds methods)
        func = getattr(np, name)
        return lambda self, *args, **kwargs: numpy_map.call_function(
            func, (self, *args), kwargs)

    sum = _method("sum")
    mean = _method("mean")
    prod = _method("prod")
    max = _method("max")
    min = _method("min")
    var = _method("var")
    std = _method("std")
    clip = _method("clip")
    swapaxes = _method("swapaxes")
    squeeze = _method("squeeze")
    ravel = _method("ravel")
    dot = _method("dot")
    take = _method("take")
    cumsum = _method("cumsum")
    cumprod = _method("cumprod")
    del _method

    def reshape(self, *shape: Any, order: str = "C") -> Any:
        return numpy_map.reshape(self, shape[0] if len(shape) == 1 else shape, order)

    def transpose(self, *axes: Any) -> Any:
        return numpy_map.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def flatten(self, order: str = "C") -> Any:
        return numpy_map.ravel(self, order)

    def astype(self, dtype: Any, copy: bool = True) -> Any:
        return op("astype", self, dtype=np.dtype(dtype))

    def copy(self) -> Any:
        return op("positive", self)

    def __getitem__(self, key: Any) -> Any:
        from .primitives import getitem

        return getitem(self, key)



def _dtype(v: Any) -> np.dtype:
    dt = getattr(v, "dtype", None)
    if dt is not None:
        return dt if isinstance(dt, np.dtype) else np.dtype(dt)
    return _PY_DTYPES.get(type(v)) or np.asarray(v).dtype


_PY_DTYPES = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float64)}


def is_differentiable_dtype(dt: np.dtype) -> bool:
    return dt.kind == "f"


def record(name: str, operands: tuple[Any, ...], attrs: dict[str, Any], rule: Any = None,
           forward: Any = None) -> Any:
    """Apply op `name` to `operands` (some boxes) and record it on the innermost trace.

    The op runs on the operands with that trace's boxes unwrapped (outer boxes stay, and are
    recorded on their own trace by the same call one level down). A result of an integer or
    bool dtype is no box: nothing flows back through it. `rule`/`forward`: an eager-only
    primitive's derivative rule and NumPy function (default: the registry's).
    """
    trace = max(o.trace for o in operands if type(o) is Box)
    inner = tuple(o.value if type(o) is Box and o.trace == trace else o for o in operands)
    if forward is not None:
        ans = forward(*inner, **attrs)
    else:
        ans = op(name, *inner, **attrs)
    if _dtype(ans.value if type(ans) is Box else ans).kind != "f":
        return ans
    parents = [(i, o.node) for i, o in enumerate(operands)
               if type(o) is Box and o.trace == trace]
    if rule is None and name not in _HAS_RULE:
        from ..ops.registry import lookup

        if lookup(name).vjp is not None:
            _HAS_RULE.add(name)
        elif any(_dtype(inner[i]).kind == "f" for i, _ in parents):
            raise TypeError(f"janus_mlir.grad: numpy's {name} has no derivative rule yet")
    return Box(ans, trace, Node(name, attrs, inner, ans, parents, rule))


_HAS_RULE: set[str] = set()  # ops known to have a derivative rule
