"""The profiler: what the profiling calls saw, per site of the function's source.

A profiling call runs an instrumented copy of the function instead of the function itself — the
same code, with a probe around each construct the converter will speculate on:

- `if`/`while` tests and conditional expressions: how often the test was true and false;
- `for` loops: the trip count of each execution of the loop;
- calls: which callables were called there (and a Python helper called is itself run as an
  instrumented copy, so its sites are profiled under its own scope, as the converter inlines it);
- assignments to a name: the type (and shape and dtype, for arrays) of each value assigned.

Each probe returns exactly what the construct would have seen (a test's truth value is taken
once, as `if` takes it; a loop's iterator is the one `for` would use), so the function runs
exactly once per call with the same effects, results and exceptions as the plain call. The
copy shares the function's globals and closure cells; the probe reaches it through a closure
cell of its own, so nothing is added to the user's module.

Sites are keyed by `Site(scope, line, col, kind)`: the same key names the same construct in
later conversions of the function (the stable key of an assumption).
"""

from __future__ import annotations

import ast
import inspect
import types
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .function_source import SourceUnavailable, function_ast

PROBE = "__janus_probe"
SITE = "__janus_site"


@dataclass(frozen=True, order=True)
class Site:
    """A construct of the source: where it is and what was observed there."""

    scope: str
    line: int
    col: int
    kind: str  # "branch", "trips", "callee", "value"

    def __str__(self) -> str:
        return f"{self.scope}:{self.line}:{self.col} ({self.kind})"


def value_summary(v: Any) -> tuple[Any, ...]:
    """What a value looks like to the converter: its type, and shape/dtype for arrays."""
    if isinstance(v, np.ndarray):
        return (np.ndarray, v.shape, v.dtype.str)
    return (type(v),)


@dataclass
class Profile:
    """Everything the profiling calls of one function observed, by site."""

    calls: int = 0
    branches: dict[Site, Counter] = field(default_factory=dict)  # True/False -> count
    trips: dict[Site, Counter] = field(default_factory=dict)  # trip count -> count
    callees: dict[Site, Counter] = field(default_factory=dict)  # qualified name -> count
    values: dict[Site, Counter] = field(default_factory=dict)  # value_summary -> count

    def always(self, site: Site) -> bool | None:
        """The outcome a branch always had while profiling, or None (both, or never run)."""
        seen = self.branches.get(site)
        if not seen or len(seen) != 1:
            return None
        return next(iter(seen))

    def stable_trips(self, site: Site) -> int | None:
        """The one trip count a loop always had, or None."""
        seen = self.trips.get(site)
        return next(iter(seen)) if seen and len(seen) == 1 else None


class Probe:
    """The object the instrumented code calls; it records into a Profile."""

    def __init__(self, profile: Profile):
        self.profile = profile
        self.copies: dict[int, tuple[Any, Any]] = {}  # id(helper) -> (helper, its copy)

    def branch(self, site: Site, test: Any) -> bool:
        outcome = bool(test)  # the one truth test `if`/`while` would do
        self.profile.branches.setdefault(site, Counter())[outcome] += 1
        return outcome

    def trips(self, site: Site, iterable: Iterable[Any]) -> Iterator[Any]:
        return _Counted(iter(iterable), self.profile.trips.setdefault(site, Counter()))

    def callee(self, site: Site, fn: Any) -> Any:
        name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
        self.profile.callees.setdefault(site, Counter())[name] += 1
        return self._profiled(fn)

    def _profiled(self, fn: Any) -> Any:
        """The helper to call: a Python function's instrumented copy (its sites keyed by its
        own scope, as the converter inlines it), a bound method's bound to the same object;
        anything else as it is."""
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
            copy = self._copy(fn.__func__)
            return fn if copy is fn.__func__ else types.MethodType(copy, fn.__self__)
        if isinstance(fn, types.FunctionType):
            return self._copy(fn)
        from ..autodiff.reverse import GradFunction

        if isinstance(fn, GradFunction):  # jm.grad(f): f is converted inline, so profile it
            return GradFunction(self._profiled(fn.fn), fn.argnums, fn.has_aux, fn.with_value)
        return fn

    def _copy(self, fn: types.FunctionType) -> Any:
        known = self.copies.get(id(fn))
        if known is not None and known[0] is fn:
            return known[1]
        copy = None
        # Module-level helpers only: a nested def is converted under its parent's scope.
        if "<locals>" not in fn.__qualname__ and not (fn.__module__ or "").startswith(
                ("numpy", "janus_mlir")):
            copy = instrument(fn, f"{fn.__module__}.{fn.__qualname__}", self.profile, self)
        self.copies[id(fn)] = (fn, copy or fn)
        return copy or fn

    def value(self, site: Site, v: Any) -> Any:
        self.profile.values.setdefault(site, Counter())[value_summary(v)] += 1
        return v


