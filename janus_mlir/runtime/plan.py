"""A graph's host-side work for one call, decided once when the graph is built.

Guards and sources are data (frontend/sources.py): readable, comparable, printable. Evaluating
them through `Guard.check` and `Source.get` on every call re-decides each time what kind of
check or path it is; for a cache hit of a tiny graph that was most of janus's own cost. Here
each source becomes a getter closure and each guard a check closure specialised to its kind,
and a graph's entry guards become one closure that runs them in order.

The closures compute exactly what `Guard.check` computes, with one difference: an exception
while checking (a `len()` of an object without one, say) means "does not hold" instead of
propagating, so a surprising object makes the call run as plain Python rather than fail.
Sources of kinds this module does not know are evaluated through their own `get`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..frontend.convert import rebuild
from ..frontend.sources import (
    AttrOf,
    ClosureVar,
    Frame,
    GlobalVar,
    Guard,
    ItemOf,
    Param,
    Source,
)
from ..frontend.values import NP_SCALAR, PY_SCALAR

Getter = Callable[[Frame], Any]
Check = Callable[[Frame], bool]

_FAILED = (LookupError, AttributeError, TypeError, ValueError)


def getter(source: Source) -> Getter:
    """A closure that evaluates `source` against a frame (what `source.get` does)."""
    if type(source) is Param:
        name = source.name
        return lambda frame: frame.params[name]
    if type(source) is AttrOf:
        base, attr = getter(source.base), source.attr
        return lambda frame: getattr(base(frame), attr)
    if type(source) is ItemOf:
        base, key = getter(source.base), source.key
        return lambda frame: base(frame)[key]
    if type(source) is GlobalVar:
        name, scope = source.name, source.scope
        return lambda frame: frame.functions[scope].__globals__[name]
    if type(source) is ClosureVar:
        return source.get  # a closure cell's position is looked up on the function each time
    return source.get


def guard_check(guard: Guard) -> Check:
    """A closure with `guard.check`'s answer (False where the check itself raises)."""
    return _safe(_raw_check(guard))


def _raw_check(guard: Guard) -> Check:
    """`guard`'s check specialised to its kind; it may raise where the value does not fit."""
    get, kind, expected = getter(guard.source), guard.kind, guard.expected
    if kind == "array":
        shape, dtype, c_order = expected
        dtype = np.dtype(dtype)
        ndarray = np.ndarray

        def check(frame: Frame) -> bool:
            v = get(frame)
            return (type(v) is ndarray and v.shape == shape and v.dtype == dtype
                    and v.flags.c_contiguous == c_order)
    elif kind == "type":
        def check(frame: Frame) -> bool:
            return type(get(frame)) is expected
    elif kind == "value" and expected != expected:  # NaN: equal to itself here, as in Guard
        want_type = type(expected)

        def check(frame: Frame) -> bool:
            v = get(frame)
            return type(v) is want_type and v != v
    elif kind == "value":
        want_type = type(expected)

        def check(frame: Frame) -> bool:
            v = get(frame)
            return type(v) is want_type and v == expected
    elif kind == "identity":
        def check(frame: Frame) -> bool:
            return get(frame) is expected
    elif kind == "method":
        def check(frame: Frame) -> bool:
            return getattr(get(frame), "__func__", None) is expected
    elif kind == "len":
        def check(frame: Frame) -> bool:
            return len(get(frame)) == expected
    elif kind == "same":
        other, same = getter(expected[0]), expected[1]

        def check(frame: Frame) -> bool:
            return (get(frame) is other(frame)) == same
    elif kind == "has":
        key, present = expected

        def check(frame: Frame) -> bool:
            return (key in get(frame)) == present
    elif kind == "keys":
        def check(frame: Frame) -> bool:
            v = get(frame)
            return type(v) is dict and tuple(v) == expected
    else:
        return guard.check
    return check


def _safe(check: Check) -> Check:
    def safe(frame: Frame) -> bool:
        try:
            return bool(check(frame))
        except _FAILED:
            return False
    return safe


def all_hold(guards: Sequence[Guard]) -> Check:
    """One closure: whether every guard holds, checked in order, stopping at the first miss."""
    checks = [_raw_check(g) for g in guards]
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
    directly; everything else goes through frontend.convert.rebuild."""
    if template[0] == "obj" and template[2][0] == "out":
        index = template[2][1]
        as_value = returned(kinds[index])
        return lambda results, frame: as_value(results[index])
    wraps = [returned(k) for k in kinds]

    def build(results: list[np.ndarray], frame: Frame) -> Any:
        return rebuild(template, [w(r) for w, r in zip(wraps, results)], frame)
    return build
