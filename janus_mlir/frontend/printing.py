"""What print() shows of graph values: snapshots of arrays, strings formatted at commit.

A print in a converted function is an effect (frontend/effects.py) applied after the graph: what
it shows must be what plain Python would have shown at the print. Arrays are snapshots of their
contents at the print (a later in-place write must not show); f-strings and `str()`/`repr()` of
graph values are `Formatted` pieces, formatted at commit as NumPy formats the values, with each
format spec tried now on a stand-in of the value's type so that one NumPy would refuse is
refused here. Anything whose text would come from its own `__str__` is not printed by janus.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..speculation.sources import Source
from .errors import Unconvertible
from .lift import HostObject
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder


@dataclass(eq=False)
class Formatted:
    """A string made from values known only when the graph runs (an f-string of a tensor,
    `str(x)`): pieces of text and (value, conversion, format spec) to format at commit. It may
    be printed, stored or returned; anything that looks at its text is not converted."""

    parts: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        raise Unconvertible("the truth of a string made from graph values is not converted")


def check_print_options(b: GraphBuilder, sep: Any, end: Any, file: Any,
                        flush: Any) -> Source | None:
    """Refuse what print() would refuse or janus does not print; the file's source."""
    for what, v in (("sep", sep), ("end", end)):
        if v is not None and type(v) is not str:
            raise Unconvertible(f"TypeError: {what} must be None or a string, not "
                                f"{type(v).__name__}", b.where)
    if type(flush) is not bool:
        raise Unconvertible("print(flush=...) with a value known only at run time is not "
                            "converted", b.where)
    if file is None:
        return None
    if not isinstance(file, HostObject) or file.value not in (sys.stdout, sys.stderr):
        raise Unconvertible("print(file=...) to a file other than sys.stdout or sys.stderr "
                            "is not converted", b.where)
    return file.source



def format_later(b: GraphBuilder, value: Any, conversion: str | None, spec: str) -> Any:
    """One `{value!conversion:spec}` of an f-string (or `str(value)`) whose value is known only
    when the graph runs: the spec is tried now on a stand-in of the value's type (one NumPy or
    Python would refuse is refused), the text is made at commit."""
    if isinstance(spec, Formatted):
        raise Unconvertible("a format spec made from graph values is not converted", b.where)
    if spec and conversion in (None, "s"):
        if not is_tensor(value):
            raise Unconvertible("a format spec applied to a container of graph values is not "
                                "converted", b.where)
        if value.kind == ARRAY and value.ndim:
            raise Unconvertible("TypeError: unsupported format string passed to "
                                "numpy.ndarray.__format__", b.where)
        stand_in = (value.py_type(0) if value.kind == PY_SCALAR else value.dtype.type(0)
                    if value.kind == NP_SCALAR else np.zeros((), value.dtype))
        try:
            format(stand_in, spec)
        except (TypeError, ValueError) as e:
            raise Unconvertible(f"{type(e).__name__}: {e}", b.where) from None
    return Formatted([(printable(b, value), conversion, spec)])


def tensors_in(value: Any) -> list[Tensor]:
    """The graph values a printable value (frontend `printable`) holds, in order."""
    if is_tensor(value):
        return [value]
    if isinstance(value, Formatted):
        return [t for p in value.parts if type(p) is not str for t in tensors_in(p[0])]
    if type(value) in (list, tuple):
        return [t for v in value for t in tensors_in(v)]
    if type(value) is dict:
        return [t for v in value.values() for t in tensors_in(v)]
    return []


def replaced(value: Any, new: dict[int, Tensor]) -> Any:
    """`value` with each graph value `t` it holds replaced by new[id(t)]."""
    if is_tensor(value):
        return new[id(value)]
    if isinstance(value, Formatted):
        return Formatted([p if type(p) is str else (replaced(p[0], new), p[1], p[2])
                          for p in value.parts])
    if type(value) in (list, tuple):
        return type(value)(replaced(v, new) for v in value)
    if type(value) is dict:
        return {k: replaced(v, new) for k, v in value.items()}
    return value


def made_at_run_time(value: Any) -> bool:
    """Whether `value`'s text depends on graph values (a tensor, or a container holding one)."""
    if is_tensor(value) or isinstance(value, Formatted):
        return True
    if type(value) in (list, tuple):
        return any(made_at_run_time(v) for v in value)
    if type(value) is dict:
        return any(made_at_run_time(v) for v in value.values())
    return False


def joined(parts: list[Any]) -> str | Formatted:
    """The pieces of an f-string (text, and Formatted values) as one string if all are text."""
    if all(type(p) is str for p in parts):
        return "".join(parts)
    out: list[Any] = []
    for p in parts:
        for q in (p.parts if isinstance(p, Formatted) else [p]):
            if type(q) is str and out and type(out[-1]) is str:
                out[-1] += q
            else:
                out.append(q)
    return Formatted(out)


def printable(b: GraphBuilder, value: Any) -> Any:
    """`value` as print() will format it at commit: arrays as a snapshot of their contents now
    (a later in-place write must not show); plain values and containers of them as they are."""
    if is_tensor(value):
        if value.kind == ARRAY:
            return Tensor(value.value, value.spec, ARRAY)  # a fresh root: this version
        return value
    if isinstance(value, Formatted):
        return value
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.generic,
                                           np.dtype)):
        return value
    if type(value) in (list, tuple):
        return type(value)(printable(b, v) for v in value)
    if type(value) is dict:
        return {k: printable(b, v) for k, v in value.items()}
    raise Unconvertible(f"printing a {_type_name(value)} is not converted (its text would be "
                        "made by its own __str__)", b.where)


def _type_name(value: Any) -> str:
    v = value.value if isinstance(value, HostObject) else value
    return type(v).__name__