class _Counted:
    """An iterator that counts its items and records the count when the loop ends: at
    exhaustion, at `break` (the iterator is dropped) or when the body raises."""

    def __init__(self, it: Iterator[Any], into: Counter):
        self.it, self.into, self.n, self.done = it, into, 0, False

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        try:
            item = next(self.it)
        except StopIteration:
            self._record()
            raise
        self.n += 1
        return item

    def _record(self) -> None:
        if not self.done:
            self.done = True
            self.into[self.n] += 1

    def __del__(self) -> None:
        self._record()


# ---------------------------------------------------------------------------------------------
# Instrumentation
# ---------------------------------------------------------------------------------------------


class _Instrument(ast.NodeTransformer):
    """Wraps each speculated construct of the function's body, nested defs and lambdas
    included, in a probe call (classes are left as they are: their methods are helpers of
    their own scope)."""

    def __init__(self, scope: str):
        self.scope = scope

    def _site(self, node: ast.AST, kind: str) -> ast.expr:
        return ast.Call(ast.Name(SITE, ast.Load()), [
            ast.Constant(self.scope), ast.Constant(node.lineno), ast.Constant(node.col_offset),
            ast.Constant(kind)], [])

    def _probe(self, method: str, node: ast.AST, kind: str, value: ast.expr) -> ast.expr:
        call = ast.Call(ast.Attribute(ast.Name(PROBE, ast.Load()), method, ast.Load()),
                        [self._site(node, kind), value], [])
        return ast.copy_location(call, value)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        # A nested def or lambda is converted in place under its parent's scope, so its sites
        # are recorded under that scope too; its probe is a closure cell of the copy.
        return self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return node  # never converted

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        return node

    def visit_If(self, node: ast.If) -> ast.AST:
        self.generic_visit(node)
        node.test = self._probe("branch", node, "branch", node.test)
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.test = self._probe("branch", node, "branch", node.test)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        node.test = self._probe("branch", node, "branch", node.test)
        return node

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.iter = self._probe("trips", node, "trips", node.iter)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        node.func = self._probe("callee", node, "callee", node.func)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        self.generic_visit(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            node.value = self._probe("value", node.targets[0], "value", node.value)
        return node


def instrument(fn: types.FunctionType, scope: str, profile: Profile,
               probe: Probe | None = None) -> Callable[..., Any] | None:
    """A copy of `fn` that records into `profile` as it runs, or None when the function cannot
    be instrumented (no source, a generator or coroutine, a decorator in the way). The Python
    helpers it calls are profiled the same way, through one `probe` (their copies are made on
    their first call and kept)."""
    if (inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn)
            or inspect.isasyncgenfunction(fn)):
        return None
    try:
        node = function_ast(fn)
    except SourceUnavailable:
        return None
    if not isinstance(node, ast.FunctionDef) or node.name != fn.__name__:
        return None
    node.decorator_list = []
    node = _Instrument(scope).visit(node)
    code = fn.__code__
    # A factory whose parameters are the probe and the function's free variables, so that the
    # copy's free variables are cells: the function's own, and one holding the probe.
    free = (PROBE, SITE, *code.co_freevars)
    factory = ast.FunctionDef(
        name="__janus_factory",
        args=ast.arguments(posonlyargs=[], args=[ast.arg(a) for a in free], kwonlyargs=[],
                           kw_defaults=[], defaults=[]),
        body=[node, ast.Return(ast.Name(fn.__name__, ast.Load()))], decorator_list=[],
        returns=None)
    module = ast.Module([factory], type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        compiled = compile(module, code.co_filename, "exec")
    except SyntaxError:
        return None
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    inner = next((c for c in factory_code.co_consts if isinstance(c, types.CodeType)
                  and c.co_name == fn.__name__), None)
    if inner is None:
        return None
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    cells[PROBE] = types.CellType(probe or Probe(profile))
    cells[SITE] = types.CellType(Site)
    try:
        closure = tuple(cells[name] for name in inner.co_freevars)
    except KeyError:
        return None
    copy = types.FunctionType(inner, fn.__globals__, fn.__name__, fn.__defaults__, closure)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__dict__.update(fn.__dict__)
    return copy
