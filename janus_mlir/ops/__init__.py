"""The op registry; importing this package registers every op family."""

from . import (  # noqa: F401  (registration side effects)
    arg_reductions,
    creation,
    elementwise,
    indexing,
    linalg,
    reductions,
    shape_ops,
)
from .registry import OPS, OpRule, defop, lookup

__all__ = ["OPS", "OpRule", "defop", "lookup"]
