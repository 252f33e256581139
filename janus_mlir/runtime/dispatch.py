"""JanusFunction: the path of one call (DESIGN.md), a short driver over the graph cache
(cache.py: graphs and what was learnt per signature) and one graph call (call.py).

    entry guards -> graph cache
      hit  -> assumptions hold? -> run the graph -> in-graph guards pass? -> return
              any check fails   -> run the function as plain Python (a fallback), relax, rebuild
      miss -> run as plain Python under the profiler -> enough profile? -> convert -> compile

Nothing a graph computes is visible until it has finished with every guard passing, so a
fallback re-runs the call from a clean slate. Whatever goes wrong inside janus (an unconvertible
construct, a compiler error) is recorded as a reason and the call runs as plain Python: the user
only ever sees what the undecorated function does.
"""

from __future__ import annotations

import inspect
import logging
import time
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from .. import config
from ..frontend.convert import convert
from ..speculation.graph_spec import GraphSpec
from ..frontend.errors import (NeedsCarry, NeedsDynamic, NeedsLaterCall, NeedsProfile,
                               NeedsStatic, Unconvertible)
from ..speculation.policy import Step
from ..speculation.assumptions import Guard
from ..speculation.sources import Param, Source
from ..speculation.profile import instrument
from .cache import GraphCache, SignatureState
from .call import Ending, call
from .compiler import CompileError
from .graph import CompiledGraph, DeviceUnavailable
from .reasons import Reason
from .short_path import MISSED
from .speed import SpeedCheck
from .targets import Target, get_target

log = logging.getLogger("janus_mlir")

# A branch on array data that no profiled call reached gets this many more profiling calls.
MAX_PROFILE_CALLS = 3


@dataclass
class Stats:
    calls: int = 0
    graph_calls: int = 0
    imperative_calls: int = 0
    fallbacks: int = 0
    compilations: int = 0
    recompilations: int = 0  # compilations after the first: a new signature or a relaxation


