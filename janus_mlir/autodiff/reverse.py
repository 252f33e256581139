"""Reverse mode over a recorded trace: `grad` and `value_and_grad` in plain Python.

The function runs once on boxed inputs (autodiff/box.py); the recorded nodes are then walked
from the output back to the inputs in reverse topological order, each node's derivative rule
(the registry's `vjp`, as the compiled `janus-autodiff` pass uses it) turning the cotangent of
its result into cotangents of its operands. Rules run on whatever the values are — plain NumPy
at the outermost level, boxes of an enclosing trace inside `grad(grad(f))` — so gradients of
gradients are recorded like any other NumPy code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..lang.unbroadcast import UNNEEDED
from . import pytree
from .box import Box, Node, is_differentiable_dtype

_TRACES = itertools.count(1)


class GradFunction:
    """`jm.grad(fn, ...)` / `jm.value_and_grad(fn, ...)`: callable in plain Python, and
    recognised by the compiler inside `@jm.compile` functions (there it becomes a
    `janus.value_and_grad` op)."""

    def __init__(self, fn: Callable[..., Any], argnums: int | Sequence[int], has_aux: bool,
                 with_value: bool):
        if not callable(fn):
            raise TypeError(f"expected a callable to differentiate, got {type(fn).__name__}")
        self.fn = fn
        self.argnums = argnums
        self.has_aux = has_aux
        self.with_value = with_value
        self.__name__ = f"{'value_and_grad' if with_value else 'grad'}({_name(fn)})"
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def positions(self) -> tuple[int, ...]:
        return (self.argnums,) if isinstance(self.argnums, int) else tuple(self.argnums)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        value, aux, grads = differentiate(self.fn, args, kwargs, self.argnums, self.has_aux)
        if self.with_value:
            return ((value, aux), grads) if self.has_aux else (value, grads)
        return (grads, aux) if self.has_aux else grads

    def __repr__(self) -> str:
        return f"<janus_mlir {self.__name__}>"


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


def check_input(leaf: Any, what: str = "input") -> None:
    """The error JAX raises for an input that cannot be differentiated."""
    dt = leaf.dtype if isinstance(leaf, Box) else np.asarray(leaf).dtype
    if not is_differentiable_dtype(dt):
        raise TypeError(f"grad requires real-valued {what}s (input dtype that is a sub-dtype of "
                        f"np.floating), but got {dt.name}. Integer and boolean inputs are not "
                        "differentiated: pass them at a position not in argnums.")


def check_output(out: Any) -> None:
    shape = np.shape(out.value if isinstance(out, Box) else out)
    if shape != ():
        raise TypeError("Gradient only defined for scalar-output functions. Output had shape: "
                        f"{shape}.")
    dt = out.dtype if isinstance(out, Box) else np.asarray(out).dtype
    if not is_differentiable_dtype(dt):
        raise TypeError("grad requires real-valued outputs (output dtype that is a sub-dtype "
                        f"of np.floating), but got {dt.name}")


def differentiate(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                  argnums: int | Sequence[int], has_aux: bool) -> tuple[Any, Any, Any]:
    """(value, aux, gradients) of `fn(*args, **kwargs)` with respect to args[argnums]."""
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for p in positions:
        if not -len(args) <= p < len(args):
            raise ValueError(f"argnums {argnums} out of range for {len(args)} positional "
                             "argument(s)")
    trace = next(_TRACES)
    boxed = list(args)
    leaves_of: list[tuple[list[Box], Callable[[list[Any]], Any], list[Any]]] = []
    for p in positions:
        leaves, rebuild = pytree.flatten(args[p])
        for leaf in leaves:
            check_input(leaf)
        boxes = [Box(leaf, trace, Node("input", {}, (), leaf)) for leaf in leaves]
        boxed[p] = rebuild(boxes)
        leaves_of.append((boxes, rebuild, leaves))
    out = fn(*boxed, **kwargs)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("a function differentiated with has_aux=True must return a pair "
                            f"(output, auxiliary data), got {type(out).__name__}")
        out, aux = out
    check_output(out)
    cotangents = backward(out, trace)
    grads = [rebuild([_as_input(cotangents.get(b.node), leaf) for b, leaf in zip(boxes, leaves)])
             for boxes, rebuild, leaves in leaves_of]
    value = _unboxed(out, trace)
    aux = _unboxed_tree(aux, trace)
    return value, aux, grads[0] if isinstance(argnums, int) else tuple(grads)


def vjp_of(fn: Callable[..., Any], operands: Sequence[Any], g: Any) -> tuple[Any, ...]:
    """The cotangents of `operands` (None for those not float) of `fn(*operands)` whose
    result has cotangent `g`: how an op whose NumPy form is a decomposition (a convolution as
    im2col and einsum) gets its derivative from the rules of the ops it is made of. Works on
    any lang values, graph values included."""
    from .box import _dtype

    trace = next(_TRACES)
    boxes = [Box(o, trace, Node("input", {}, (), o)) if _dtype(o).kind == "f" else o
             for o in operands]
    cot = backward(fn(*boxes), trace, g)
    return tuple(cot.get(b.node) if isinstance(b, Box) else None for b in boxes)


def backward(out: Any, trace: int, seed: Any = None) -> dict[Node, Any]:
    """The cotangent of every input node of `trace` that `out` depends on, given the
    cotangent `seed` of `out` (default: 1 for a scalar)."""
    if not (isinstance(out, Box) and out.trace == trace):
        return {}
    from ..ops.registry import lookup

    order = _topological(out.node)
    cot: dict[Node, Any] = {out.node: np.ones((), dtype=out.dtype) if seed is None else seed}
    inputs: dict[Node, Any] = {}
    for node in order:
        g = cot.pop(node, None)
        if g is None:
            continue
        if not node.parents:
            inputs[node] = g
            continue
        rule = node.vjp or lookup(node.name).vjp
        needed = {i for i, _ in node.parents}
        kept = {id(node.operands[i]) for i in needed}
        unneeded = frozenset(id(o) for i, o in enumerate(node.operands)
                             if i not in needed and id(o) not in kept)
        token = UNNEEDED.set(unneeded)
        try:
            operand_cots = rule(g, node.ans, *node.operands, **node.attrs)
        finally:
            UNNEEDED.reset(token)
        for i, parent in node.parents:
            c = operand_cots[i]
            if c is None:
                continue
            cot[parent] = c if parent not in cot else cot[parent] + c
    return inputs


def _topological(root: Node) -> list[Node]:
    """Nodes reachable from `root`, each after every node that uses it (root first)."""
    post: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            post.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for _, p in node.parents if id(p) not in seen)
    return post[::-1]


def _as_input(g: Any, leaf: Any) -> Any:
    """A cotangent in the type of its input: a Python float for a float, a NumPy scalar for
    a NumPy scalar, an array of the input's shape and dtype for an array."""
    if g is None:
        g = np.zeros(np.shape(leaf), dtype=np.asarray(leaf).dtype if not isinstance(
            leaf, Box) else leaf.dtype)
    if isinstance(g, Box):
        return g
    if type(leaf) is float:
        return float(g)
    if isinstance(leaf, np.generic):
        return leaf.dtype.type(g)
    if isinstance(leaf, Box):  # an input of an enclosing trace, seen by value here
        return g
    arr = np.asarray(g, dtype=leaf.dtype)
    if arr.shape != leaf.shape:
        arr = np.broadcast_to(arr, leaf.shape)
    return np.array(arr, copy=True)  # never shared with another gradient or a rule's value


def _unboxed(v: Any, trace: int) -> Any:
    while isinstance(v, Box) and v.trace == trace:
        v = v.value
    return v


def _unboxed_tree(tree: Any, trace: int) -> Any:
    leaves, rebuild = pytree.flatten(tree)
    return rebuild([_unboxed(v, trace) for v in leaves])
