"""Random draws inside a `for` loop over a run-time range whose bounds are inputs of the graph.

`for t in range(n): noise = rng.standard_normal(4)`: the draws' count is known before the graph
runs (n draws per site), so they are taken on the host like every other draw
(frontend/random_draws.py): for each call, the runtime runs the loop's trip count on the host
and draws, iteration by iteration, every draw of the body in body order, from the call's own
generators, exactly as the plain loop interleaves them (`speculation.sources.LoopDrawGroup`).
Each draw site becomes one input holding its draws of every iteration stacked, shape
`(trips, *shape)`, and iteration `i` of the `scf.for` reads row `i` of it.

Converted: draws at the level of the loop's own body (not on one side of a branch on array data
or inside a nested run-time loop: their count would depend on the data), with arguments known
at conversion, in a loop whose `range` bounds are inputs of the graph or numbers (so the host
computes the trip count the graph computes: `TripCount`). The body is converted several times
(frontend/relaxed_loops.py); the k-th draw of every pass is the same site, and a pass that
draws differently is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir

from ..dialects.types import Dim
from ..speculation.sources import Draw, LoopDrawGroup, LoopDraws, Source, TripCount
from . import rows
from .values import ARRAY, JOURNALS, Tensor, is_tensor, retyped

if TYPE_CHECKING:
    from .builder import GraphBuilder
    from .converter import FunctionConverter


class LoopDrawSites:
    """The draw sites of one loop being converted, and where in the body a pass is."""

    def __init__(self, trips: TripCount, where: str):
        self.group = LoopDrawGroup(trips, where)
        self.inputs: list[Tensor] = []
        self.kinds: list[str] = []
        self.depth = -1  # len(JOURNALS) inside the body (the staged block's journal on top)
        self.index: ir.Value | None = None
        self.next = 0  # the site the pass's next draw is

    def begin(self, index: ir.Value) -> None:
        """A pass over the body starts; `index` is its iteration's index."""
        self.depth, self.index, self.next = len(JOURNALS), index, 0

    def takes(self) -> bool:
        """Whether a draw now is at the level of the body (not in a nested region)."""
        return self.index is not None and len(JOURNALS) == self.depth

    def draw(self, b: GraphBuilder, source: Draw, sample: Any, kind: str,
             shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
        """This iteration's value of the draw `source` (whose value at conversion was
        `sample`, of `kind`, `shape` and `dtype`)."""
        from .errors import Unconvertible

        k = self.next
        self.next += 1
        group = self.group
        if k == len(group.draws):
            group.draws.append(source)
            group.rows.append((tuple(shape), np.dtype(dtype).str))
            stacked = b.input(LoopDraws(group, k), (Dim(f"trips of {group.where}"), *shape),
                              dtype, ARRAY)
            stacked._fresh = True  # drawn for this call: nobody else holds it
            self.inputs.append(stacked)
            self.kinds.append(kind)
        else:
            seen = group.draws[k]
            if (seen.generator, seen.fixed, seen.method, seen.args, seen.kwargs) != (
                    source.generator, source.fixed, source.method, source.args, source.kwargs):
                raise Unconvertible("the draws of a loop over a run-time length differ from one "
                                    "conversion of its body to the next (not converted)",
                                    b.where)
        row = rows.row(b, self.inputs[k], self.index)
        return row if kind == ARRAY else retyped(row, kind)


def sites_for(cv: FunctionConverter, start: Any, stop: Any, step: int,
              where: str) -> LoopDrawSites | None:
    """The draw sites of a `for` over `range(start, stop, step)`, or None when the host cannot
    compute its trip count before the graph runs (a bound computed in the graph)."""
    bounds: list[Source | int] = []
    for bound in (start, stop):
        if is_tensor(bound):
            source = _input_source(cv, bound)
            if source is None:
                return None
            bounds.append(source)
        elif isinstance(bound, int) and not isinstance(bound, bool):
            bounds.append(bound)
        else:
            return None
    return LoopDrawSites(TripCount(bounds[0], bounds[1], step), where)


def _input_source(cv: FunctionConverter, t: Tensor) -> Source | None:
    """The source of `t` when it is an integer input of the graph as read, else None."""
    for inp in cv.b.input_tensors():
        if inp is t and not inp.fresh and inp.dtype.kind in "iu" and inp.shape == ():
            return inp.source
    return None
