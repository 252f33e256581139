"""The op registry; importing this package registers every op family."""

from . import creation, elementwise, linalg  # noqa: F401  (registration side effects)
from .registry import OPS, OpRule, defop, lookup

__all__ = ["OPS", "OpRule", "defop", "lookup"]
