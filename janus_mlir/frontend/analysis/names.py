"""Which names a block of statements binds (in its own scope, not in nested ones).

This decides the carried values of a loop converted to `scf.for`/`scf.while`: the names bound
before the loop that its body rebinds.
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
