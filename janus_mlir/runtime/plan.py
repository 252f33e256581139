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
from ..speculation.sources import Frame, Param
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


class NotPositional(LookupError):
    """A guard or input reads something other than the call's positional arguments."""


def positional_getter(names: Sequence[str]) -> Callable[[Any], Getter]:
    """`getter` for a call given as the tuple of its positional arguments, the function's
    parameters `names` in order: a parameter's value is its item; any other source raises
    NotPositional."""
    index = {name: i for i, name in enumerate(names)}

    def getter_of(source: Any) -> Callable[[tuple], Any]:
        if type(source) is not Param or source.name not in index:
            raise NotPositional(f"{source} is not a positional argument")
        return itemgetter(index[source.name])
    return getter_of


def all_hold_positional(guards: Sequence[Guard], names: Sequence[str]
                        ) -> Callable[[tuple], bool] | None:
    """`all_hold` for a call given as the tuple of its positional arguments (every one of
    `names` given, none by keyword): the same checks (`compile_check` with the arguments as
    the sources), without binding a dict or making a Frame. None where a guard reads anything
    other than those arguments, or needs the Frame (a schedule)."""
    if any(g.kind == Kind.SCHEDULE for g in guards):
        return None
    getter_of = positional_getter(names)
    try:
        checks = [compile_check(g, getter_of) for g in guards]
    except NotPositional:
        return None
    n = len(names)

    def holds(args: tuple) -> bool:
        if len(args) != n:
            return False
        try:
            for check in checks:
                if not check(args):
                    return False
        except _FAILED:
            return False
        return True
    return holds


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
