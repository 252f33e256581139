"""`return` inside a loop as a flag and a `break`, with the returns made after the loop, so a
loop whose exit depends on array data can still be one `scf.while`/`scf.for` and its returns
merge like those of any branch at the function's level.

    for v in xs:                     __janus_return_3_4 = 0
        A                            for v in xs:
        if C:                            A
            return E        ->           if C:
        B                                    __janus_return_3_4 = 1
    REST                                     break
                                         B
                                     if __janus_return_3_4 == 1:
                                         return E
                                     REST

E is evaluated after the loop, in the state the `return` saw: nothing runs between the `break`
and the loop's end (a `for` keeps the item it broke at, a `while` does not test again, `else`
is skipped as `return` skips it). Loops are rewritten innermost first, so a return two loops
deep moves out one loop at a time. A return inside a `try` or `with` of the loop body is left
alone (its `finally` would run before E instead of after).
"""

from __future__ import annotations

import ast

from .jumps import RELAX, jumps, marked

_LOOPS = (ast.For, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_BLOCKS = ("body", "orelse", "finalbody", "handlers")


def _returns(stmts: list[ast.stmt]) -> list[ast.Return]:
    """The returns in `stmts` outside nested functions and classes."""
    found: list[ast.Return] = []
    stack: list[ast.AST] = list(stmts)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Return):
            found.append(n)
        elif not isinstance(n, _SCOPES):
            stack.extend(ast.iter_child_nodes(n))
    return found


def _movable(stmts: list[ast.stmt]) -> bool:
    """Every return of this loop body sits in plain statements (ifs and inner loops) only."""
    for s in stmts:
        if isinstance(s, (ast.Try, ast.With, ast.AsyncWith, ast.AsyncFor, ast.Match)):
            if _returns([s]):
                return False
        elif isinstance(s, (ast.If, *_LOOPS)) and not (_movable(s.body) and
                                                       _movable(s.orelse)):
            return False
    return True


def lower(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """`stmts` with every loop that holds a `return` rewritten as above (new statement list;
    nodes that do not change are shared)."""
    out: list[ast.stmt] = []
    for s in stmts:
        s = _lower_children(s)
        if isinstance(s, _LOOPS) and _returns(s.body) and _movable(s.body):
            out.extend(_loop(s))
        else:
            out.append(s)
    return out


def _lower_children(s: ast.stmt) -> ast.stmt:
    if isinstance(s, _SCOPES):
        return s
    changed = {}
    for field in _BLOCKS:
        block = getattr(s, field, None)
        if not isinstance(block, list) or not block:
            continue
        if field == "handlers":
            handlers = []
            for h in block:
                h2 = ast.copy_location(ast.ExceptHandler(h.type, h.name, lower(h.body)), h)
                handlers.append(h2)
            changed[field] = handlers
        else:
            changed[field] = lower(block)
    if not changed:
        return s
    return marked(ast.copy_location(type(s)(**{f: changed.get(f, getattr(s, f))
                                                for f in s._fields}), s), s)


def _loop(loop: ast.For | ast.While) -> list[ast.stmt]:
    flag = f"__janus_return_{loop.lineno}_{loop.col_offset}"
    values: list[ast.expr | None] = []

    def at(node: ast.AST) -> ast.AST:
        for n in ast.walk(node):
            ast.copy_location(n, loop)
            n.end_lineno, n.end_col_offset = loop.lineno, loop.col_offset
        return node

    def replace(stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            if isinstance(s, ast.Return):
                values.append(s.value)
                out.append(ast.copy_location(ast.Assign(
                    [ast.Name(flag, ast.Store())], ast.Constant(len(values))), s))
                out.append(ast.copy_location(ast.Break(), s))
                return out  # what follows a return never runs
            if isinstance(s, ast.If):
                s = marked(ast.copy_location(ast.If(s.test, replace(s.body) or [_pass(s)],
                                                     replace(s.orelse)), s), s)
            elif isinstance(s, _LOOPS) and _returns(s.body):
                raise AssertionError("inner loops are rewritten first")
            out.append(s)
        return out

    # A `while True:` without a break of its own leaves only through its returns.
    endless = (isinstance(loop, ast.While) and isinstance(loop.test, ast.Constant)
               and bool(loop.test.value) and ast.Break not in jumps(loop.body))
    body = replace(loop.body)
    new = marked(ast.copy_location(type(loop)(**{f: body if f == "body" else getattr(loop, f)
                                                  for f in loop._fields}), loop), loop)
    init = at(ast.Assign([ast.Name(flag, ast.Store())], ast.Constant(0)))
    returns = [ast.copy_location(ast.Return(v), v or loop) for v in values]
    after: list[ast.stmt] = [returns.pop()] if endless else []
    for k in range(len(returns), 0, -1):  # an if/elif chain, built from the last case
        test = at(ast.Compare(ast.Name(flag, ast.Load()), [ast.Eq()], [ast.Constant(k)]))
        branch = ast.copy_location(ast.If(test, [returns[k - 1]], after), loop)
        setattr(branch, RELAX, True)
        after = [branch]
    return [init, new, *after]


def _pass(at: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Pass(), at)
