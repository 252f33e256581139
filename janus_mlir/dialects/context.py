"""The one MLIR context setup janus uses (IREE's MLIR, janus ops as unregistered generic ops)."""

from __future__ import annotations

from iree.compiler import ir


def make_context() -> ir.Context:
    ctx = ir.Context()
    ctx.allow_unregistered_dialects = True
    return ctx
