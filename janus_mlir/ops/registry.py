"""The op registry: every NumPy-level janus op defined once.

Each entry holds, side by side, the op's signature (operands, attributes, shape/dtype rule), its
NumPy reference, its lowering to linalg/tensor/arith/math, and a slot for its derivative rule.
The dialect (op classes, verifier), the lowering pass and the frontend all read this table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from iree.compiler import ir

from ..dialects.opdef import Attr, InferFn, NotConverted, OpSignature
from ..dialects.signatures import register
from ..dialects.types import TensorSpec, is_unsigned

# lower(emitter, operand values, operand specs, attrs, result specs) -> result values
LowerFn = Callable[["Emitter", Sequence[ir.Value], Sequence[TensorSpec], dict[str, Any],
                    Sequence[TensorSpec]], Sequence[ir.Value]]


@dataclass(frozen=True)
class OpRule:
    signature: OpSignature
    numpy: Callable[..., Any]
    lower: LowerFn
    # The derivative rule: vjp(g, ans, *operands, **attrs) -> one cotangent (or None) per
    # operand, written as NumPy code over lang values (see janus_mlir.lang).
    vjp: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return self.signature.name


OPS: dict[str, OpRule] = {}

# The ops whose shape rule and lowering are right for unsigned integer operands and results
# (dtype-blind data movement, or lowerings that pick the unsigned arith ops); every other op
# refuses them (ShapeError: the frontend falls back to plain Python). The elementwise ufuncs
# check their loop dtypes themselves (elementwise.UNSIGNED_UFUNCS).
UNSIGNED_OK = frozenset({
    "astype", "constant", "full", "where", "sum", "prod", "mean", "max", "min", "all", "any",
    "slice", "slice_update", "take", "gather", "reshape", "expand_dims", "squeeze", "transpose",
    "broadcast_to", "concatenate", "stack", "compress", "nonzero", "argwhere", "cumsum",
    "cumprod", "argmax", "argmin", "scatter", "sort", "argsort", "searchsorted", "is_sorted",
    "einsum", "matmul",  # products and sums wrap the same in two's complement, signed or not
    "dim",  # reads the shape only
    "bincount",
})


def _refusing_unsigned(name: str, infer: InferFn, ufunc: bool) -> InferFn:
    if ufunc or name in UNSIGNED_OK:
        return infer

    def checked(operands, attrs):
        results = infer(operands, attrs)
        if any(is_unsigned(s.dtype) for s in (*operands, *results)):
            raise NotConverted(f"janus.{name} on unsigned integers is not converted by janus")
        return results

    return checked


def defop(
    name: str,
    operands: Sequence[str],
    *,
    infer: InferFn,
    numpy: Callable[..., Any],
    lower: LowerFn,
    attrs: dict[str, Attr] | None = None,
    variadic: bool = False,
    doc: str = "",
    symbolic: bool = False,
    vjp: Callable[..., Any] | None = None,
) -> OpRule:
    """Register one op; returns its rule. `symbolic`: its shape rule and lowering accept
    symbolic dims (dialects.types.Dim). `vjp`: its derivative rule (see OpRule.vjp)."""
    if name in OPS:
        raise ValueError(f"janus op {name!r} registered twice")
    elementwise = isinstance(numpy, np.ufunc) and numpy.signature is None  # not matmul
    infer = _refusing_unsigned(name, infer, elementwise)
    sig = register(OpSignature(name, tuple(operands), infer, dict(attrs or {}), variadic, doc,
                               symbolic=symbolic))
    rule = OpRule(sig, numpy, lower, vjp)
    OPS[name] = rule
    return rule


def lookup(name: str) -> OpRule:
    """The rule for `name` (with or without the `janus.` prefix)."""
    return OPS[name.removeprefix("janus.")]


from .emit import Emitter  # noqa: E402  (type used in annotations only)
