"""Committing a graph's write plan: its effects on the Python heap and on stdout, applied only
after the whole graph has succeeded (frontend/effects.py says what the converter records).

Nothing here runs before every in-graph guard has held, so a failed call leaves no trace. The
commit then works in two steps:

1. **Resolve**: every object an effect targets (the caller's arrays written in place, objects
   whose attributes are set, the file a print writes to) and every value it stores or prints is
   looked up or rebuilt from the results first, against the heap as it was when the call began
   (which is what the converter's sources name), with one memo shared with the return value so
   objects keep their identities across them (`self.out = y; return y`).
2. **Apply**: the new contents of written arrays are copied into the caller's array objects
   (every alias and view the caller holds sees them), then the effects run in program order.
   An array the graph itself wrote in place (runtime/state.py: its result is the array object)
   needs no copy; once one was, any failure of the commit is a CommitFailed.
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..speculation.graph_spec import _CONVERSIONS, PY_SCALAR, Template, rebuild
from ..speculation.sources import ClosureVar, Frame, GlobalVar, getter
from . import plan as plan_module

Finish = Callable[[list[np.ndarray], Frame], Any]


class CommitFailed(RuntimeError):
    """Part of a write plan was applied when the rest failed (a janus bug, or a container the
    program changed from another thread): the call cannot be re-run as plain Python on that
    heap, so this reaches the caller instead of a fallback."""


def result_kinds(kinds: Sequence[str], effects: Sequence[tuple[Template, list[str]]],
                 plan: dict[int, list[int]]) -> list[str]:
    """The kind of every result of the lowered function: the return value's, then each effect's
    operands at the results janus-lower-state gave them."""
    out = list(kinds) + [""] * sum(len(k) for _, k in effects)
    for i, (_, operand_kinds) in enumerate(effects):
        for r, kind in zip(plan[i], operand_kinds, strict=True):
            out[r] = kind
    return out


def finisher(template: Template, kinds: Sequence[str],
             effects: Sequence[tuple[Template, list[str]]], plan: dict[int, list[int]]) -> Finish:
    """A closure from a call's results to its return value, committing the write plan: effect
    i's ("out", j) is result plan[i][j]."""
    if not effects:
        return plan_module.builder(template, kinds)
    wraps = [plan_module.returned(k) for k in result_kinds(kinds, effects, plan)]
    where = [plan[i] for i in range(len(effects))]
    templates = [t for t, _ in effects]

    # Arrays the graph may have written in place (runtime/state.py): (its getter, result).
    writes = [(getter(t[1]), rs[0]) for t, rs in zip(templates, where) if t[0] == "write"]
    # A plan of array writes only: when the graph wrote every one in place there is nothing
    # left to apply (a parameter update's call), only the return value to build.
    build = plan_module.builder(template, result_kinds(kinds, effects, plan)) \
        if len(writes) == len(templates) else None

    def finish(results: list[np.ndarray], frame: Frame) -> Any:
        # A result that is its target array itself was written there by the graph.
        done = [results[r] is target(frame) for target, r in writes]
        if build is not None and all(done):
            try:
                return build(results, frame)
            except Exception as e:
                raise CommitFailed(f"building the return value failed after the graph wrote "
                                   f"arrays in place: {type(e).__name__}: {e}") from e
        written = any(done)
        try:
            values = [w(r) for w, r in zip(wraps, results)]
            memo: dict[int, Any] = {}
            value = rebuild(template, values, frame, memo)
            steps = [_resolve(t, [results[r] for r in rs], [values[r] for r in rs], frame,
                              memo) for t, rs in zip(templates, where)]
        except Exception as e:
            if not written:
                raise
            raise CommitFailed(f"resolving the write plan failed after the graph wrote arrays "
                               f"in place: {type(e).__name__}: {e}") from e
        for i, step in enumerate(steps):
            try:
                step()
            except Exception as e:
                if i == 0 and not written:
                    raise  # nothing was applied: the call may still run as plain Python
                raise CommitFailed(f"applying effect {i + 1} of {len(steps)} "
                                   f"({templates[i][0]}) failed after the ones before it were "
                                   f"applied: {type(e).__name__}: {e}") from e
        return value
    return finish


