"""Loading a compiled module and calling its entry function with NumPy arrays.

A failed `cf.assert` that came from a janus guard surfaces as `GuardFailure` carrying the decoded
assumption; any other runtime error propagates unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import iree.runtime as rt
import numpy as np

from ..passes.lower_guards import decode_guard_message
from .compiler import CompiledModule


@dataclass(frozen=True)
class FailedGuard:
    id: int
    kind: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} assumption failed: {self.message}"


class GuardFailure(Exception):
    def __init__(self, guard: FailedGuard):
        super().__init__(str(guard))
        self.guard = guard


_CONFIGS: dict[str, rt.Config] = {}


def _config(driver: str) -> rt.Config:
    # One VM instance and device per driver for the whole process (device creation is costly).
    if driver not in _CONFIGS:
        _CONFIGS[driver] = rt.Config(driver)
    return _CONFIGS[driver]


class LoadedModule:
    """A compiled module loaded into its own VM context, ready to call."""

    def __init__(self, compiled: CompiledModule, entry: str = "main", driver: str | None = None):
        self.compiled = compiled
        self.driver = driver or compiled.target.driver
        cfg = _config(self.driver)
        self._ctx = rt.SystemContext(config=cfg)
        self._ctx.add_vm_module(rt.VmModule.copy_buffer(cfg.vm_instance, compiled.vmfb))
        self._fn = self._ctx.modules.module[entry]

    def __call__(self, *args: np.ndarray) -> list[np.ndarray]:
        """Call the entry function; results come back as host NumPy arrays."""
        try:
            out = self._fn(*[_as_input(a) for a in args])
        except RuntimeError as e:
            decoded = decode_guard_message(str(e))
            if decoded is None:
                raise
            raise GuardFailure(FailedGuard(**decoded)) from None
        if out is None:
            return []
        results = out if isinstance(out, (tuple, list)) else (out,)
        return [np.asarray(r.to_host()) if hasattr(r, "to_host") else np.asarray(r)
                for r in results]


def _as_input(a: np.ndarray) -> np.ndarray:
    arr = np.asarray(a)
    return np.ascontiguousarray(arr)


def load(compiled: CompiledModule, entry: str = "main") -> LoadedModule:
    return LoadedModule(compiled, entry)


def invoke(module: LoadedModule, args: Sequence[np.ndarray]) -> list[np.ndarray]:
    return module(*args)
