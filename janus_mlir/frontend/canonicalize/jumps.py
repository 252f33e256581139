"""`break` and `continue` in a loop as flags, so that a loop whose trip count or test is a graph
value can still be one `scf.while`/`scf.for` (AutoGraph's rewrite, applied only to such loops).

    while TEST:                      brk = False
        A                            while (not brk) and TEST:
        if C:                            cont = False
            break              ->        A
        B                                if C:
                                             brk = True
                                         if not (brk or cont):
                                             B

`continue` sets `cont` the same way; whatever follows a statement that may jump runs under
`if not (brk or cont)`. After `break` the test is not evaluated again (`not brk` comes first), as
in Python. Jumps inside nested loops belong to those loops and are left alone. A `for` skips
its remaining items after a `break` (the target keeps the item it broke at); a `for` over a
`range` with run-time bounds and a `break` becomes a `while` over a counter (an early exit).
The new nodes carry the location of the statement they stand for, and `RELAX`
(frontend/branches.py): the profile has never seen them, so they take the relaxed form at once.
An unrolled `for` stops at the first item after its flag is known to be set (`BREAK_FLAG`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

RELAX = "_janus_relax"  # attribute on generated tests: convert the relaxed form, do not profile
BREAK_FLAG = "_janus_break_flag"  # attribute on a rewritten `for`: the name of its break flag

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def jumps(stmts: Iterable[ast.stmt]) -> set[type]:
    """The kinds of jump (ast.Break, ast.Continue) of the enclosing loop in `stmts`."""
    found: set[type] = set()
    stack: list[ast.AST] = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Break, ast.Continue)):
            found.add(type(n))
        elif not isinstance(n, (*_LOOPS, *_SCOPES)):
            stack.extend(ast.iter_child_nodes(n))
    return found


class Flags:
    def __init__(self, at: ast.AST):
        key = f"{at.lineno}_{at.col_offset}"
        self.brk = f"__janus_break_{key}"
        self.cont = f"__janus_continue_{key}"
        self.at = at

    def set(self, name: str) -> ast.stmt:
        return self._loc(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(True)))

    def clear(self, name: str) -> ast.stmt:
        return self._loc(ast.Assign([ast.Name(name, ast.Store())], ast.Constant(False)))

    def unless_broke(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        """`if not brk: stmts` (a loop's `else`), or nothing for no statements."""
        if not stmts:
            return []
        guard = ast.copy_location(ast.If(self._loc(ast.UnaryOp(
            ast.Not(), ast.Name(self.brk, ast.Load()))), stmts, []), stmts[0])
        setattr(guard, RELAX, True)
        return [guard]

    def live(self) -> ast.expr:
        """`not (brk or cont)`."""
        return self._loc(ast.UnaryOp(ast.Not(), ast.BoolOp(ast.Or(), [
            ast.Name(self.brk, ast.Load()), ast.Name(self.cont, ast.Load())])))

    def _loc(self, node: ast.AST) -> ast.AST:
        for n in ast.walk(node):
            ast.copy_location(n, self.at)
            n.end_lineno, n.end_col_offset = self.at.lineno, self.at.col_offset
        return node


def lower(stmts: list[ast.stmt], flags: Flags) -> list[ast.stmt]:
    """`stmts` (a loop body) with its jumps as flag assignments and the rest of each block
    guarded by `not (brk or cont)`; raises ValueError for a jump it cannot rewrite."""
    out: list[ast.stmt] = []
    for k, s in enumerate(stmts):
        if isinstance(s, ast.Break):
            out.append(flags.set(flags.brk))
            return out
        if isinstance(s, ast.Continue):
            out.append(flags.set(flags.cont))
            return out
        if not jumps([s]):
            out.append(s)
            continue
        if not isinstance(s, ast.If):
            raise ValueError(f"a jump inside a {type(s).__name__} statement")
        out.append(marked(ast.copy_location(ast.If(s.test, lower(s.body, flags) or [_pass(s)],
                                                   lower(s.orelse, flags)), s), s))
        rest = stmts[k + 1:]
        if rest:
            guard = ast.copy_location(ast.If(flags.live(), lower(rest, flags), []), rest[0])
            setattr(guard, RELAX, True)
            out.append(guard)
        return out
    return out


def marked(new: ast.AST, old: ast.AST) -> ast.AST:
    """`new` (a rebuilt `old`) with the markers rewrites left on `old` (RELAX, BREAK_FLAG)."""
    for attr, value in vars(old).items():
        if attr.startswith("_janus"):
            setattr(new, attr, value)
    return new


def _pass(at: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Pass(), at)


def while_loop(node: ast.While) -> list[ast.stmt]:
    """`node` with its jumps as flags: `brk = False; while (not brk) and TEST: ...`."""
    flags = Flags(node)
    body = [flags.clear(flags.cont), *lower(node.body, flags)]
    test = flags._loc(ast.UnaryOp(ast.Not(), ast.Name(flags.brk, ast.Load())))
    loop = ast.copy_location(ast.While(
        ast.copy_location(ast.BoolOp(ast.And(), [test, node.test]), node.test), body, []), node)
    setattr(loop, RELAX, True)
    return [flags.clear(flags.brk), loop, *flags.unless_broke(node.orelse)]


def for_loop(node: ast.For, iterable: str) -> list[ast.stmt]:
    """`node` (its iterable already bound to the name `iterable`) with its jumps as flags:
    after a `break` the remaining items are skipped, the target keeping the item it broke at;
    `else` runs when no `break` did."""
    flags = Flags(node)
    found = jumps(node.body)
    item = f"__janus_item_{node.lineno}_{node.col_offset}"
    inner = [ast.copy_location(ast.Assign([node.target], flags._loc(ast.Name(item, ast.Load()))),
                               node), flags.clear(flags.cont), *lower(node.body, flags)]
    body: list[ast.stmt] = inner
    if ast.Break in found:
        guard = ast.copy_location(ast.If(flags._loc(ast.UnaryOp(
            ast.Not(), ast.Name(flags.brk, ast.Load()))), inner, []), node)
        setattr(guard, RELAX, True)
        body = [guard]
    loop = ast.copy_location(ast.For(flags._loc(ast.Name(item, ast.Store())),
                                     flags._loc(ast.Name(iterable, ast.Load())), body, []), node)
    setattr(loop, BREAK_FLAG, flags.brk)
    return [flags.clear(flags.brk), loop, *flags.unless_broke(node.orelse)]


def range_loop(node: ast.For, start: str, stop: str, step: int) -> list[ast.stmt]:
    """`for TARGET in range(start, stop, step)` with a `break`, as a while over a counter
    (`start`, `stop`: names bound to the range's bounds; `step` known now)."""
    flags = Flags(node)
    counter = f"__janus_counter_{node.lineno}_{node.col_offset}"

    def name(n: str, ctx: ast.expr_context) -> ast.Name:
        return flags._loc(ast.Name(n, ctx))

    compare = ast.Lt() if step > 0 else ast.Gt()
    test = flags._loc(ast.Compare(name(counter, ast.Load()), [compare],
                                  [name(stop, ast.Load())]))
    step_stmt = flags._loc(ast.Assign([name(counter, ast.Store())], ast.BinOp(
        name(counter, ast.Load()), ast.Add(), ast.Constant(step))))
    head = [ast.copy_location(ast.Assign([node.target], name(counter, ast.Load())), node),
            step_stmt]
    loop = ast.copy_location(ast.While(test, [*head, *node.body], node.orelse), node)
    init = flags._loc(ast.Assign([name(counter, ast.Store())], name(start, ast.Load())))
    return [init, *while_loop(loop)]
