"""Attributes a loop over a run-time length assigns, carried by the loop like names.

`for step in range(n): self.count += 1`, `self.h = np.tanh(self.h @ W + xs[step])`: plain
Python assigns the attribute once per iteration, and only its last value stays visible once the
loop is over. The graph has no heap to assign to inside an `scf.for` or `scf.while`, so the body
is rewritten to read and assign a name of the loop's own instead (`__janus_attr_<k>`), bound to
the attribute's value just before the loop; the loop carries that name like any other
(frontend/relaxed_loops.py), and after the loop the attribute is assigned the name's value once,
an ordinary effect committed with the others (frontend/effects.py). A loop that runs no trip
assigns the attribute the value it had: the same object, which plain Python leaves in place.

Only what the rewrite can see is rewritten: `obj.attr` where `obj` is a name the body does not
rebind, bound to an object with plain attribute storage that has `attr` already, and the body
assigns `obj.attr` (`=`, or an augmented assignment of a number; `self.w -= g` on an array is an
in-place write, which loops carry as the array itself). The attribute is "held" while the loop
is converted: a read or assignment of it by any other path (an inlined method reading
`self.count`, another name for the same object) is refused, since that path would see the value
of before the loop.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..speculation.sources import AttrOf
from .analysis.names import bound
from .lift import HostObject

if TYPE_CHECKING:
    from .converter import FunctionConverter

PREFIX = "__janus_attr"


@dataclass(frozen=True)
class HeldAttribute:
    """`obj_name.attr`, held in the loop's name `local` while the loop is converted."""

    obj_name: str
    attr: str
    local: str
    slot: tuple[Any, ...]  # the effect log's key for the attribute (effects.set_attr)


def find(cv: FunctionConverter, node: ast.For | ast.While) -> list[HeldAttribute]:
    """The attributes the body of `node` assigns that the rewrite can hold (see above)."""
    rebound = bound(node.body) | (bound([node.target]) if isinstance(node, ast.For) else set())
    found: dict[tuple[str, str], HeldAttribute] = {}
    for stmt in node.body:
        for n in ast.walk(stmt):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return []  # a nested scope would see the attribute by another path
            for target in _assigned_attributes(n):
                if target in found or target[0] in rebound:
                    continue
                obj = cv.env.get(target[0])
                if not isinstance(obj, HostObject) or not _plain_attribute(obj.value,
                                                                           target[1]):
                    continue
                if isinstance(n, ast.AugAssign) and isinstance(getattr(obj.value, target[1]),
                                                               np.ndarray):
                    continue  # an in-place write of the array: carried as the array itself
                local = f"{PREFIX}_{node.lineno}_{node.col_offset}_{len(found)}"
                found[target] = HeldAttribute(target[0], target[1], local,
                                              (AttrOf, id(obj.value), target[1]))
    return list(found.values())


def rewritten(tree: Any, held: list[HeldAttribute]) -> Any:
    """A copy of `tree` (a node or a list of statements) with every `obj.attr` of `held` read
    and assigned as its loop name; `tree` itself when nothing is held."""
    if not held:
        return tree
    names = {(h.obj_name, h.attr): h.local for h in held}

    class Rename(ast.NodeTransformer):
        def visit_Attribute(self, n: ast.Attribute) -> ast.AST:
            self.generic_visit(n)
            if isinstance(n.value, ast.Name) and (n.value.id, n.attr) in names:
                return ast.copy_location(ast.Name(names[(n.value.id, n.attr)], n.ctx), n)
            return n

    if isinstance(tree, list):
        return [ast.fix_missing_locations(Rename().visit(copy.deepcopy(s))) for s in tree]
    return ast.fix_missing_locations(Rename().visit(copy.deepcopy(tree)))


def bind(cv: FunctionConverter, held: list[HeldAttribute]) -> None:
    """Before the loop: each loop name holds the attribute's value, and the attribute is held."""
    from .host import attribute

    for h in held:
        cv.env[h.local] = attribute(cv, cv.env[h.obj_name], h.attr)
    cv.conv.effects.held.update(h.slot for h in held)


def finish(cv: FunctionConverter, held: list[HeldAttribute]) -> None:
    """After the loop: the attribute is assigned the loop name's value, once."""
    effects = cv.conv.effects
    for h in held:
        effects.held.discard(h.slot)
    for h in held:
        effects.set_attr(cv.b, cv.env[h.obj_name], h.attr, cv.env.pop(h.local))


def release(cv: FunctionConverter, held: list[HeldAttribute]) -> None:
    """The loop was not converted: the attributes are no longer held."""
    for h in held:
        cv.conv.effects.held.discard(h.slot)
        cv.env.pop(h.local, None)


def _assigned_attributes(n: ast.AST) -> list[tuple[str, str]]:
    """The `name.attr` targets `n` assigns (as a whole: not inside a tuple target)."""
    if isinstance(n, ast.Assign):
        targets = n.targets
    elif isinstance(n, (ast.AugAssign, ast.AnnAssign)):
        targets = [n.target]
    else:
        return []
    return [(t.value.id, t.attr) for t in targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)]


def _plain_attribute(value: Any, name: str) -> bool:
    """Whether `value.name` is stored in the instance's own `__dict__` (no property, slot or
    descriptor between it and Python's assignment)."""
    instance = getattr(value, "__dict__", None)
    return (isinstance(instance, dict) and name in instance
            and not hasattr(type(value), name))
