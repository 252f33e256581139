"""Prints in a loop whose trip count is known only when the graph runs: one `print(...)` statement
at the top level of the body prints once per iteration.

The graph cannot print. Each such statement becomes a call of a hook (`PrintSite`); what it
prints in an iteration is kept: every argument that is a graph value or a number is one column
of rows (a buffer of frontend/row_lists.py, one row per iteration, snapshots of the values);
the other arguments (strings, None, ...) must be the same in every iteration. After the graph
has succeeded, the runtime prints row by row, the loop's prints interleaved in body order as
plain Python would (one `LoopPrints` effect, frontend/effects.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import row_lists
from .printing import Formatted, printable
from .errors import Unconvertible
from .regions import widenable
from .values import Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

HOOK = "__janus_print"
_KEYWORDS = ("sep", "end", "file", "flush")


@dataclass
class PrintSite:
    """One top-level `print(...)` statement of a run-time loop's body."""

    stmt: ast.Expr
    hook: str
    seen: list[Any] | None = None  # the first pass's arguments
    options: tuple[Any, ...] | None = None  # (sep, end, file, flush) as print() took them
    columns: list[Any] = field(default_factory=list)  # a row_lists.Site, or ("static", v)

    def __call__(self, cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> None:
        if any(k not in _KEYWORDS for k in kwargs):
            raise cv.fail("print() with other keywords than sep, end, file and flush is not "
                          "converted")
        options = tuple(kwargs.get(k) for k in _KEYWORDS)
        if self.options is not None and any(a is not b for a, b in zip(options, self.options)):
            raise cv.fail("print()'s sep, end, file or flush change between iterations")
        self.options = options
        values = [printable(cv.b, a) for a in args]
        if not self.columns:  # the first pass: learn what each argument is
            self.seen = values
            return
        if len(values) != len(self.columns):
            raise cv.fail("print() takes a different number of arguments in another iteration")
        for column, v in zip(self.columns, values):
            _set_row(cv, column, v)


def find(cv: FunctionConverter, node: ast.For) -> list[PrintSite]:
    """The top-level `print(...)` statements of `node`'s body (print being the builtin)."""
    import builtins

    sites = []
    for k, stmt in enumerate(node.body):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == "print" and not any(isinstance(a, ast.Starred)
                                                        for a in call.args)
                and all(kw.arg is not None for kw in call.keywords)):
            continue
        try:
            if cv.load_name("print") is not builtins.print:
                continue
        except Unconvertible:
            continue
        sites.append(PrintSite(stmt, f"{HOOK}_{node.lineno}_{node.col_offset}_{k}"))
    return sites


def rewritten(body: list[ast.stmt], sites: list[PrintSite]) -> list[ast.stmt]:
    """The body with each print statement as a call of its hook."""
    return row_lists.rewritten(body, sites)


def bind_hooks(cv: FunctionConverter, sites: list[PrintSite]) -> None:
    row_lists.bind_hooks(cv, sites)


def learn(cv: FunctionConverter, sites: list[PrintSite], rows: list[row_lists.Site],
          loop: str) -> None:
    """After the first pass: each print's columns; the dynamic ones join the loop's row sites
    (`rows`), which allocate, store and finish them."""
    for s in sites:
        if s.seen is None:
            raise cv.fail("a print() of a loop whose trip count is computed at run time did "
                          "not run in its iteration")
        if s.options is not None and s.options[2] is not None:
            from .lift import HostObject
            import sys

            f = s.options[2]
            if not isinstance(f, HostObject) or f.value not in (sys.stdout, sys.stderr):
                raise cv.fail("print(file=...) to a file other than sys.stdout or sys.stderr "
                              "is not converted")
        new: list[row_lists.Site] = []
        s.columns = [_column(cv, s, v, loop, new) for v in s.seen]
        if not s.columns:
            raise cv.fail("print() without arguments in a loop whose trip count is computed "
                          "at run time is not converted")
        row_lists.learn(cv, new)
        rows.extend(new)


def _column(cv: FunctionConverter, s: PrintSite, v: Any, loop: str,
            new: list[row_lists.Site]) -> Any:
    """What one printed argument is from row to row: a row site (a graph value or a number),
    ("format", parts) for an f-string of them, or ("static", v) for a value known now."""
    if is_tensor(v) or (widenable(v) and type(v) is not bool):
        site = row_lists.Site(s.stmt, [], [], f"{s.hook}_{len(new)}", loop, snapshot=True)
        site.row = v
        site.version = v.version if is_tensor(v) else 0
        new.append(site)
        return site
    if isinstance(v, Formatted):
        return ("format", [p if type(p) is str else (_column(cv, s, p[0], loop, new), p[1], p[2])
                           for p in v.parts])
    if type(v) in (str, bytes, type(None), bool):
        return ("static", v)
    raise cv.fail(f"printing a {type(v).__name__} in a loop whose trip count is computed at "
                  "run time is not converted")


def _set_row(cv: FunctionConverter, column: Any, v: Any) -> None:
    """This iteration's value `v` of a column (its structure must not change)."""
    if isinstance(column, row_lists.Site):
        column.row = v
        return
    if column[0] == "format":
        if not isinstance(v, Formatted) or len(v.parts) != len(column[1]):
            raise cv.fail("an f-string printed in a loop changes shape between iterations")
        for c, p in zip(column[1], v.parts):
            if type(c) is str:
                if p != c:
                    raise cv.fail("an f-string printed in a loop changes its text between "
                                  "iterations (not converted)")
            else:
                _set_row(cv, c[0], p[0])
        return
    if is_tensor(v) or type(v) is not type(column[1]) or v != column[1]:
        raise cv.fail("an argument of print() in a loop changes from a value known now to "
                      "another (not converted)")


def finish(cv: FunctionConverter, sites: list[PrintSite], trips: Tensor) -> None:
    """After the loop: one effect printing the rows, the loop's prints interleaved."""
    if not sites:
        return
    from .effects import LoopPrints

    prints = []
    for s in sites:
        sep, end, file, flush = s.options
        columns = [_finished(c) for c in s.columns]
        prints.append((columns, sep, end, file, False if flush is None else flush))
    cv.conv.effects.loop_prints(cv.b, LoopPrints(trips, prints))


def _finished(column: Any) -> Any:
    """A column with its row sites replaced by the RowLists the loop built."""
    if isinstance(column, row_lists.Site):
        return column.result
    if column[0] == "format":
        return ("format", [p if type(p) is str else (_finished(p[0]), p[1], p[2])
                           for p in column[1]])
    return column
