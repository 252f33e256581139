"""Loops whose control is known while converting: `for` over values known now, `while` whose
test is known now, with `break`, `continue` and `else`, unrolled into straight-line janus IR.

A loop whose test or iterable depends on array data is not converted (the call runs as plain
Python). Unrolling has a budget — statements emitted across all unrolled loops of one
conversion — so a long static loop does not turn into a graph of thousands of ops that takes
seconds to compile; past it the call runs as plain Python with that reason.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .converter import FunctionConverter

UNROLL_BUDGET = 2048  # statements of loop bodies unrolled per conversion


class BreakLoop(Exception):
    """`break` reached: leaves the innermost loop being unrolled."""


class ContinueLoop(Exception):
    """`continue` reached: ends the current iteration of the innermost loop."""


def spend(cv: FunctionConverter, statements: int) -> None:
    """Count unrolled statements against the budget."""
    cv.conv.unrolled += statements
    if cv.conv.unrolled > UNROLL_BUDGET:
        raise cv.fail(f"loops unrolled past {UNROLL_BUDGET} statements; the function runs as "
                      "plain Python (a loop this long is not unrolled into the graph)")


def _iteration(cv: FunctionConverter, body: list[ast.stmt]) -> bool:
    """Run one iteration of a loop body; False when it ended with `break`."""
    spend(cv, len(body))
    try:
        cv.block(body)
    except ContinueLoop:
        pass
    except BreakLoop:
        return False
    return True


def convert_for(cv: FunctionConverter, node: ast.For, iterable: Any) -> None:
    flag = getattr(node, "_janus_break_flag", None)  # a loop whose jumps became flags
    for item in cv.iterate(iterable):
        cv.assign(node.target, item)
        if not _iteration(cv, node.body):
            return
        if flag is not None and cv.env.get(flag) is True:  # broke (known now): the rest skips
            return
    cv.block(node.orelse)


def convert_while(cv: FunctionConverter, node: ast.While) -> None:
    """Unrolled while the test is known now (or speculated); from the first test on array data
    that is not speculated, the rest of the loop is one `scf.while` (frontend/relaxed_loops.py)."""
    from .branches import Relax
    from .canonicalize import jumps
    from .relaxed_loops import convert_while as relaxed_while

    if jumps.jumps(node.body):  # `break`/`continue` as flags
        try:
            rewritten = jumps.while_loop(node)
        except ValueError as e:
            raise cv.fail(f"`break`/`continue` here is not converted yet: {e}") from None
        return cv.block(rewritten)
    while True:
        test = cv.test(node.test)
        try:
            if not cv.truth(test, node):
                break
        except Relax:
            return relaxed_while(cv, node, test)
        if not _iteration(cv, node.body):
            return
    cv.block(node.orelse)
