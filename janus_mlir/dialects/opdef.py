"""Declarative janus op signatures: operands, attributes, and the result-type rule.

A janus op lives in the IR as a generic-form operation `"janus.<name>"(...)`. Its `OpSignature`
says which operands and attributes it takes and how its result types follow from its operand types;
the verifier, the builders and the accessors are all derived from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from iree.compiler import ir

from .types import TensorSpec


class ShapeError(ValueError):
    """Operand types an op does not accept; the message says what is wrong."""


class NotConverted(ShapeError):
    """Operand types NumPy accepts but janus does not convert (unsigned integers where the
    lowering would not be exact): the call runs as plain Python with the message."""


# ---------------------------------------------------------------------------------------------
# Attribute kinds: how a Python value is written into the IR and read back.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttrKind:
    name: str
    to_ir: Callable[[Any], ir.Attribute]
    from_ir: Callable[[ir.Attribute], Any]
    check: Callable[[ir.Attribute], bool]


def _isa(cls: type) -> Callable[[ir.Attribute], bool]:
    return lambda a: isinstance(a, cls)


def _int_to_ir(v: int) -> ir.Attribute:
    from .types import UnsupportedType

    if not -2**63 <= int(v) < 2**63:  # a uint64 above int64's range, say
        raise UnsupportedType(f"the integer {int(v)} does not fit a 64-bit attribute")
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


def _float_to_ir(v: float) -> ir.Attribute:
    return ir.FloatAttr.get(ir.F64Type.get(), float(v))


def _scalar_from_ir(a: ir.Attribute) -> Any:
    if isinstance(a, ir.BoolAttr):
        return bool(ir.BoolAttr(a).value)
    if isinstance(a, ir.IntegerAttr):
        return int(ir.IntegerAttr(a).value)
    return float(ir.FloatAttr(a).value)


def _is_number(a: ir.Attribute) -> bool:
    return isinstance(a, (ir.IntegerAttr, ir.FloatAttr, ir.BoolAttr))


def _dense_to_ir(v: np.ndarray) -> ir.Attribute:
    from .types import tensor_type

    arr = np.asarray(v)
    ttype = tensor_type(arr.shape, arr.dtype)
    flat = arr.reshape(-1)
    # A splat only when every element has the first one's bits: -0.0 equals 0.0 and NaNs
    # differ under ==, and a splat of 0.0 for [0.0, -0.0] would change 1 / x.
    bits = flat.view(f"u{flat.dtype.itemsize}") if flat.dtype.kind == "f" else flat
    if flat.size and bool((bits == bits[0]).all()):
        return ir.DenseElementsAttr.get_splat(ttype, _element_attr(flat[0], arr.dtype))
    return ir.DenseElementsAttr.get(np.ascontiguousarray(arr), type=ttype)


def _element_attr(value: Any, dtype: np.dtype) -> ir.Attribute:
    from .types import element_type

    if dtype.kind == "f":
        return ir.FloatAttr.get(element_type(dtype), float(value))
    if dtype.kind == "u":  # the bindings take the bits as a signed int (uint64 max: -1)
        bits = dtype.itemsize * 8
        v = int(value)
        return ir.IntegerAttr.get(element_type(dtype), v - (1 << bits) if v >> (bits - 1) else v)
    return ir.IntegerAttr.get(element_type(dtype), int(value))


def _dense_from_ir(a: ir.Attribute) -> np.ndarray:
    from .types import spec_of_type

    spec = spec_of_type(a.type)
    dense = ir.DenseElementsAttr(a)
    if dense.is_splat:
        return np.full(spec.shape, _scalar_from_ir(dense.get_splat_value()), dtype=spec.dtype)
    return np.array(dense).astype(spec.dtype).reshape(spec.shape)


I64 = AttrKind("i64", _int_to_ir, lambda a: int(ir.IntegerAttr(a).value), _isa(ir.IntegerAttr))
F64 = AttrKind("f64", _float_to_ir, lambda a: float(ir.FloatAttr(a).value), _isa(ir.FloatAttr))
BOOL = AttrKind("bool", ir.BoolAttr.get, lambda a: bool(ir.BoolAttr(a).value), _isa(ir.BoolAttr))
STR = AttrKind("str", ir.StringAttr.get, lambda a: ir.StringAttr(a).value, _isa(ir.StringAttr))
I64_ARRAY = AttrKind(
    "i64 array",
    lambda v: ir.DenseI64ArrayAttr.get([int(x) for x in v]),
    lambda a: tuple(int(x) for x in ir.DenseI64ArrayAttr(a)),
    _isa(ir.DenseI64ArrayAttr),
)
NUMBER = AttrKind(
    "number",
    lambda v: ir.BoolAttr.get(v) if isinstance(v, (bool, np.bool_))
    else _int_to_ir(v) if isinstance(v, (int, np.integer)) else _float_to_ir(v),
    _scalar_from_ir,
    _is_number,
)
DENSE = AttrKind("dense elements", _dense_to_ir, _dense_from_ir, _isa(ir.DenseElementsAttr))


def _dtype_to_ir(v: Any) -> ir.Attribute:
    from .types import element_type

    return ir.TypeAttr.get(element_type(v))


def _dtype_from_ir(a: ir.Attribute) -> np.dtype:
    from .types import dtype_of_element

    return dtype_of_element(str(ir.TypeAttr(a).value))


DTYPE = AttrKind("dtype", _dtype_to_ir, _dtype_from_ir, _isa(ir.TypeAttr))


@dataclass(frozen=True)
class Attr:
    """One attribute of an op: its kind, when optional its default, and when the attribute is one
    of a closed set of values (a string naming a case), the values it may take."""

    kind: AttrKind
    default: Any = None
    optional: bool = False
    choices: tuple[Any, ...] = ()


InferFn = Callable[[Sequence[TensorSpec], dict[str, Any]], Sequence[TensorSpec]]


@dataclass(frozen=True)
class OpSignature:
    """What a janus op takes and gives.

    `operands` names the operands in order; when `variadic` is set the last name stands for
    `variadic_min` (default one) or more operands. `infer` computes the result specs from
    operand specs and decoded attributes and
    raises ShapeError for operands the op does not accept. `regions` is how many regions the op
    has: only structural ops have one (`janus.value_and_grad`); for compute ops the verifier
    rejects a region (the lowering would drop it) rather than letting it pass.
    """

    name: str
    operands: tuple[str, ...]
    infer: InferFn
    attrs: dict[str, Attr] = field(default_factory=dict)
    variadic: bool = False
    doc: str = ""
    regions: int = 0
    symbolic: bool = False  # its shape rule and lowering accept symbolic dims (types.Dim)
    # Structural ops whose result types follow from their region, not from the operands alone:
    # check(op) lists the problems, in place of comparing results with `infer`.
    check: Callable[[ir.Operation], list[str]] | None = None
    variadic_min: int = 1  # the fewest operands a variadic tail takes

    @property
    def op_name(self) -> str:
        return f"janus.{self.name}"

    @property
    def class_name(self) -> str:
        return "".join(p.capitalize() for p in self.name.split("_")) + "Op"
