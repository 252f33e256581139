"""The pass registry: every janus pass, named by its command-line flag, registered in one place.

A pass is a small frozen dataclass: `name` is its flag, its fields are its options (set from
`--name=opt=value` or `name{opt=value}` in a pipeline). `run(module)` rewrites the module in place.
Upstream MLIR passes (canonicalize, cse, ...) are run through IREE's PassManager by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import ClassVar

from iree.compiler import ir


class PassError(Exception):
    """A pass could not do its job; carries the location of the op it failed on."""

    def __init__(self, message: str, location: ir.Location | None = None):
        super().__init__(message)
        self.location = location


@dataclass(frozen=True)
class Pass(ABC):
    name: ClassVar[str]
    summary: ClassVar[str]

    @abstractmethod
    def run(self, module: ir.Module) -> None:
        """Rewrite `module` in place; raise PassError on failure."""

    @classmethod
    def options(cls) -> dict[str, type]:
        return {f.name: f.type for f in fields(cls)}


PASSES: dict[str, type[Pass]] = {}


def register(cls: type[Pass]) -> type[Pass]:
    if cls.name in PASSES:
        raise ValueError(f"pass {cls.name!r} registered twice")
    PASSES[cls.name] = cls
    return cls
