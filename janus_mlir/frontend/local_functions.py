"""Functions defined inside a converted function: nested `def`s and lambdas.

A `def` or `lambda` in the body becomes a `LocalFunction` value: its AST, the converter of the
scope that defined it, and its default values (evaluated when the definition runs, as in
Python). Calling it converts its body in place with its own locals; a name it does not bind is
looked up in the defining scope *when the call runs* (Python closures see the variable's current
value, not the one at definition). Returning or storing one where the caller can see it is not
converted (it would be a function janus made).
"""

from __future__ import annotations

import ast
import inspect
from typing import TYPE_CHECKING, Any

from .canonicalize import returns


if TYPE_CHECKING:
    from .converter import FunctionConverter

MAX_LOCAL_DEPTH = 64


class LocalFunction:
    def __init__(self, node: ast.FunctionDef | ast.Lambda, parent: FunctionConverter,
                 signature: inspect.Signature):
        self.node = node
        self.parent = parent
        self.signature = signature
        self.name = node.name if isinstance(node, ast.FunctionDef) else "<lambda>"


def define(cv: FunctionConverter, node: ast.FunctionDef | ast.Lambda) -> LocalFunction:
    """The function value a `def` or `lambda` evaluates to (its defaults evaluated now)."""
    if isinstance(node, ast.FunctionDef) and node.decorator_list:
        raise cv.fail(f"the decorated nested function '{node.name}' is not converted")
    a = node.args
    params: list[inspect.Parameter] = []
    positional = [*a.posonlyargs, *a.args]
    defaults = [cv.visit(d) for d in a.defaults]
    first_default = len(positional) - len(defaults)
    for i, arg in enumerate(positional):
        kind = (inspect.Parameter.POSITIONAL_ONLY if i < len(a.posonlyargs)
                else inspect.Parameter.POSITIONAL_OR_KEYWORD)
        default = defaults[i - first_default] if i >= first_default else inspect.Parameter.empty
        params.append(inspect.Parameter(arg.arg, kind, default=default))
    if a.vararg:
        params.append(inspect.Parameter(a.vararg.arg, inspect.Parameter.VAR_POSITIONAL))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        default = cv.visit(d) if d is not None else inspect.Parameter.empty
        params.append(inspect.Parameter(arg.arg, inspect.Parameter.KEYWORD_ONLY, default=default))
    if a.kwarg:
        params.append(inspect.Parameter(a.kwarg.arg, inspect.Parameter.VAR_KEYWORD))
    return LocalFunction(node, cv, inspect.Signature(params))


def call(cv: FunctionConverter, fn: LocalFunction, args: list[Any],
         kwargs: dict[str, Any]) -> Any:
    if cv.conv.depth >= MAX_LOCAL_DEPTH:
        raise cv.fail(f"calls nested deeper than {MAX_LOCAL_DEPTH} are not converted")
    try:
        bound = fn.signature.bind(*args, **kwargs)
    except TypeError as e:
        raise cv.fail(f"TypeError: {fn.name}() {e}") from None
    bound.apply_defaults()
    env = dict(bound.arguments)
    for p in fn.signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            env[p.name] = tuple(env.get(p.name, ()))
        elif p.kind is p.VAR_KEYWORD:
            env[p.name] = dict(env.get(p.name, {}))
    body = (returns.lower(fn.node.body) if isinstance(fn.node, ast.FunctionDef)
            else [ast.copy_location(ast.Return(fn.node.body), fn.node.body)])
    cv.conv.depth += 1
    try:
        return fn.parent.convert_local(body, env, local_names(fn.node))
    finally:
        cv.conv.depth -= 1


def local_names(node: ast.FunctionDef | ast.Lambda) -> frozenset[str]:
    """The names a function binds in its own scope (so reading them early is an error there,
    not a read of the enclosing scope)."""
    names = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
    body = node.body if isinstance(node, ast.FunctionDef) else [node.body]
    for stmt in body:
        for n in _own_scope(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
                names.add(n.id)
            elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                names.add(n.name)
    return frozenset(names)


def _own_scope(node: ast.AST):
    """The nodes of `node` outside nested functions, lambdas, classes and comprehensions."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                              ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            if isinstance(child, (ast.FunctionDef, ast.ClassDef)):
                yield child
            continue
        yield from _own_scope(child)
