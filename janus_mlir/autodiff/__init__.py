"""Reverse-mode differentiation of plain NumPy code.

Eager mode (here): `grad`/`value_and_grad` run the function on boxed inputs, record every NumPy
call as janus ops, and walk the record backwards with each op's derivative rule from the op
registry. Compiled mode uses the same rules: inside `@jm.compile` functions a `GradFunction`
becomes a `janus.value_and_grad` op that the `janus-autodiff` pass (passes/autodiff.py) expands.
"""

from collections.abc import Callable, Sequence
from typing import Any

from .reverse import GradFunction


def grad(fn: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
         ) -> GradFunction:
    """The gradient of scalar-valued `fn` with respect to its arguments at `argnums`, with the
    structure of those arguments (arrays, floats, and tuples/lists/dicts of them).
    `has_aux`: `fn` returns (output, aux); the gradient function then returns (grads, aux)."""
    return GradFunction(fn, argnums, has_aux, with_value=False)


def value_and_grad(fn: Callable[..., Any], argnums: int | Sequence[int] = 0,
                   has_aux: bool = False) -> GradFunction:
    """Like `grad`, returning (value, grads), or ((value, aux), grads) with `has_aux`."""
    return GradFunction(fn, argnums, has_aux, with_value=True)


__all__ = ["GradFunction", "grad", "value_and_grad"]
