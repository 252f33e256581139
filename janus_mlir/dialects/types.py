"""NumPy dtypes and shapes <-> MLIR builtin types.

janus values are builtin ranked tensors with static shapes; a Python or NumPy scalar is a rank-0
tensor. Booleans are `i1`; signed integers are signless (`i8`) and unsigned ones are MLIR's
unsigned integer types (`ui8`), so a janus op's types say its NumPy dtype. arith and linalg take
only signless integers: the lowering picks the unsigned arith ops from the dtypes and then
rewrites every `uiN` in the module to `iN` (`signless_type`, passes.convert_janus_to_linalg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from iree.compiler import ir

_ELEMENT_NAMES: dict[str, str] = {
    "bool": "i1",
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint8": "ui8",
    "uint16": "ui16",
    "uint32": "ui32",
    "uint64": "ui64",
    "float16": "f16",
    "float32": "f32",
    "float64": "f64",
}
_DTYPES_BY_ELEMENT = {v: np.dtype(k) for k, v in _ELEMENT_NAMES.items()}

SUPPORTED_DTYPES: tuple[np.dtype, ...] = tuple(np.dtype(k) for k in _ELEMENT_NAMES)


class UnsupportedType(TypeError):
    """A dtype or MLIR type janus cannot represent."""


class SymbolicShape(UnsupportedType):
    """A shape with a symbolic dim where an op or a computation needs a static one."""


@dataclass(frozen=True)
class Dim:
    """A dimension known only when the graph runs (a batch size that varies): `?` in MLIR.

    Dims compare by name, never equal an int, and are at least 2 when the graph runs (entry
    guards send sizes 0 and 1 to static graphs), so NumPy broadcasting never stretches one.
    A Dim read back from an MLIR type is `ANY` (the verifier only checks structure); the frontend
    keeps the named ones, which decide what may broadcast with what.
    """

    name: str = "?"

    def __str__(self) -> str:
        return "?"

    def __repr__(self) -> str:
        return f"Dim({self.name!r})"


ANY = Dim("?")


@dataclass(frozen=True, eq=False)
class CountDim(Dim):
    """A dim the graph computes from data (how many elements a mask selects): `?` in MLIR.

    Unlike an input's symbolic dim it may be 0 or 1 when the graph runs, so no decision made
    while converting may depend on its value: comparing it with a number raises SymbolicShape
    (the conversion stops, the call runs as plain Python). It equals only itself.
    """

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dim):
            return self is other or (type(other) is CountDim and other.name == self.name)
        if isinstance(other, (int, float, np.integer, np.floating)):
            raise SymbolicShape(f"the data-dependent size {self.name} is known only when the "
                                "graph runs")
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(("count", self.name))

    def __repr__(self) -> str:
        return f"CountDim({self.name!r})"


def is_static(shape: tuple[int | Dim, ...]) -> bool:
    return all(type(d) is int for d in shape)


@dataclass(frozen=True)
class TensorSpec:
    """Shape and dtype of a janus value (what the shape/dtype rules compute); a dim is an int,
    or a `Dim` for ops whose signature is `symbolic`."""

    shape: tuple[int | Dim, ...]
    dtype: np.dtype

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        if not is_static(self.shape):
            raise SymbolicShape(f"the size of {self} is known only when the graph runs")
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def static(self) -> bool:
        return is_static(self.shape)

    def __str__(self) -> str:
        return tensor_type_str(self.shape, self.dtype)


def element_name(dtype: np.dtype | type) -> str:
    dt = np.dtype(dtype)
    try:
        return _ELEMENT_NAMES[dt.name]
    except KeyError:
        raise UnsupportedType(f"dtype {dt.name} is not supported by janus") from None


def dtype_of_element(name: str) -> np.dtype:
    try:
        return _DTYPES_BY_ELEMENT[name]
    except KeyError:
        raise UnsupportedType(f"element type {name} is not supported by janus") from None


def is_supported_dtype(dtype: np.dtype | type) -> bool:
    return np.dtype(dtype).name in _ELEMENT_NAMES


def tensor_type_str(shape: tuple[int, ...], dtype: np.dtype | type) -> str:
    dims = "".join(f"{d if type(d) is int and d >= 0 else '?'}x" for d in shape)
    return f"tensor<{dims}{element_name(dtype)}>"


def tensor_type(shape: tuple[int, ...], dtype: np.dtype | type) -> ir.RankedTensorType:
    """The MLIR type of a value (needs an active context)."""
    dims = [d if type(d) is int and d >= 0 else ir.ShapedType.get_dynamic_size()
            for d in shape]  # a Dim (or -1): `?`
    return ir.RankedTensorType.get(dims, element_type(dtype))


def element_type(dtype: np.dtype | type) -> ir.Type:
    return ir.Type.parse(element_name(dtype))


def spec_of_type(t: ir.Type) -> TensorSpec:
    """Shape and dtype of a ranked tensor type (dynamic dims as `ANY`); raises UnsupportedType
    for other types."""
    if not isinstance(t, ir.RankedTensorType):
        raise UnsupportedType(f"expected a ranked tensor type, got {t}")
    rt = ir.RankedTensorType(t)
    shape = tuple(ANY if rt.is_dynamic_dim(i) else d for i, d in enumerate(rt.shape))
    return TensorSpec(shape, dtype_of_element(str(rt.element_type)))


def is_float(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def is_int(dtype: np.dtype) -> bool:
    """A signed integer dtype (see is_unsigned)."""
    return np.dtype(dtype).kind == "i"


def is_unsigned(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind == "u"


def has_unsigned(t: ir.Type) -> bool:
    """Whether `t` is, or is a tensor of, an unsigned integer type (`ui8`)."""
    if isinstance(t, ir.RankedTensorType):
        t = ir.RankedTensorType(t).element_type
    return isinstance(t, ir.IntegerType) and ir.IntegerType(t).is_unsigned


def signless_type(t: ir.Type) -> ir.Type:
    """`t` with every unsigned integer element type (`ui8`) made signless (`i8`), as arith,
    linalg and IREE take them; other types unchanged."""
    if isinstance(t, ir.IntegerType):
        it = ir.IntegerType(t)
        return ir.IntegerType.get_signless(it.width) if it.is_unsigned else t
    if isinstance(t, ir.RankedTensorType):
        rt = ir.RankedTensorType(t)
        et = signless_type(rt.element_type)
        return t if et == rt.element_type else ir.RankedTensorType.get(list(rt.shape), et,
                                                                         rt.encoding)
    return t


def is_bool(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind == "b"


def scalar_conversion_problem(value: bool | int | float, dtype: np.dtype) -> str | None:
    """Why `np.array(value, dtype)` would raise, or None when the scalar converts.

    As in NumPy, a float becomes an integer by truncation, and NaN, infinity and integers outside
    the dtype's range are errors; any number becomes a bool, and a float dtype takes every number
    (one too large for it becomes inf, as `numpy.full` gives). Decided by comparisons alone, so
    no NumPy cast runs and no RuntimeWarning is raised.
    """
    dt = np.dtype(dtype)
    if not (is_int(dt) or is_unsigned(dt)) or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return "cannot convert float NaN to integer"
        if math.isinf(value):
            return "cannot convert float infinity to integer"
    whole = int(value)
    info = np.iinfo(dt)
    if not info.min <= whole <= info.max:
        return f"Python integer {whole} out of bounds for {dt.name}"
    return None
