"""Which names a block of statements binds, and which it may read before binding them.

These decide the carried values of a loop converted to `scf.for`/`scf.while`: a name the body
binds is carried from one iteration to the next only when the body may read it before binding
it (it is upward-exposed at the loop head). The analysis is conservative: a name is exposed
when *some* path may read it first, and only straight-line bindings and bindings on both sides
of an `if` count as definite; nested function bodies count as reads of every name they load.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
           ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bound(nodes: Iterable[ast.AST]) -> set[str]:
    """Every name bound by `nodes` in the enclosing scope (not inside nested scopes)."""
    out: set[str] = set()
    for node in nodes:
        _bound(node, out)
    return out


def _bound(node: ast.AST, out: set[str]) -> None:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        out.add(node.id)
        return
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.add(node.name)
        return
    if isinstance(node, _SCOPES):
        return
    if isinstance(node, ast.NamedExpr):
        out.add(node.target.id)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        out.update((a.asname or a.name).split(".")[0] for a in node.names)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        out.add(node.name)
    for child in ast.iter_child_nodes(node):
        _bound(child, out)


def loads(node: ast.AST) -> set[str]:
    """Every name `node` reads (nested scopes included: a closure reads what it loads)."""
    out = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for n in ast.walk(node):
        if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            out.add(n.target.id)
    return out


def exposed(stmts: list[ast.stmt], defined: frozenset[str] = frozenset()) -> set[str]:
    """Names some path through `stmts` may read before `stmts` bind them."""
    out, _ = _exposed(stmts, set(defined))
    return out


def _exposed(stmts: list[ast.stmt], defined: set[str]) -> tuple[set[str], set[str]]:
    """(exposed reads, names definitely bound after `stmts`)."""
    out: set[str] = set()
    for s in stmts:
        if isinstance(s, ast.If):
            out |= loads(s.test) - defined
            then_out, then_def = _exposed(s.body, set(defined))
            else_out, else_def = _exposed(s.orelse, set(defined))
            out |= then_out | else_out
            defined |= then_def & else_def
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            out |= loads(s.iter) - defined
            inner = defined | bound([s.target])
            out |= _exposed(s.body, set(inner))[0] | _exposed(s.orelse, set(defined))[0]
        elif isinstance(s, ast.While):
            out |= loads(s.test) - defined
            out |= _exposed(s.body, set(defined))[0] | _exposed(s.orelse, set(defined))[0]
        elif isinstance(s, (ast.Try, ast.TryStar, ast.With)):
            out |= loads(s) - defined  # conservative: everything it reads
        else:
            out |= loads(s) - defined
            defined |= bound([s])
    return out, defined
