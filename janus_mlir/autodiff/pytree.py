"""Arguments as trees: tuples, lists and dicts of arrays and numbers, flattened and rebuilt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The leaves of `tree` in order (None is an empty subtree), and how to rebuild a tree of
    the same structure from new leaves."""
    if type(tree) in (tuple, list):
        parts = [flatten(t) for t in tree]
        counts = [len(p[0]) for p in parts]
        kind = type(tree)

        def build_seq(leaves: list[Any]) -> Any:
            out, i = [], 0
            for (_, rebuild), n in zip(parts, counts):
                out.append(rebuild(leaves[i:i + n]))
                i += n
            return kind(out)

        return [x for p in parts for x in p[0]], build_seq
    if type(tree) is dict:
        keys = list(tree)
        seq_leaves, build = flatten([tree[k] for k in keys])
        return seq_leaves, lambda leaves: dict(zip(keys, build(leaves)))
    if tree is None:
        return [], lambda leaves: None
    return [tree], lambda leaves: leaves[0]
