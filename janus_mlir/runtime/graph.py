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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np
from iree.compiler import ir

from ..speculation.graph_spec import ARRAY, GraphSpec
from ..speculation.assumptions import Kind
from ..speculation.sources import Frame, Param, getter
from ..passes import lower_to_iree_input
from ..passes.lower_state import read_plan
from .compiler import NARROW_DISPATCH_FLAGS, CompiledModule, CompileError, compile_ir
from .module import ArgumentMismatch, DispatchLimitExceeded, LoadedModule
from . import commit, generators, plan, state
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


class _Missed:
    def __repr__(self) -> str:
        return "MISSED"


MISSED = _Missed()  # what a graph's fast path returns for a call it does not answer


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
        self.fast = self._fast_path()

    def _fast_path(self) -> Callable[[tuple], Any] | None:
        """A cache hit in one closure, for the graphs whose host work is only checking and
        passing the call's positional arguments: `fast(args)` is the result of the call, or
        MISSED (nothing ran, nothing is visible) where this graph does not answer it the short
        way; the dispatcher then takes the general path (cache.find, call), which runs the
        same guards and the same module and says what went wrong, if anything did.

        It applies where every entry guard and assumption reads only positional arguments,
        every input is one, checked on entry (`_checked`), and the call has no effects, no
        arrays written in place and no random draws: running such a graph twice (here, then
        on the general path after an in-graph guard failed) is invisible. None elsewhere."""
        c, names = self.spec, self.positional
        if names is None or not self._checked or self._generators or c.effects or self.tied:
            return None
        holds = plan.all_hold_positional([*c.entry_guards, *c.assumptions], names)
        if holds is None:
            return None
        position = {name: i for i, name in enumerate(names)}
        order = [position[inp.source.name] for inp in c.inputs]  # Params (_checked)
        in_order = order == list(range(len(names)))
        executable, build, skip = self.executable, self._build, self._skip
        share, kinds = self._arrays_may_share, self.result_kinds
        functions, reads_frame = c.functions, _reads_frame(c.output_template)

        def fast(args: tuple) -> Any:
            if not holds(args):
                return MISSED
            try:
                if skip:
                    results = []
                else:
                    results = executable.module.call_prepared(
                        args if in_order else [args[i] for i in order])
                    if share:
                        results = _unshared(results, kinds, [])
                frame = Frame(dict(zip(names, args)), functions) if reads_frame else None
                return build(results, frame)
            except Exception:  # the general path runs it again and handles what went wrong
                return MISSED
        return fast

    def _inputs_checked_on_entry(self) -> bool:
        """Whether the entry guards alone make every input exactly what the module declares:
        each input is a parameter with an `array` entry guard of the declared static shape and
        dtype, C-contiguous, and the module converts nothing (no DeviceArray to copy)."""
        module = self.executable.module
        specs = module.arg_specs
        if specs is None or len(specs) != len(self.spec.inputs):
            return False
        arrays = {g.source: g.expected for g in self.spec.entry_guards
                  if g.kind == Kind.ARRAY and type(g.source) is Param}
        for inp, spec in zip(self.spec.inputs, specs):
            expected = arrays.get(inp.source)
            if expected is None or not spec.tensor or spec.dtype is None:
                return False
            shape, dtype, c_order = expected
            if not c_order or tuple(shape) != spec.shape or np.dtype(dtype) != spec.dtype:
                return False
        return True

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
            args = [_argument(value, dtype, inp.source) for value, dtype, inp
                    in zip(self._arguments(frame), self._dtypes, self.spec.inputs)]
        results = self.executable(args, checked=self._checked)
        # Results never alias an argument's host array here: IREE copies NumPy arguments, and
        # runtime.invoke copies results that alias an array it passed without a copy, except
        # an array written in place, which comes back as itself (runtime/state.py).
        if self._arrays_may_share:
            in_place = {r for k, r in self.tied.items() if results[r] is args[k]}
            results = _unshared(results, self.result_kinds, [], in_place)
        return self._build(results, frame)


    def _arguments(self, frame: Frame) -> list[Any]:
        """Every input's value for this call; an input that cannot be read (computed inputs:
        a stacked list, a schedule) means the graph cannot answer the call."""
        try:
            return [get(frame) for get in self._getters]
        except Exception as e:
            raise ArgumentMismatch(f"an input of the graph cannot be read: {type(e).__name__}: "
                                   f"{e}") from None


def _reads_frame(template: Any) -> bool:
    """Whether rebuilding the return value from `template` reads the call (a "source" node:
    an argument returned as it is)."""
    if type(template) not in (tuple, list) or not template:
        return False
    tag = template[0]
    if type(tag) is str:
        if tag == "source":
            return True
        if tag == "static":
            return False
    return any(_reads_frame(node) for node in template)


_PY_KINDS = {bool: "b", int: "i", float: "f", complex: "c"}
_LOSSY_INTO = {"f": "biu", "c": "biuf"}  # kind of the value -> dtype kinds it cannot become


def _argument(value: Any, dtype: np.dtype, source: Any) -> np.ndarray:
    """`value` as the array the graph's input takes; ArgumentMismatch when it cannot be one
    without changing its value (a Python int outside the dtype's range, a float into ints)."""
    if type(value) is np.ndarray:
        return value
    dtype_of = getattr(value, "dtype", None)
    kind = dtype_of.kind if isinstance(dtype_of, np.dtype) else _PY_KINDS.get(type(value))
    try:
        if kind is not None and dtype.kind in _LOSSY_INTO.get(kind, ""):
            raise TypeError(f"a {type(value).__name__} value would lose its fractional or "
                            f"imaginary part")
        return np.asarray(value, dtype=dtype)
    except (OverflowError, TypeError, ValueError) as e:
        raise ArgumentMismatch(f"{source}: {value!r} cannot be passed as {dtype}: {e}") from None


def _unshared(results: list[np.ndarray], kinds: list[str], args: list[Any],
              in_place: set[int] | frozenset[int] = frozenset()) -> list[np.ndarray]:
    """`results` with every array result that may share memory with an earlier array result or
    with an argument replaced by a copy: the template makes each result its own object. The
    results `in_place` (caller's arrays written in place, which share memory with no other
    array the graph read) are kept as they are; runtime.invoke copied any result aliasing them."""
    inputs = [a for a in args if type(a) is np.ndarray and a.nbytes]
    kept: list[np.ndarray] = []
    out = []
    for i, (r, kind) in enumerate(zip(results, kinds)):
        if i in in_place:
            out.append(r)
            continue
        if kind == ARRAY and r.nbytes:
            if any(np.may_share_memory(r, other) for other in chain(kept, inputs)):
                r = r.copy()
            kept.append(r)
        out.append(r)
    return out
