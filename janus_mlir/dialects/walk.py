"""Walking nested IR: the one pre-order traversal the verifier, the passes and the runtime's IR
checks share.

The walk keeps its own stack instead of recursing, so IR nested deeper than Python's recursion
limit (about 1,000 frames) is walked like any other.
"""

from __future__ import annotations

from collections.abc import Iterator

from iree.compiler import ir


def walk(op: ir.Operation) -> Iterator[ir.Operation]:
    """Every operation nested inside `op` (pre-order), not `op` itself."""
    pending = [_children(op)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            continue
        yield child
        pending.append(_children(child))


def _children(op: ir.Operation) -> Iterator[ir.Operation]:
    """The operations directly inside `op`'s regions, in order."""
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                yield child.operation
