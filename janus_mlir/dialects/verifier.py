"""The module verifier: MLIR's own verifier plus the janus op checks, as diagnostics.

MLIR cannot verify janus ops itself (they are unregistered generic-form operations), so after
MLIR's structural verifier has run, every `janus.*` op is looked up in the dialect and checked
against its signature: a known name, operand count, no regions, successors or properties (the
lowering would drop them), declared attributes of the right kind and value (a guard's kind from
GUARD_KINDS, a fill value its dtype can hold), static tensor types, and result types equal to
the ones its shape rule infers; and no block may end in a janus op. Problems come back as
`Diagnostic`s (location, severity, MLIR-style message: `'janus.matmul' op <problem>`) rather
than exceptions, so a driver can print them all, or match them against expectations.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from iree.compiler import ir

from . import janus
from .walk import walk


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    REMARK = "remark"
    NOTE = "note"


_SEVERITIES = {
    ir.DiagnosticSeverity.ERROR: Severity.ERROR,
    ir.DiagnosticSeverity.WARNING: Severity.WARNING,
    ir.DiagnosticSeverity.REMARK: Severity.REMARK,
    ir.DiagnosticSeverity.NOTE: Severity.NOTE,
}


@dataclass(frozen=True)
class Diagnostic:
    """One message about the IR, attached to a location (like an MLIR diagnostic)."""

    location: ir.Location
    severity: Severity
    message: str
    notes: tuple[Diagnostic, ...] = ()

    @classmethod
    def from_mlir(cls, diag: ir.Diagnostic | ir.DiagnosticInfo) -> Diagnostic:
        """Copy an MLIR diagnostic (live or captured in an MLIRError) and its notes."""
        return cls(diag.location, _SEVERITIES.get(diag.severity, Severity.ERROR), diag.message,
                   tuple(cls.from_mlir(n) for n in diag.notes))

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def position(self) -> tuple[str, int, int] | None:
        """(file, line, column) of the location, or None when it names no source position."""
        return location_position(self.location)


# `"file":line:col` inside any location kind (file, name, call site, fused).
_FILE_LINE_COL = re.compile(r'"((?:[^"\\]|\\.)*)":(\d+):(\d+)')


def location_position(loc: ir.Location) -> tuple[str, int, int] | None:
    """The first file:line:col a location mentions, or None (unknown location)."""
    m = _FILE_LINE_COL.search(str(loc))
    if not m:
        return None
    return m.group(1), int(m.group(2)), int(m.group(3))


def errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


def verify_module(module: ir.Module | ir.Operation) -> list[Diagnostic]:
    """Every problem in `module`: MLIR's verifier first, then each janus op (empty when valid)."""
    root = module.operation
    diagnostics = verify_mlir(root)
    for op in walk(root):
        if op.name.startswith(janus.PREFIX):
            diagnostics.extend(verify_janus_op(op))
    diagnostics.extend(verify_terminators(root))
    return diagnostics


def verify_terminators(root: ir.Operation) -> list[Diagnostic]:
    """janus ops are not terminators (janus.yield aside). MLIR cannot tell (to it they are
    unregistered ops, which might be), so a block that ends in one passes its verifier until
    the op is lowered and the block is left with no terminator at all."""
    diagnostics = []
    for op in (root, *walk(root)):
        for region in op.regions:
            for block in region.blocks:
                tail = deque(block.operations, maxlen=1)
                last = tail[0].operation if tail else None
                if (last is not None and last.name.startswith(janus.PREFIX)
                        and last.name != janus.YIELD.op_name):
                    message = f"'{last.name}' op ends its block, but janus ops are not terminators"
                    diagnostics.append(Diagnostic(last.location, Severity.ERROR, message))
    return diagnostics


def verify_mlir(root: ir.Operation) -> list[Diagnostic]:
    """MLIR's own verifier (structure, dominance, registered ops), as diagnostics."""
    try:
        root.verify()
    except ir.MLIRError as e:
        return [Diagnostic.from_mlir(d) for d in e.error_diagnostics] or [
            Diagnostic(root.location, Severity.ERROR, str(e))]
    return []


def verify_janus_op(op: ir.Operation) -> list[Diagnostic]:
    """The problems of one `janus.*` op against its signature."""
    op = op.operation
    cls = janus.OP_CLASSES.get(op.name)
    if cls is None:
        return [Diagnostic(op.location, Severity.ERROR, f"unknown operation '{op.name}'")]
    try:
        problems = cls(op).verify()
    except Exception as e:  # a shape rule that fails unexpectedly still points at the op
        problems = [f"could not be verified: {type(e).__name__}: {e}"]
    return [Diagnostic(op.location, Severity.ERROR, f"'{op.name}' op {p}") for p in problems]
