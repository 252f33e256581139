"""Walking nested IR: the one pre-order traversal the verifier, the passes and the runtime's IR
checks share."""

from __future__ import annotations

from collections.abc import Iterator

from iree.compiler import ir


def walk(op: ir.Operation) -> Iterator[ir.Operation]:
    """Every operation nested inside `op` (pre-order), not `op` itself."""
    for region in op.regions:
        for block in region.blocks:
            for child in block.operations:
                child = child.operation
                yield child
                yield from walk(child)
