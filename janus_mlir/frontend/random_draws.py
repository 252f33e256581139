"""Random numbers: draws from the program's generators, taken on the host in program order.

A draw whose arguments are known at conversion time (`rng.standard_normal((32, 10))`,
`np.random.rand(3)`, `random.random()`, `rng.integers(0, 10, size=5)`) is a pure function of the
generator's state. The graph takes it as an input (`speculation.sources.Draw`): on every call the
runtime draws from the call's own generator, in the order the program draws, before the graph
runs — so the numbers, and the generator's state afterwards, are exactly the plain call's. The
runtime snapshots the state of every generator a graph draws from and restores it if the call
does not complete (a guard fails, an input cannot be passed), so the plain re-run draws the same
numbers again (runtime/graph.py).

The generators: `numpy.random.Generator` and `RandomState` objects the program holds (an
argument, `self.rng`, a global), NumPy's global generator (`np.random.normal`, ...) and Python's
(`random.random`, ...). Draws in a `for` loop over a range whose bounds are inputs are drawn
for every iteration on the host (frontend/loop_draws.py). Draws in other loops over a run-time
length or on one side of a branch on array data would need their count known before the graph
runs: refused for now, as are draws whose arguments are graph values, and methods that change a
generator in other ways (`seed`, `shuffle`, `set_state`).
"""

from __future__ import annotations

import copy
import random
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dialects.types import is_supported_dtype
from ..speculation.sources import Draw
from .errors import Unconvertible
from .pure import is_plain
from .values import ARRAY, JOURNALS, NP_SCALAR, PY_SCALAR, Tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder
    from .lift import HostObject

GENERATOR_TYPES = (np.random.Generator, np.random.RandomState, random.Random)

# Methods that change a generator other than by drawing, or hand out generator state.
_NOT_DRAWS = frozenset({
    "seed", "set_state", "get_state", "setstate", "getstate", "shuffle", "spawn", "jumped",
    "bit_generator", "__getstate__", "__setstate__", "__reduce__", "__init__",
})


class Drawer:
    """`rng.normal` / `np.random.normal` / `random.random` before it is called."""

    def __init__(self, generator: HostObject | None, fixed: Any, name: str):
        self.generator = generator  # the host object holding it, or None for a global one
        self.fixed = fixed  # the global generator (None for a host object's)
        self.name = name

    @property
    def value(self) -> Any:
        return self.fixed if self.generator is None else self.generator.value


def global_generator(method: Any) -> Any:
    """NumPy's or Python's global generator, if `method` is one of its bound methods."""
    owner = getattr(method, "__self__", None)
    if owner is None or isinstance(method, type) or not callable(method):
        return None
    if owner is np.random.mtrand._rand or owner is getattr(random, "_inst", None):
        return owner
    return None


def is_draw_method(generator: Any, name: str) -> bool:
    return (isinstance(generator, GENERATOR_TYPES) and not name.startswith("_")
            and name not in _NOT_DRAWS and callable(getattr(type(generator), name, None)))


def draw(b: GraphBuilder, drawer: Drawer, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The value of `drawer(*args, **kwargs)`: a graph input drawn on the host on every call."""
    what = f"{type(drawer.value).__name__}.{drawer.name}()"
    sites = b.loop_draws[-1] if b.loop_draws else None
    if JOURNALS and (sites is None or not sites.takes()):
        raise Unconvertible(f"drawing random numbers ({what}) inside a loop over a run-time "
                            "length, a branch on array data or a differentiated function is "
                            "not converted yet", b.where)
    if not is_draw_method(drawer.value, drawer.name):
        raise Unconvertible(f"{what} changes the generator other than by drawing; not "
                            "converted", b.where)
    if not all(_known(a) for a in [*args, *kwargs.values()]):
        raise Unconvertible(f"{what} with arguments computed in the graph or read from the host "
                            "is not converted", b.where)
    try:  # what this draw gives, from a copy of the generator (the real one is not touched)
        sample = getattr(copy.deepcopy(drawer.value), drawer.name)(*args, **kwargs)
    except Exception as e:
        raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    source = Draw(drawer.generator.source if drawer.generator is not None else None,
                  drawer.fixed, drawer.name, tuple(args), tuple(kwargs.items()))
    kind, shape, dtype = _kind_of(b, sample, what)
    if JOURNALS:  # in a loop over a run-time range (frontend/loop_draws.py)
        return sites.draw(b, source, sample, kind, shape, dtype)
    t: Tensor = b.input(source, shape, dtype, kind)
    t._fresh = True  # nobody else holds the drawn array: not the caller's memory
    return t


def _known(value: Any) -> bool:
    """A draw's argument known now: a plain value, or a dtype (`dtype=np.float32`)."""
    return is_plain(value) or isinstance(value, np.dtype) or value in (float, int, bool) or (
        isinstance(value, type) and issubclass(value, np.generic))


def _kind_of(b: GraphBuilder, sample: Any, what: str) -> tuple[str, tuple[int, ...], np.dtype]:
    if type(sample) is np.ndarray and is_supported_dtype(sample.dtype):
        return ARRAY, sample.shape, sample.dtype
    if type(sample) is float:
        return PY_SCALAR, (), np.dtype(np.float64)
    if type(sample) is int and not isinstance(sample, bool):
        return PY_SCALAR, (), np.dtype(np.int64)
    if isinstance(sample, np.generic) and is_supported_dtype(sample.dtype):
        return NP_SCALAR, (), sample.dtype
    raise Unconvertible(f"{what} gives a {type(sample).__name__}; not converted", b.where)