class JanusFunction:
    def __init__(self, fn: types.FunctionType, target: str = "llvm-cpu"):
        if not isinstance(fn, types.FunctionType):
            raise TypeError(f"janus_mlir.compile needs a Python function, got {type(fn).__name__}")
        self.fn = fn
        self.target: Target = get_target(target)
        self.stats = Stats()
        self.cache = GraphCache()
        self.reasons: list[str] = []  # why calls ran as plain Python, newest last
        self.speed = SpeedCheck(enabled=config.current().speed_check)
        self._signature = inspect.signature(fn)
        kinds = [p.kind for p in self._signature.parameters.values()]
        simple = all(k is inspect.Parameter.POSITIONAL_OR_KEYWORD for k in kinds)
        self._positional: tuple[str, ...] | None = (
            tuple(self._signature.parameters) if simple else None)
        self.__wrapped__ = fn
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(self, attr, getattr(fn, attr))

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return types.MethodType(self, obj)

    def __repr__(self) -> str:
        return f"<janus_mlir.compile {self.fn.__qualname__}>"

    # --- the call path ----------------------------------------------------------------------
    @property
    def graphs(self) -> list[CompiledGraph]:
        return self.cache.graphs

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.stats.calls += 1
        speed = self.speed
        if not kwargs and not speed.active:
            graphs = self.cache.graphs  # the first graph's short path (CompiledGraph.fast)
            if graphs and (fast := graphs[0].fast) is not None:
                result = fast(args)
                if result is not MISSED:
                    self.stats.graph_calls += 1
                    return result
        if speed.active and speed.run_plain():
            return self._plain_instead(args, kwargs)
        start = time.perf_counter() if speed.active else 0.0
        params = self._bind(args, kwargs)
        if params is None:
            return self._imperative(args, kwargs)  # raises the same TypeError
        hit = self.cache.find(params)
        if hit is None:
            if self.cache.capped is not None:
                return self._imperative(args, kwargs)
            return self._profile_and_build(params, args, kwargs)
        graph, frame = hit
        result, miss = call(graph, frame)
        if miss is None:
            self.stats.graph_calls += 1
            if speed.active:
                speed.graph_call(time.perf_counter() - start)
            return result
        if miss.ending is Ending.NO_TRIP:
            # A loop that ran zero times where the graph needs one trip: there is no more
            # relaxed form, and the graph stays right for every other call.
            self.stats.fallbacks += 1
            self._note("fallback", miss.reason)
            return self._imperative(args, kwargs)
        if miss.ending is Ending.BRANCH:
            return self._unspeculate(graph, params, args, kwargs, miss.reason, miss.site)
        if miss.ending is Ending.BROKEN:
            self._note("internal error", miss.reason)
            self.graphs.remove(graph)
            self.cache.state_for(params).unconvertible = f"graph {graph.name} failed when run"
            return self._imperative(args, kwargs)
        return self._fallback(graph, params, args, kwargs, miss.reason, miss.failed)

    def _bind(self, args: tuple, kwargs: dict) -> dict[str, Any] | None:
        fast = self._positional  # positional-only calls of a plain signature: no inspect
        if not kwargs and fast is not None and len(args) == len(fast):
            return dict(zip(fast, args, strict=True))
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:
            return None
        bound.apply_defaults()
        return dict(bound.arguments)

    def _plain_instead(self, args: tuple, kwargs: dict) -> Any:
        """A call the graphs could answer, run as plain Python: they are slower (runtime/speed.py),
        or this call is one of the plain samples that measure it."""
        speed = self.speed
        if speed.plain_mode:
            return self._imperative(args, kwargs)
        start = time.perf_counter()
        try:
            return self._imperative(args, kwargs)
        finally:
            verdict = speed.plain_call(time.perf_counter() - start)
            if verdict is not None:
                self._note("slower", verdict)

    def _imperative(self, args: tuple, kwargs: dict) -> Any:
        self.stats.imperative_calls += 1
        return self.fn(*args, **kwargs)

    def _profiled(self, profile: SignatureState, args: tuple, kwargs: dict) -> Any:
        """The call as plain Python, through the instrumented copy that records the profile
        (the same effects, result and exceptions; the function itself where it cannot be
        instrumented)."""
        self.stats.imperative_calls += 1
        if profile.runner is None:
            profile.runner = instrument(self.fn, "", profile.profile) or self.fn
        profile.profile.calls += 1
        return profile.runner(*args, **kwargs)

    def _unspeculate(self, graph: CompiledGraph, params: dict[str, Any], args: tuple,
                     kwargs: dict, reason: str, site: Any) -> Any:
        """A speculated branch went the other way: run as plain Python; the next conversion
        no longer speculates on that site."""
        self.stats.fallbacks += 1
        self._note("fallback", reason)
        self.graphs.remove(graph)
        profile = self._profile_for(params)
        profile.policy.branch_failed(site)
        return self._run_then_compile(profile, self._convert(params, profile), args, kwargs)

    def _run_then_compile(self, profile: SignatureState, converted: GraphSpec | None,
                          args: tuple, kwargs: dict) -> Any:
        """The call as plain Python (profiled), then the graph converted before it compiled:
        conversion reads the heap as the call began, compiling waits for the call's answer."""
        result = self._profiled(profile, args, kwargs)  # raises like the plain call
        if converted is not None:
            self._compile(converted, profile)
        return result

    def _fallback(self, graph: CompiledGraph, params: dict[str, Any], args: tuple, kwargs: dict,
                  reason: str, failed: Guard | None) -> Any:
        """An assumption failed: run as plain Python; rebuild with the assumption relaxed.

        The new graph is converted before the plain call runs, so it sees the heap as the call
        began (conversion runs no user code), and compiled after it."""
        self.stats.fallbacks += 1
        self._note("fallback", reason)
        if failed is None:
            return self._imperative(args, kwargs)
        relax = failed.source
        self.graphs.remove(graph)
        profile = self._profile_for(params)
        step = profile.policy.failed(failed)
        converted = None
        if step is Step.STOP:
            profile.unconvertible = (f"{relax} changed on {profile.policy.failures[failed.key]} "
                                     "calls; it is no longer speculated on and the function "
                                     "runs as plain Python")
            self._note("not converted", profile.unconvertible)
        else:
            scalar = step is Step.RUNTIME_INPUT
            converted = self._convert(params, profile, relaxed=relax if scalar else None)
        result = self._run_then_compile(profile, converted, args, kwargs)
        if relax in profile.policy.keyed:
            # The value had to stay a constant: the old graph remains right for its own value,
            # which is now part of its signature rather than speculation.
            graph.key_on(relax)
            self.graphs.append(graph)
        return result

    def _profile_and_build(self, params: dict[str, Any], args: tuple, kwargs: dict) -> Any:
        profile = self._profile_for(params)
        profile.calls += 1
        for name, value in params.items():
            if type(value) in (bool, int, float):
                profile.scalar_values.setdefault(Param(name), set()).add((type(value), value))
        converted = None
        for note in self.cache.relax_on_miss(params, profile):
            self._note("relaxed", note)
        if profile.unconvertible is None and profile.calls >= config.current().profile_calls:
            for source, seen in profile.scalar_values.items():
                if len(seen) > 1:  # varied while profiling: do not speculate on its value
                    profile.policy.dynamic.add(source)
            converted = self._convert(params, profile)  # before the call changes the heap
        return self._run_then_compile(profile, converted, args, kwargs)

    def _profile_for(self, params: dict[str, Any]) -> SignatureState:
        return self.cache.state_for(params)

    def _convert(self, params: dict[str, Any], profile: SignatureState,
                 relaxed: Source | None = None) -> GraphSpec | None:
        """Convert this call's signature (no user code runs); record why if we cannot."""
        for _ in range(8):  # each NeedsStatic moves one scalar from run-time input to signature
            try:
                return self._convert_attempt(params, profile)
            except NeedsProfile as e:
                profile.extra_profiles += 1
                if profile.extra_profiles <= MAX_PROFILE_CALLS:  # the next call tries again
                    self._note("profiling", f"one more call: {e}")
                    return None
                # Still unseen: convert both sides (the relaxed form) instead of guessing.
                profile.policy.relax_unseen = True
            except NeedsLaterCall as e:
                profile.extra_profiles += 1
                if profile.extra_profiles <= MAX_PROFILE_CALLS:  # the next call tries again
                    self._note("not converted yet", f"trying again on the next call: {e}")
                    return None
                profile.unconvertible = str(e)
                self._note("not converted", str(e))
                return None
            except NeedsStatic as e:
                profile.policy.needs_constant(e.source)
            except NeedsDynamic as e:  # the call itself changes a speculated constant
                profile.policy.dynamic.add(e.source)
            except NeedsCarry as e:
                if not profile.policy.carry(e.site, e.name):
                    profile.unconvertible = str(e)
                    self._note("not converted", str(e))
                    return None
            except Unconvertible as e:
                if relaxed is not None and relaxed in profile.policy.dynamic:
                    # As a run-time input the value stops the conversion: key on it instead.
                    profile.policy.needs_constant(relaxed)
                    relaxed = None
                    continue
                speculated = [s for s in profile.scalar_values
                              if s not in profile.policy.dynamic | profile.policy.keyed]
                if speculated and relaxed is None:
                    # Perhaps only this call's values stop it (10.0 ** a raises for a = 400):
                    # try once with the scalar arguments as run-time inputs.
                    profile.policy.dynamic.update(speculated)
                    relaxed = speculated[0]
                    continue
                profile.unconvertible = str(e)
                self._note("not converted", str(e))
                return None
            except Exception as e:  # a janus bug must not change what the user's code does
                profile.unconvertible = f"internal error: {type(e).__name__}: {e}"
                self._note("internal error", f"{type(e).__name__}: {e}")
                log.debug("janus internal error", exc_info=True)
                return None
        profile.unconvertible = "too many values needed as constants"
        self._note("not converted", profile.unconvertible)
        return None

    def _convert_attempt(self, params: dict[str, Any], profile: SignatureState) -> GraphSpec:
        """convert(); where symbolic dims stop it, again with static shapes (for good)."""
        try:
            return convert(self.fn, params, profile.policy, profile.profile)
        except (NeedsProfile, NeedsStatic, NeedsCarry, NeedsDynamic, NeedsLaterCall):
            raise
        except Exception as e:
            if not profile.policy.symbolic:
                raise
            profile.static_shapes = f"{type(e).__name__}: {e}"
            profile.policy.symbolic.clear()
            self._note("static shapes", f"symbolic dims given up, one graph per shape: "
                       f"{profile.static_shapes}")
            log.debug("symbolic conversion failed", exc_info=True)
            return convert(self.fn, params, profile.policy, profile.profile)

    def _compile(self, converted: GraphSpec, profile: SignatureState) -> None:
        cap = config.current().max_graphs
        if self.stats.compilations >= cap:
            if self.cache.capped is None:
                self.cache.capped = (f"{self.fn.__qualname__} was compiled {cap} times (the cap, "
                               "JANUS_MLIR_MAX_GRAPHS); calls its graphs do not answer run as "
                               "plain Python from now on")
                self._note("not compiled", self.cache.capped)
                warnings.warn(f"janus_mlir: {self.cache.capped}; see {self.fn.__qualname__}"
                              ".explain() for what changed between the compilations",
                              RuntimeWarning, stacklevel=4)
            return
        try:
            graph = CompiledGraph(converted, self.target, f"{self.fn.__name__}_{len(self.graphs)}",
                                  positional=self._positional)
        except (CompileError, DeviceUnavailable) as e:
            profile.unconvertible = f"{type(e).__name__}: {e}"
            self._note("not compiled", profile.unconvertible)
            return
        except Exception as e:  # a janus bug must not change what the user's code does
            profile.unconvertible = f"internal error: {type(e).__name__}: {e}"
            self._note("internal error", f"{type(e).__name__}: {e}")
            log.debug("janus internal error", exc_info=True)
            return
        if self.stats.compilations:
            self.stats.recompilations += 1
            self._note("recompilation", f"graph {graph.name} for this call's signature and "
                       "assumptions")
        self.stats.compilations += 1
        self.graphs.append(graph)
        self.speed.compiled()
        _dump(graph)

    def _note(self, kind: str, detail: str) -> None:
        reason = Reason(kind, detail)
        self.reasons.append(reason)
        del self.reasons[:-100]
        log.info("%s: %s", self.fn.__qualname__, reason)

    def explain(self) -> None:
        """Print, per graph, its signature and assumptions, then every fallback, refusal and
        recompilation with its reason (also `janus_mlir.explain(fn)`)."""
        print(self.explanation())

    def explanation(self) -> str:
        s = self.stats
        lines = [f"{self.fn.__qualname__}: {s.calls} calls, {s.graph_calls} answered by a graph, "
                 f"{s.imperative_calls} as plain Python ({s.fallbacks} fallbacks); "
                 f"{s.compilations} compilations ({s.recompilations} recompilations)"]
        for graph in self.graphs:
            lines.append(f"  graph {graph.name}:")
            lines += [f"    signature: {g}" for g in graph.signature]
            lines += [f"    assumes: {a}" for a in graph.assumptions]
            lines += [f"    commits: {e}" for e in graph.spec.effect_notes]
        lines += [f"  {r}" for r in self.reasons]
        return "\n".join(lines)


def _dump(graph: CompiledGraph) -> None:
    dump_dir: Path | None = config.current().dump_dir
    if dump_dir is None:
        return
    dump_dir.mkdir(parents=True, exist_ok=True)
    (dump_dir / f"{graph.name}.janus.mlir").write_text(graph.ir("janus"))
    (dump_dir / f"{graph.name}.lowered.mlir").write_text(graph.ir("lowered"))
    (dump_dir / f"{graph.name}.assumptions.txt").write_text(
        "\n".join(graph.signature + graph.assumptions) + "\n")


def compile(fn: Callable | None = None, *, target: str = "llvm-cpu") -> Any:  # noqa: A001
    """Decorator: `@compile` or `@compile(target="cuda")`."""
    if fn is None:
        return lambda f: JanusFunction(f, target)
    return JanusFunction(fn, target)
