"""A graph's host-side work for one call, decided once when the graph is built.

Guards and sources are data (speculation/sources.py): readable, comparable, printable. Evaluating
them through `Guard.check` and `Source.get` on every call re-decides each time what kind of
check or path it is; for a cache hit of a tiny graph that was most of janus's own cost. Here
each source becomes a getter closure and each guard a check closure specialised to its kind,
and a graph's entry guards become one closure that runs them in order.

The check closures are the guards' own (`Guard.compiled`, speculation/sources.py: each guard
kind's semantics is written once); an exception while checking (a `len()` of an object
without one, say) means "does not hold", so a surprising object makes the call run as plain
Python rather than fail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

import numpy as np

from ..speculation.assumptions import CHECK_FAILURES, Guard, Kind, compile_check
from ..speculation.sources import Frame, NotReadable, Source, getter
from ..speculation.graph_spec import NP_SCALAR, PY_SCALAR, rebuild

Getter = Callable[[Frame], Any]
Check = Callable[[Frame], bool]

_FAILED = CHECK_FAILURES


def guard_check(guard: Guard) -> Check:
    """A closure with `guard.check`'s answer (False where the check itself raises)."""
    return _safe(guard.compiled)


def _safe(check: Check) -> Check:
    def safe(frame: Frame) -> bool:
        try:
            return bool(check(frame))
        except _FAILED:
            return False
    return safe


def all_hold(guards: Sequence[Guard]) -> Check:
    """One closure: whether every guard holds, checked in order, stopping at the first miss."""
    checks = [g.compiled for g in guards]
    if not checks:
        return lambda frame: True
    if len(checks) == 1:
        return _safe(checks[0])

    def holds(frame: Frame) -> bool:
        try:
            for check in checks:
                if not check(frame):
                    return False
        except _FAILED:
            return False
        return True
    return holds


def positional_getter(names: Sequence[str], functions: dict[str, Any]
                      ) -> Callable[[Source], Callable[[tuple], Any]]:
    """`getter` for a call given as the tuple of its positional arguments, the function's
    parameters `names` in order, with the graph's `functions` (Frame.functions). A source
    that does not lead from those arguments raises NotReadable (a LookupError)."""
    index = {name: i for i, name in enumerate(names)}

    def param(name: str) -> Callable[[tuple], Any]:
        if name not in index:
            raise NotReadable(f"{name} is not a positional parameter")
        return itemgetter(index[name])
    return lambda source: getter(source, param, functions)


def all_hold_over(guards: Sequence[Guard], getter_of: Callable[[Source], Getter],
                  length: int | None = None) -> Callable[[Any], bool] | None:
    """`all_hold` for guards whose sources are read through `getter_of` from something other
    than a Frame (a call's argument tuple, the values of its inputs): the same checks
    (`compile_check`), in order. `length`: the number of items that must be given. None where
    `getter_of` cannot read a source (NotReadable) or a guard needs the Frame (a schedule)."""
    if any(g.kind == Kind.SCHEDULE for g in guards):
        return None
    try:
        checks = [compile_check(g, getter_of) for g in guards]
    except NotReadable:
        return None

    def holds(items: Any) -> bool:
        if length is not None and len(items) != length:
            return False
        try:
            for check in checks:
                if not check(items):
                    return False
        except _FAILED:
            return False
        return True
    return holds


def sources_of(guard: Guard) -> list[Source]:
    """Every source `guard` reads: its own, and those its expectation names."""
    expected = guard.expected
    if guard.kind == Kind.SAME:
        return [guard.source, expected[0]]
    if guard.kind == Kind.SAME_DIM:
        return [guard.source, expected[1]]
    if guard.kind == Kind.DISJOINT:
        return [guard.source, *expected[0], *expected[1]]
    return [guard.source]


def first_failing(guards: Sequence[Guard]) -> Callable[[Frame], Guard | None]:
    """One closure: the first guard that does not hold, or None."""
    pairs = [(g, guard_check(g)) for g in guards]
    if not pairs:
        return lambda frame: None

    def failing(frame: Frame) -> Guard | None:
        for g, check in pairs:
            if not check(frame):
                return g
        return None
    return failing


def returned(kind: str) -> Callable[[np.ndarray], Any]:
    """How a result of `kind` becomes the Python value: `.item()`, a NumPy scalar, or the array."""
    if kind == PY_SCALAR:
        return lambda a: a.item()
    if kind == NP_SCALAR:
        return lambda a: a[()]
    return lambda a: a


def builder(template: Any, kinds: Sequence[str]) -> Callable[[list[np.ndarray], Frame], Any]:
    """The Python return value from the results: a single result returned as it is is read
    directly; everything else goes through speculation.graph_spec.rebuild."""
    if template[0] == "obj" and template[2][0] == "out":
        index = template[2][1]
        as_value = returned(kinds[index])
        return lambda results, frame: as_value(results[index])
    wraps = [returned(k) for k in kinds]

    def build(results: list[np.ndarray], frame: Frame) -> Any:
        return rebuild(template, [w(r) for w, r in zip(wraps, results)], frame)
    return build
