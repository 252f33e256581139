"""A compiled graph: a converted call lowered, compiled by IREE, loaded, and callable.

It knows which sources feed its arguments, which guards must hold before it may answer a call
(entry guards: the signature; assumptions: the speculation), and how to turn its results back into
the Python value the function returns.

Two things IREE does that NumPy never would are undone here, on every call:
- **Shared result buffers.** After CSE, two results the output template keeps apart (`x + 1,
  x + 1`; `np.floor(i), i.astype(np.int64)` on integers) are one SSA value, and IREE returns
  one buffer twice. When a graph has more than one array result, a result that may share memory
  with an earlier one (a bounds check on the buffer addresses, `np.may_share_memory`, not an
  element scan) is copied, so writing one never changes another. An identity or reshape may
  also come back as an argument's buffer: runtime.invoke copies such a result when that buffer
  is the caller's memory or a reused staging array (IREE's own path copies every NumPy input).
- **Limits.** A module whose dispatches exceed IREE's runtime limits (DispatchLimitExceeded) is
  recompiled once with compiler.NARROW_DISPATCH_FLAGS, at load or, for dynamic shapes, at the
  first call that records such a dispatch.

A call whose arguments cannot be passed as the graph declares them raises ArgumentMismatch
(runtime.module), before anything runs: the dispatcher treats it as a failed entry guard.

What a cache hit does on the host is decided once per graph (runtime.plan): the entry guards
and the assumptions are closures, each input has a getter, and when the entry guards already
pin every input to the module's declared static shape and dtype, arguments go to the module
unconverted. A graph whose module computes nothing observable (`return x`) is not invoked.
Where every source leads from the call's positional arguments and nothing is drawn, the whole
hit is one closure, `fast` (runtime/short_path.py), which the dispatcher tries first.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from iree.compiler import ir

from ..speculation.graph_spec import ARRAY, GraphSpec
from ..speculation.sources import Frame, Param, getter
from .. import config
from ..passes import lower_to_iree_input
from ..passes.host_matmuls import HostMatmuls
from ..passes.lower_state import read_plan
from .compiler import NARROW_DISPATCH_FLAGS, CompiledModule, CompileError, compile_ir
from .module import ArgumentMismatch, DispatchLimitExceeded, LoadedModule
from . import commit, generators, plan, state
from . import short_path
from .values import argument, unshared
from .targets import Target, device_available, module_flags


class DeviceUnavailable(RuntimeError):
    """The graph compiled for its target, but no such device exists in this process."""


class Executable:
    """Lowered IR compiled by IREE and loaded into its own context: what a graph calls.

    When IREE's runtime refuses one of the module's dispatches (DispatchLimitExceeded), at load
    or at a call, the module is recompiled once with NARROW_DISPATCH_FLAGS and loaded again.
    """

    def __init__(self, lowered_ir: str, target: Target, name: str):
        self.lowered_ir, self.target, self.name = lowered_ir, target, name
        self.narrowed = False
        self.compile_seconds = 0.0
        self.compiled = self._compile(())
        if not device_available(target.name):
            raise DeviceUnavailable(
                f"compiled for {target.name} ({len(self.compiled.vmfb)} bytes), but no "
                f"{target.name} device is available here; calls run as plain Python")
        try:
            self.module = LoadedModule(self.compiled)
        except DispatchLimitExceeded:
            self.module = self._narrow()

    def __call__(self, args: list[Any], checked: bool = False) -> list[np.ndarray]:
        """Results of one call as host arrays; ArgumentMismatch (nothing ran) when an argument
        does not fit the module's declaration. checked: the caller has established that every
        argument is already what the module declares (see CompiledGraph), so none is converted.
        """
        if checked:
            prepared = args
        else:
            try:
                prepared = self.module.prepare(args)
            except (TypeError, ValueError, OverflowError) as e:
                raise ArgumentMismatch(str(e)) from None
        try:
            return self.module.call_prepared(prepared)
        except DispatchLimitExceeded as e:  # dynamic shapes: the dispatch is recorded per call
            if self.narrowed:
                raise
            try:
                self.module = self._narrow()
            except CompileError as failed:
                raise DispatchLimitExceeded(f"{e}; narrower fusion did not help: {failed}"
                                            ) from None
            return self.module(*args)

    def _compile(self, flags: tuple[str, ...]) -> CompiledModule:
        start = time.perf_counter()
        flags = (*module_flags(self.target, self.lowered_ir), *flags)
        compiled = compile_ir(self.lowered_ir, self.target, flags, name=self.name)
        self.compile_seconds += time.perf_counter() - start
        return compiled

    def _narrow(self) -> LoadedModule:
        """Recompile with narrower fusion and load that; CompileError if it still exceeds."""
        self.narrowed = True
        self.compiled = self._compile(NARROW_DISPATCH_FLAGS)
        try:
            return LoadedModule(self.compiled)
        except DispatchLimitExceeded as e:
            raise CompileError(f"a dispatch exceeds IREE's runtime limits even with "
                               f"{' '.join(NARROW_DISPATCH_FLAGS)}: {e}") from None


class CompiledGraph:
    """positional: the compiled function's parameter names, where every one is positional or
    keyword and none has a default's special kind (`JanusFunction`): calls that give all of
    them positionally may take the graph's fast path (`fast`)."""

    def __init__(self, spec: GraphSpec, target: Target, name: str,
                 positional: tuple[str, ...] | None = None):
        self.spec = spec
        self.target = target
        self.name = name
        self.positional = positional
        self._janus_ir = str(spec.module)
        with spec.module.context:
            lowered = ir.Module.parse(self._janus_ir)
            lower_to_iree_input(lowered)
            if target.name == "llvm-cpu" and config.current().host_blas:
                HostMatmuls().run(lowered)  # large matmuls of a forward pass: the host's BLAS
            self._write_plan = read_plan(lowered)  # effect id -> its results
            # arrays written in place keep living in the caller's memory (runtime/state.py)
            self.tied = state.tie_written_inputs(lowered, spec, self._write_plan, target)
            self._lowered_ir = str(lowered)
        self.executable = Executable(self._lowered_ir, target, name)
        self.guard_failures = 0
        self._plan()

    def _plan(self) -> None:
        """Decide once what every call does on the host (runtime.plan): one closure for the
        entry guards, one for the assumptions, a getter per input, how results are returned."""
        c = self.spec
        self.matches = plan.all_hold(c.entry_guards)
        self.failed_assumption = plan.first_failing(c.assumptions)
        self._getters = [getter(inp.source) for inp in c.inputs]
        self._generators = generators.generators_of([inp.source for inp in c.inputs])
        self._dtypes = [inp.spec.dtype for inp in c.inputs]
        self._build = commit.finisher(c.output_template, c.output_kinds, c.effects,
                                      self._write_plan)
        kinds = self.result_kinds = commit.result_kinds(c.output_kinds, c.effects,
                                                        self._write_plan)
        self._arrays_may_share = sum(k == ARRAY for k in kinds) > 1
        self._checked = self._inputs_checked_on_entry()
        self._skip = self._nothing_to_run()
        self.fast = short_path.build(c, self.positional, self.executable, self._build, kinds,
                                     self._arrays_may_share, self.tied, self._skip,
                                     bool(self._generators))

    def _inputs_checked_on_entry(self) -> bool:
        """Whether the entry guards alone make every input exactly what the module declares:
        each input is a parameter (read once, whatever reads it) with an `array` entry guard of
        the declared static shape and dtype, C-contiguous, and the module converts nothing."""
        params = [g for g in self.spec.entry_guards if type(g.source) is Param]
        return short_path.pinned(params, [inp.source for inp in self.spec.inputs],
                                 self.executable.module.arg_specs)

    def _nothing_to_run(self) -> bool:
        """A module without results, guards, imports or globals computes nothing observable
        (`return x` of an argument): the call needs no invocation once the entry guards held.
        Unless it draws random numbers: reading its inputs is what draws them, even when the
        values drawn are not used (the generators' state afterwards is observable)."""
        ir_text = self._lowered_ir
        return (not self.result_kinds and not self.spec.in_graph_guards and not self._generators
                and self.executable.module.result_specs == []
                and "private" not in ir_text and "util.global" not in ir_text
                and "cf.assert" not in ir_text)

    @property
    def compile_seconds(self) -> float:
        """Seconds spent compiling this graph's module (cache hits take milliseconds)."""
        return self.executable.compile_seconds

    # --- the public face (API.md) -----------------------------------------------------------
    @property
    def assumptions(self) -> list[str]:
        """What this graph speculated, each with the user's file:line."""
        c = self.spec
        return ([f"{g.describe()} (checked on entry)" for g in c.assumptions]
                + [g.describe() for g in c.in_graph_guards])

    @property
    def signature(self) -> list[str]:
        return [g.describe() for g in self.spec.entry_guards]

    def ir(self, stage: str = "janus") -> str:
        if stage == "janus":
            return self._janus_ir
        if stage == "lowered":
            return self._lowered_ir
        raise ValueError(f"unknown IR stage {stage!r}; use 'janus' or 'lowered'")

    # --- calling ----------------------------------------------------------------------------
    def frame(self, params: dict[str, Any]) -> Frame:
        return Frame(params, self.spec.functions)

    # matches(frame) -> bool and failed_assumption(frame) -> Guard | None are closures made
    # by _plan from the entry guards and the assumptions (runtime.plan).

    def guard_site(self, guard_id: int) -> Any:
        """The speculation site an in-graph guard checks (None for error and bounds guards)."""
        guards = self.spec.in_graph_guards
        return guards[guard_id].site if 0 <= guard_id < len(guards) else None

    def key_on(self, source: Any) -> None:
        """Turn the value assumption on `source` into an entry guard (part of the signature)."""
        c = self.spec
        moved = [g for g in c.assumptions if g.source == source]
        c.assumptions = [g for g in c.assumptions if g.source != source]
        c.entry_guards = [*c.entry_guards, *moved]
        self._plan()

    def run(self, frame: Frame) -> Any:
        """Run the graph for this call (its entry guards and assumptions hold).

        Raises runtime.module.GuardFailure if an in-graph guard fails, and ArgumentMismatch (a
        CannotRun) if an argument cannot be passed as declared; in both cases nothing ran, and
        every random generator it drew from is back in the state it had.
        """
        if not self._generators:
            return self._run(frame)
        restores = generators.save([g for find in self._generators for g in find(frame)])
        try:
            return self._run(frame)
        except BaseException:
            for restore in restores:
                restore()
            raise

    def _run(self, frame: Frame) -> Any:
        if self._skip:
            return self._build([], frame)
        if self._checked:
            args = self._arguments(frame)
        else:
            args = [argument(value, dtype, inp.source) for value, dtype, inp
                    in zip(self._arguments(frame), self._dtypes, self.spec.inputs)]
        results = self.executable(args, checked=self._checked)
        # Results never alias an argument's host array here: IREE copies NumPy arguments, and
        # runtime.invoke copies results that alias an array it passed without a copy, except
        # an array written in place, which comes back as itself (runtime/state.py).
        if self._arrays_may_share:
            in_place = {r for k, r in self.tied.items() if results[r] is args[k]}
            results = unshared(results, self.result_kinds, [], in_place)
        return self._build(results, frame)


    def _arguments(self, frame: Frame) -> list[Any]:
        """Every input's value for this call; an input that cannot be read (computed inputs:
        a stacked list, a schedule) means the graph cannot answer the call."""
        try:
            return [get(frame) for get in self._getters]
        except Exception as e:
            raise ArgumentMismatch(f"an input of the graph cannot be read: {type(e).__name__}: "
                                   f"{e}") from None
