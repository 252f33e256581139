"""NumPy dtypes and shapes <-> MLIR builtin types.

janus values are builtin ranked tensors with static shapes; a Python or NumPy scalar is a rank-0
tensor. Booleans are `i1`; every integer type is signless in MLIR and its NumPy signedness is
recovered from the dtype the frontend attaches (unsigned types are not supported yet).
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
    "float16": "f16",
    "float32": "f32",
    "float64": "f64",
}
_DTYPES_BY_ELEMENT = {v: np.dtype(k) for k, v in _ELEMENT_NAMES.items()}

SUPPORTED_DTYPES: tuple[np.dtype, ...] = tuple(np.dtype(k) for k in _ELEMENT_NAMES)


class UnsupportedType(TypeError):
    """A dtype or MLIR type janus cannot represent."""


@dataclass(frozen=True)
class TensorSpec:
    """Static shape and dtype of a janus value (what the shape/dtype rules compute)."""

    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

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
    dims = "".join(f"{d if d >= 0 else '?'}x" for d in shape)
    return f"tensor<{dims}{element_name(dtype)}>"


def tensor_type(shape: tuple[int, ...], dtype: np.dtype | type) -> ir.RankedTensorType:
    """The MLIR type of a value (needs an active context)."""
    dims = [ir.ShapedType.get_dynamic_size() if d < 0 else d for d in shape]  # -1: `?`
    return ir.RankedTensorType.get(dims, element_type(dtype))


def element_type(dtype: np.dtype | type) -> ir.Type:
    return ir.Type.parse(element_name(dtype))


def spec_of_type(t: ir.Type) -> TensorSpec:
    """Shape and dtype of a static ranked tensor type; raises UnsupportedType otherwise."""
    if not isinstance(t, ir.RankedTensorType):
        raise UnsupportedType(f"expected a ranked tensor type, got {t}")
    rt = ir.RankedTensorType(t)
    if not rt.has_static_shape:
        raise UnsupportedType(f"expected a static shape, got {t}")
    return TensorSpec(tuple(rt.shape), dtype_of_element(str(rt.element_type)))


def is_float(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def is_int(dtype: np.dtype) -> bool:
    return np.dtype(dtype).kind == "i"


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
    if not is_int(dt) or isinstance(value, bool):
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
