"""A compiled graph: a converted call lowered, compiled by IREE, loaded, and callable.

It knows which sources feed its arguments, which guards must hold before it may answer a call
(entry guards: the signature; assumptions: the speculation), and how to turn its results back into
the Python value the function returns.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from iree.compiler import ir

from ..frontend.convert import ConvertedGraph, rebuild
from ..frontend.sources import Frame, Guard
from ..frontend.values import NP_SCALAR, PY_SCALAR
from ..passes import lower_to_iree_input
from .compiler import compile_ir
from .module import LoadedModule
from .targets import Target, device_available


class DeviceUnavailable(RuntimeError):
    """The graph compiled for its target, but no such device exists in this process."""


class CompiledGraph:
    def __init__(self, converted: ConvertedGraph, target: Target, name: str):
        self.converted = converted
        self.target = target
        self.name = name
        self._janus_ir = str(converted.module)
        with converted.module.context:
            lowered = ir.Module.parse(self._janus_ir)
            lower_to_iree_input(lowered)
            self._lowered_ir = str(lowered)
        start = time.perf_counter()
        self.compiled = compile_ir(self._lowered_ir, target, name=name)
        self.compile_seconds = time.perf_counter() - start
        if not device_available(target.name):
            raise DeviceUnavailable(
                f"compiled for {target.name} ({len(self.compiled.vmfb)} bytes), but no "
                f"{target.name} device is available here; calls run as plain Python")
        self.module = LoadedModule(self.compiled)
        self.guard_failures = 0

    # --- the public face (API.md) -----------------------------------------------------------
    @property
    def assumptions(self) -> list[str]:
        """What this graph speculated, each with the user's file:line."""
        c = self.converted
        return ([f"{g.describe()} (checked on entry)" for g in c.assumptions]
                + [g.describe() for g in c.in_graph_guards])

    @property
    def signature(self) -> list[str]:
        return [g.describe() for g in self.converted.entry_guards]

    def ir(self, stage: str = "janus") -> str:
        if stage == "janus":
            return self._janus_ir
        if stage == "lowered":
            return self._lowered_ir
        raise ValueError(f"unknown IR stage {stage!r}; use 'janus' or 'lowered'")

    # --- calling ----------------------------------------------------------------------------
    def frame(self, params: dict[str, Any]) -> Frame:
        return Frame(params, self.converted.functions)

    def matches(self, frame: Frame) -> bool:
        return all(g.check(frame) for g in self.converted.entry_guards)

    def failed_assumption(self, frame: Frame) -> Guard | None:
        for g in self.converted.assumptions:
            if not g.check(frame):
                return g
        return None

    def key_on(self, source: Any) -> None:
        """Turn the value assumption on `source` into an entry guard (part of the signature)."""
        c = self.converted
        moved = [g for g in c.assumptions if g.source == source]
        c.assumptions = [g for g in c.assumptions if g.source != source]
        c.entry_guards = [*c.entry_guards, *moved]

    def run(self, frame: Frame) -> Any:
        """Run the graph for this call; raises runtime.module.GuardFailure if a guard fails."""
        args = [_argument(inp.source.get(frame), inp.spec.dtype)
                for inp in self.converted.inputs]
        results = self.module(*args)
        values = [_as_returned(r, kind) for r, kind in zip(results, self.converted.output_kinds)]
        return rebuild(self.converted.output_template, values, frame)


def _argument(value: Any, dtype: np.dtype) -> np.ndarray:
    if type(value) is np.ndarray:
        return value
    return np.asarray(value, dtype=dtype)


def _as_returned(array: np.ndarray, kind: str) -> Any:
    if kind == PY_SCALAR:
        return array.item()
    if kind == NP_SCALAR:
        return array[()]
    return array