def _resolve(effect: Template, results: list[np.ndarray], values: list[Any], frame: Frame,
             memo: dict[int, Any]) -> Callable[[], None]:
    tag = effect[0]
    if tag == "when":  # an effect of one side of a branch on array data
        taken = bool(rebuild(effect[1], values, frame, memo)) == effect[2]
        step = _resolve(effect[3], results, values, frame, memo)  # (fills the memo either way)
        return step if taken else _nothing
    if tag == "write":
        target, new = effect[1].get(frame), results[effect[2]]
        if new is target:  # the graph wrote the array in place (runtime/state.py)
            return _nothing
        return lambda: np.copyto(target, new, casting="no")
    if tag == "setattr":
        obj, name = effect[1].get(frame), effect[2]
        value = rebuild(effect[3], values, frame, memo)
        return lambda: setattr(obj, name, value)
    if tag == "setitem":
        container, key = effect[1].get(frame), effect[2]
        value = rebuild(effect[3], values, frame, memo)
        return lambda: container.__setitem__(key, value)
    if tag == "call":  # a list or dict method that changes its length or keys
        method = getattr(effect[1].get(frame), effect[2])
        args = [rebuild(t, values, frame, memo) for t in effect[3]]

        def call() -> None:
            method(*args)
        return call
    if tag == "setname":
        return _set_name(effect[1], rebuild(effect[2], values, frame, memo), frame)
    if tag == "print_rows":  # the prints of a loop over a run-time length, row by row
        trips = int(rebuild(effect[1], values, frame, memo))
        prints = [([_column(c, values, frame, memo) for c in columns],
                   " " if sep is None else sep, "\n" if end is None else end,
                   file.get(frame) if file is not None else sys.stdout, flush)
                  for columns, sep, end, file, flush in effect[2]]

        def print_rows() -> None:
            for i in range(trips):
                for columns, sep, end, out, flush in prints:
                    builtins.print(*[_at(c, i) for c in columns], sep=sep, end=end, file=out,
                                   flush=flush)
        return print_rows
    if tag == "print":
        args = [rebuild(t, values, frame, memo) for t in effect[1]]
        sep, end, file, flush = effect[2:]
        out = file.get(frame) if file is not None else sys.stdout
        return lambda: builtins.print(*args, sep=sep, end=end, file=out, flush=flush)
    raise ValueError(f"unknown effect {tag!r}")


def _column(column: Template, values: list[Any], frame: Frame, memo: dict[int, Any]) -> Any:
    """A printed column: its values as Python or NumPy scalars or rows (a list), ("format",
    parts) of such columns, or ("static", v)."""
    if column[0] == "static":
        return column
    if column[0] == "format":
        return ("format", [p if type(p) is str else (_column(p[0], values, frame, memo), p[1],
                                                     p[2]) for p in column[1]])
    base = rebuild(column[1], values, frame, memo)
    return base.tolist() if column[2] == PY_SCALAR else list(base)


def _at(column: Any, i: int) -> Any:
    """Row `i` of a printed column."""
    if type(column) is list:
        return column[i]
    if column[0] == "static":
        return column[1]
    return "".join(p if type(p) is str else format(_CONVERSIONS[p[1]](_at(p[0], i)), p[2])
                   for p in column[1])


def _nothing() -> None:
    return None


def _set_name(source: GlobalVar | ClosureVar, value: Any, frame: Frame) -> Callable[[], None]:
    fn = frame.functions[source.scope]
    if isinstance(source, GlobalVar):
        namespace = fn.__globals__
        return lambda: namespace.__setitem__(source.name, value)
    cell = fn.__closure__[fn.__code__.co_freevars.index(source.name)]

    def store() -> None:
        cell.cell_contents = value
    return store
