"""The AST of a Python function, as both the converter and the profiler read it.

Both must see the same nodes, because profiled sites are keyed by line and column: the function's
source (dedented, line numbers as in its file) parsed into a `def`. A lambda is found in its
file's AST by its line, its parameters and the columns of its code, and becomes a `def` whose
body returns its expression.
"""

from __future__ import annotations

import ast
import copy
import inspect
import linecache
import textwrap
import types
from typing import Any


class SourceUnavailable(Exception):
    """The function's source cannot be read or does not hold it (the message says why)."""


def function_ast(fn: types.FunctionType) -> ast.FunctionDef | ast.AsyncFunctionDef:
    """`fn`'s definition, line numbers as in its file (raises SourceUnavailable)."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError) as e:
        raise SourceUnavailable(f"source of {fn.__qualname__} is not available: {e}") from None
    if fn.__name__ == "<lambda>":
        lam = lambda_node(fn, source)
        tree = ast.Module([ast.FunctionDef(
            name=fn.__name__, args=lam.args, decorator_list=[], returns=None,
            body=[ast.copy_location(ast.Return(lam.body), lam.body)])], type_ignores=[])
        ast.copy_location(tree.body[0], lam)
    else:
        try:
            tree = ast.parse(source)
        except SyntaxError as e:
            raise SourceUnavailable(f"source of {fn.__qualname__} does not parse: {e}") from None
    node = tree.body[0]
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise SourceUnavailable(f"{fn.__qualname__} is not defined by a def statement")
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - 1)
    return node


def lambda_node(fn: Any, source: str) -> ast.Lambda:
    """The lambda `fn` was made from. Found in the parsed file by its line, its parameter
    names and the columns of its code; else in the source lines inspect gives for it (a
    lambda whose file is not on disk). Line numbers count from `source`'s first line."""
    found = _lambda_in_file(fn)
    if found is not None:
        return found
    text = source.strip()
    start = text.find("lambda")
    candidates: list[ast.Lambda] = []
    for begin in [i for i in range(len(text)) if text.startswith("lambda", i)] or [start]:
        for end in range(len(text), begin, -1):
            try:
                tree = ast.parse(text[begin:end], mode="eval")
            except SyntaxError:
                continue
            if isinstance(tree.body, ast.Lambda):
                candidates.append(tree.body)
            break
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    matching = [c for c in candidates
                if tuple(a.arg for a in [*c.args.posonlyargs, *c.args.args,
                                         *c.args.kwonlyargs]) == names]
    if len(matching) != 1 or not _same_code(matching[0], code):
        raise SourceUnavailable(f"the source of {fn.__qualname__} holds {len(matching)} "
                                "lambdas that could be it; define it with def to compile it")
    return matching[0]


def _same_code(lam: ast.Lambda, code: Any) -> bool:
    """Whether `lam` compiles to `code`'s instructions: the lines inspect gives may hold the
    lambda's text cut where it does not parse, and another lambda with the same parameters."""
    try:
        outer = compile(ast.fix_missing_locations(ast.Expression(copy.deepcopy(lam))),
                        "<lambda>", "eval")
    except (SyntaxError, ValueError):
        return False
    inner = [c for c in outer.co_consts if hasattr(c, "co_code")]
    return len(inner) == 1 and inner[0].co_code == code.co_code


def _param_names(lam: ast.Lambda) -> tuple[str, ...]:
    args = lam.args
    return tuple(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])


def _lambda_in_file(fn: Any) -> ast.Lambda | None:
    code = fn.__code__
    lines = linecache.getlines(code.co_filename)
    if not lines:
        return None
    try:
        tree = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)
             and n.lineno == code.co_firstlineno and _param_names(n) == names]
    if len(found) > 1:
        # Several on the line with the same parameters: the one whose body spans the
        # columns of the function's instructions.
        spots = [(line, col) for line, _, col, end in code.co_positions()
                 if line is not None and col is not None and (col, end) != (0, 0)]
        first = min(spots, default=None)

        def holds(n: ast.Lambda) -> bool:
            end = (n.end_lineno or n.lineno, n.end_col_offset or 0)
            return first is not None and (n.lineno, n.col_offset) <= first < end
        found = [n for n in found if holds(n)]
    if len(found) != 1:
        return None
    lam = copy.deepcopy(found[0])
    ast.increment_lineno(lam, 1 - code.co_firstlineno)
    return lam
