"""Leaf-wise maps over the pytrees optimizers update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autodiff import pytree


def tree_map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """`fn` applied to the leaves of `tree` and the matching leaves of `rest` (same structure)."""
    leaves, rebuild = pytree.flatten(tree)
    others = [pytree.flatten(r)[0] for r in rest]
    for o in others:
        if len(o) != len(leaves):
            raise ValueError(f"tree structures differ: {len(leaves)} vs {len(o)} leaves")
    return rebuild([fn(*xs) for xs in zip(leaves, *others)])
