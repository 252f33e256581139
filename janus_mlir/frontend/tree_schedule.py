"""The host side of recursion over Python object graphs: cases, and the schedule of one call.

A recursive function over a tree (`encode(node)` calling `encode(node.left)`) is converted once
per *case*: the answers its body got from the node it was converted for (its type, which
attributes are None, arrays of which shape, which attributes it recursed on, in order). On every
call the host walks the call's tree, puts each node in the first case whose answers it gives,
and hands the graph the schedule, in post-order (children before parents):

- `case`: the case of each node (int32, one per node);
- `slot`: the node's position among the nodes of its case (int32);
- `children`: the schedule positions of the nodes it recursed on, in call order (int32);
- per case and array or number attribute: that attribute of the case's nodes, stacked.

A node no case fits means the schedule cannot be built: the entry guard fails and the call
runs as plain Python (a later conversion adds the case). IREE never sees the recursion: the
graph is one loop over the schedule (frontend/recursion.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..speculation.sources import Frame, Source

# A query the body asked about its node, with the answer it got: ("type", None, cls),
# ("none", attr, is_none), ("array", attr, (shape, dtype)), ("object", attr, None),
# ("number", attr, type) (a Python number, data of the node), ("value", attr, value) (a str).
Query = tuple[str, str | None, Any]
_NUMBER_DTYPES = {int: np.int64, float: np.float64, bool: np.bool_}


@dataclass
class Case:
    queries: list[Query] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # attributes recursed on, in order
    arrays: list[str] = field(default_factory=list)  # array attributes read, in order

    def fits(self, node: Any) -> bool:
        state = getattr(node, "__dict__", None)
        if not isinstance(state, dict):
            return False
        for kind, attr, answer in self.queries:
            if kind == "type":
                if type(node) is not answer:
                    return False
                continue
            if attr not in state:
                return False
            v = state[attr]
            if kind == "none":
                if (v is None) != answer:
                    return False
            elif kind == "array":
                if type(v) is not np.ndarray or (v.shape, v.dtype.str) != answer:
                    return False
            elif kind == "object":
                if v is None or type(v) in (np.ndarray, int, float, bool, str):
                    return False
            elif kind == "value":
                if type(v) is not type(answer) or v != answer:
                    return False
            elif kind == "number":
                if type(v) is not answer:
                    return False
        return True


class Plan:
    """The cases of one recursive function in one graph (filled while converting)."""

    def __init__(self, name: str):
        self.name = name
        self.cases: list[Case] = []

    def classify(self, node: Any) -> int | None:
        for k, case in enumerate(self.cases):
            if case.fits(node):
                return k
        return None

    def build(self, root: Any, frame: Frame | None = None) -> dict[Any, np.ndarray] | None:
        """The schedule of the tree under `root` (cached on `frame`), or None where a node
        fits no case."""
        cache = frame.cache if frame is not None else {}
        key = ("schedule", id(self))
        if key in cache:
            return cache[key]
        cache[key] = out = self._build(root)
        return out

    def _build(self, root: Any) -> dict[Any, np.ndarray] | None:
        cases, slots, kids = [], [], []
        counts = [0] * len(self.cases)
        leaves: dict[tuple[int, str], list[np.ndarray]] = {
            (k, a): [] for k, c in enumerate(self.cases) for a in c.arrays}
        seen: set[int] = set()
        stack: list[tuple[Any, int, list[int]]] = []  # (node, case, positions of its children)

        def push(node: Any) -> bool:
            k = self.classify(node)
            if k is None or id(node) in seen:  # no case, or a node met twice (not a tree)
                return False
            seen.add(id(node))
            stack.append((node, k, []))
            return True

        if not push(root):
            return None
        while stack:
            node, k, done = stack[-1]
            case = self.cases[k]
            if len(done) < len(case.children):
                child = node.__dict__[case.children[len(done)]]
                if not push(child):
                    return None
                continue
            stack.pop()
            position = len(cases)
            cases.append(k)
            slots.append(counts[k])
            counts[k] += 1
            kids.append(done)
            for attr in case.arrays:
                leaves[(k, attr)].append(node.__dict__[attr])
            if stack:
                stack[-1][2].append(position)
        width = max(1, max(len(c.children) for c in self.cases))
        children = np.zeros((len(cases), width), np.int32)
        for i, d in enumerate(kids):
            children[i, :len(d)] = d
        out: dict[Any, np.ndarray] = {
            "case": np.array(cases, np.int32), "slot": np.array(slots, np.int32),
            "children": children}
        for (k, attr), rows in leaves.items():
            kind, answer = next((kind, a) for kind, name, a in self.cases[k].queries
                                if kind in ("array", "number") and name == attr)
            if kind == "number":
                out[(k, attr)] = np.array(rows, _NUMBER_DTYPES[answer])
            else:
                shape, dtype = answer
                out[(k, attr)] = np.stack(rows) if rows else np.empty((0, *shape), dtype)
        return out


@dataclass(frozen=True)
class ScheduleInput(Source):
    """One array of the schedule of the tree at `root` (computed on the host every call)."""

    root: Source
    plan: Plan
    what: Any  # "case", "slot", "children", or (case, attribute)

    def get(self, frame: Frame) -> Any:
        schedule = self.plan.build(self.root.get(frame), frame)
        if schedule is None:
            raise LookupError(f"a node of {self.root} fits no case of {self.plan.name}")
        return schedule[self.what]

    def __str__(self) -> str:
        return f"schedule of {self.root} ({self.what})"
