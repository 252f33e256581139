"""Casts, constants and fills: astype, constant, full (zeros/ones/full/*_like), arange."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dialects.opdef import DENSE, DTYPE, I64_ARRAY, NUMBER, Attr, ShapeError
from ..dialects.types import TensorSpec, is_supported_dtype
from .emit import PARALLEL, Emitter, identity_map
from .registry import defop


def _check_dtype(dtype: np.dtype) -> np.dtype:
    if not is_supported_dtype(dtype):
        raise ShapeError(f"dtype {np.dtype(dtype).name} is not supported by janus")
    return np.dtype(dtype)


def _check_shape(shape: Sequence[int]) -> tuple[int, ...]:
    if any(d < 0 for d in shape):
        raise ShapeError(f"negative dimensions are not allowed: {tuple(shape)}")
    return tuple(shape)


# ---------------------------------------------------------------------------------------------
# astype
# ---------------------------------------------------------------------------------------------


def _infer_astype(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (x,) = operands
    return [TensorSpec(x.shape, _check_dtype(attrs["dtype"]))]


def _lower_astype(e: Emitter, operands, in_specs, attrs, out_specs):
    return [e.cast_tensor(operands[0], in_specs[0], out_specs[0].dtype)]


defop("astype", ("operand",), attrs={"dtype": Attr(DTYPE)}, infer=_infer_astype,
      numpy=lambda x, dtype: np.asarray(x).astype(dtype), lower=_lower_astype,
      doc="x.astype(dtype) with NumPy's unsafe casting (float->int truncates).")


# ---------------------------------------------------------------------------------------------
# constant
# ---------------------------------------------------------------------------------------------


def _infer_constant(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    value = np.asarray(attrs["value"])
    return [TensorSpec(value.shape, _check_dtype(value.dtype))]


defop("constant", (), attrs={"value": Attr(DENSE)}, infer=_infer_constant,
      numpy=lambda value: np.array(value),
      lower=lambda e, o, i, attrs, out: [e.constant(attrs["value"])],
      doc="A constant array (a Python or NumPy constant of the converted code).")


# ---------------------------------------------------------------------------------------------
# full: zeros, ones, full and their *_like forms
# ---------------------------------------------------------------------------------------------


def _infer_full(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    return [TensorSpec(_check_shape(attrs["shape"]), _check_dtype(attrs["dtype"]))]


def _lower_full(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    with np.errstate(over="ignore"):  # 1e300 as float32 is inf, as in numpy.full
        value = np.array(attrs["value"]).astype(out.dtype).item()
    return [e.splat(out, value)]


defop("full", (), attrs={"shape": Attr(I64_ARRAY), "dtype": Attr(DTYPE), "value": Attr(NUMBER)},
      infer=_infer_full, numpy=lambda shape, dtype, value: np.full(shape, value, dtype=dtype),
      lower=_lower_full, doc="numpy.full (zeros, ones, *_like resolve to it).")


# ---------------------------------------------------------------------------------------------
# arange: start + i * step for i in range(shape[0])
# ---------------------------------------------------------------------------------------------


def _infer_arange(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    shape = _check_shape(attrs["shape"])
    if len(shape) != 1:
        raise ShapeError(f"arange result must be 1-D, got shape {shape}")
    return [TensorSpec(shape, _check_dtype(attrs["dtype"]))]


def _lower_arange(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    dt = out.dtype
    start, step = attrs["start"], attrs["step"]

    def body(s, _init):
        i = s.index_to(s.linalg_index(0), dt)
        return s.add(s.const(start, dt), s.mul(i, s.const(step, dt), dt), dt)

    return e.generic([], [], [e.empty(out)], [identity_map(1)], [PARALLEL], body)


def _numpy_arange(shape, dtype, start, step):
    return start + np.arange(shape[0], dtype=dtype) * np.array(step, dtype=dtype)


defop("arange", (), attrs={"shape": Attr(I64_ARRAY), "dtype": Attr(DTYPE), "start": Attr(NUMBER),
                           "step": Attr(NUMBER)},
      infer=_infer_arange, numpy=_numpy_arange, lower=_lower_arange,
      doc="numpy.arange with the length resolved: element i is start + i * step.")
