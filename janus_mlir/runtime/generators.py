"""The state of the random generators a graph draws from, saved before a call and put back if
the call does not complete, so the plain re-run draws the same numbers (frontend/random_draws.py
says how draws become graph inputs)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..speculation.sources import Draw, Frame, LoopDraws

Restore = Callable[[], None]


def generators_of(sources: Sequence[Any]) -> list[Callable[[Frame], list[Any]]]:
    """For each Draw or LoopDraws among `sources`, how to find its generators in a call."""
    return [(lambda f, s=s: [s.generator_in(f)]) if isinstance(s, Draw) else s.generators_in
            for s in sources if isinstance(s, (Draw, LoopDraws))]


def save(generators: list[Any]) -> list[Restore]:
    """Closures that put each generator (each object once) back into its present state."""
    seen: dict[int, Restore] = {}
    for g in generators:
        if id(g) not in seen:
            seen[id(g)] = _saver(g)
    return list(seen.values())


def _saver(g: Any) -> Restore:
    if isinstance(g, np.random.Generator):
        bits = g.bit_generator
        state = bits.state
        return lambda: setattr(bits, "state", state)
    if isinstance(g, np.random.RandomState):
        state = g.get_state(legacy=False)
        return lambda: g.set_state(state)
    if isinstance(g, random.Random):
        state = g.getstate()
        return lambda: g.setstate(state)
    raise TypeError(f"{type(g).__name__} is not a random generator janus knows")
