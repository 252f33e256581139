"""Walking and rewriting janus ops in a module (a plain walk: cheaper than pattern sets and
folds nothing behind our back)."""

from __future__ import annotations

from iree.compiler import ir

from ..dialects.walk import walk


def ops_named(root: ir.Operation, prefix: str) -> list[ir.Operation]:
    """Every op (pre-order, nested regions included) whose name starts with `prefix`."""
    return [op for op in walk(root) if op.name.startswith(prefix)]


def replace_op(op: ir.Operation, values: list[ir.Value]) -> None:
    """Replace every use of `op`'s results by `values`, then erase `op`."""
    for old, new in zip(op.results, values, strict=True):
        old.replace_all_uses_with(new)
    op.erase()
