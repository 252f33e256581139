"""Casts, constants and fills: astype, constant, full (zeros/ones/full/*_like), arange."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dialects.opdef import DENSE, DTYPE, I64_ARRAY, NUMBER, Attr, ShapeError
from ..dialects.types import TensorSpec, is_supported_dtype
from .emit import PARALLEL, Emitter, identity_map
from .registry import defop
from ..lang import unbroadcast as ub


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
      doc="x.astype(dtype) with NumPy's unsafe casting (float->int truncates).", symbolic=True,
      vjp=lambda g, ans, x, dtype: (ub(g, x),))


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


def _arange_compute_dtype(dtype: np.dtype) -> np.dtype:
    """NumPy's fill computes float16 ranges in float32 and rounds each element once."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _lower_arange(e: Emitter, operands, in_specs, attrs, out_specs):
    (out,) = out_specs
    dt = out.dtype
    ct = _arange_compute_dtype(dt)
    start, step = attrs["start"], attrs["step"]

    def body(s, _init):
        i = s.index_to(s.linalg_index(0), ct)
        return s.cast(s.add(s.const(start, ct), s.mul(i, s.const(step, ct), ct), ct), ct, dt)

    return e.generic([], [], [e.empty(out)], [identity_map(1)], [PARALLEL], body)


def arange_start_step(values: np.ndarray) -> tuple[float | int, float | int]:
    """The (start, step) attributes reproducing the range `values` (np.arange's result): NumPy
    sets the first two elements, then fills element i with start + i * (second - first), the
    difference taken in the dtype (float16: in float32; integers wrap)."""
    dt = values.dtype
    if values.size == 0:
        return 0, 0
    start = values[0].item()
    if values.size == 1:
        return start, 0
    ct = _arange_compute_dtype(dt)
    with np.errstate(over="ignore"):
        step = (values[1].astype(ct) - values[0].astype(ct)).item()
    return start, step


def _numpy_arange(shape, dtype, start, step):
    ct = _arange_compute_dtype(np.dtype(dtype))
    with np.errstate(over="ignore"):
        values = ct.type(start) + np.arange(shape[0]).astype(ct) * ct.type(step)
    return values.astype(dtype)


defop("arange", (), attrs={"shape": Attr(I64_ARRAY), "dtype": Attr(DTYPE), "start": Attr(NUMBER),
                           "step": Attr(NUMBER)},
      infer=_infer_arange, numpy=_numpy_arange, lower=_lower_arange,
      doc="numpy.arange with the length resolved: element i is start + i * step, computed in "
          "the dtype (float16 in float32) as NumPy's fill does from its first two elements.")
