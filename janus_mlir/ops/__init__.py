"""The op registry; importing this package registers every op family."""

from . import (  # noqa: F401  (registration side effects)
    arg_reductions,
    compaction,
    contraction,
    convolution,
    counting,
    creation,
    elementwise,
    indexing,
    linalg,
    matrix,
    pooling,
    reductions,
    scatter,
    scans,
    shape_ops,
    sorting,
)
from .registry import OPS, OpRule, defop, lookup

__all__ = ["OPS", "OpRule", "defop", "lookup"]
