"""Counting and membership: numpy.bincount and numpy.isin.

bincount's result has max(x) + 1 bins (at least minlength): a length the graph computes, one
fresh `CountDim` (frontend/compaction.py), so one graph serves every maximum. NumPy's
ValueError for a negative value is an in-graph guard (the call then runs as plain Python and
raises it).

isin(element, test_elements) is `element == t` for each t of the flattened test elements,
any-reduced: NumPy's result for every algorithm it picks (a loop over the test elements, a sort
of both, a lookup table for ints), as all of them compare the values promoted to one dtype and
never find NaN. With assume_unique=True NumPy's sort algorithm assumes the elements repeat no
value and answers differently when they do; unless NumPy is known to take its loop (few test
elements) the graph guards that they do not repeat.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.counting import bincount_dtype_ok
from .. import compaction, symbolic
from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply, guard_all
from ..values import ARRAY, Tensor, retyped
from .args import Handler, as_array, bind, static
from .reductions import FUNCTIONS as REDUCTIONS
from .shapes import expand_dims
from .sorting import guard_no_ties

# Largest element x test-element comparison isin forms (the graph holds it as bools).
ISIN_MAX = 1 << 24


def bincount(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    p = bind(b, "numpy.bincount", args, kwargs, ("x", "weights", "minlength"),
             {"weights": None, "minlength": 0})
    minlength = static(b, p["minlength"], "minlength")
    if minlength is None:
        raise Unconvertible("TypeError: use 0 instead of None for minlength", b.where)
    if isinstance(minlength, (bool, np.bool_)) or not isinstance(minlength, (int, np.integer)):
        raise Unconvertible("TypeError: minlength must be an integer", b.where)
    if minlength < 0:
        raise Unconvertible("ValueError: 'minlength' must not be negative", b.where)
    x = as_array(b, p["x"])
    if x.ndim != 1:
        raise Unconvertible("ValueError: object too deep for desired array" if x.ndim else
                            "ValueError: object of too small depth for desired array", b.where)
    if x.dtype == np.uint64:
        raise Unconvertible("numpy.bincount of uint64 values is not converted", b.where)
    if not bincount_dtype_ok(x.dtype):
        raise Unconvertible(f"TypeError: Cannot cast array data from dtype('{x.dtype}') to "
                            "dtype('int64') according to the rule 'safe'", b.where)
    operands = [x]
    if p["weights"] is not None:
        w = as_array(b, p["weights"])
        if w.ndim != 1:
            raise Unconvertible("ValueError: object too deep for desired array" if w.ndim else
                                "ValueError: object of too small depth for desired array",
                                b.where)
        if w.shape[0] != x.shape[0]:
            raise Unconvertible("ValueError: The weights and list don't have the same length."
                                if type(w.shape[0]) is int and type(x.shape[0]) is int else
                                "numpy.bincount: whether the weights and x have the same length "
                                "is known only when the graph runs (not converted)", b.where)
        if type(x.shape[0]) is not int:
            n = symbolic.dim(b, x, 0)
            guard_all(b, apply(b, "greater", [n, 0], static_fn=lambda u, v: u > v), "value",
                      "x is not empty (NumPy's bincount of an empty x is int64 even with "
                      "weights)")
        operands.append(w)
    if x.dtype.kind == "i":
        guard_all(b, b.emit("greater_equal", [x, b.constant(np.zeros((), x.dtype), ARRAY)]),
                  "error", "x has no negative values (NumPy raises ValueError: 'list' "
                  "argument must have no negative elements)")
    (out,) = compaction.emit_counted(b, "bincount", operands, minlength=int(minlength))
    return out


def isin(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    if len(args) > 4:
        raise Unconvertible(f"TypeError: isin() takes from 2 to 4 positional arguments but "
                            f"{len(args)} were given", b.where)
    p = bind(b, "numpy.isin", args, kwargs,
             ("element", "test_elements", "assume_unique", "invert", "kind"),
             {"assume_unique": False, "invert": False, "kind": None})
    kind = static(b, p["kind"], "kind")
    if kind not in (None, "sort", "table"):
        raise Unconvertible(f"ValueError: Invalid kind: '{kind}'. Please use None, 'sort' or "
                            "'table'.", b.where)
    if kind == "table":
        raise Unconvertible("numpy.isin(kind='table') is not converted (NumPy raises for "
                            "floats and for test elements of too wide a range)", b.where)
    invert = bool(static(b, p["invert"], "invert"))
    assume_unique = bool(static(b, p["assume_unique"], "assume_unique"))
    e, t = as_array(b, p["element"]), as_array(b, p["test_elements"])
    common = np.result_type(e.dtype, t.dtype)
    if common.kind == "f" and e.dtype.kind in "iub" and t.dtype.kind in "iub":
        raise Unconvertible("numpy.isin of uint64 with signed ints is not converted (NumPy "
                            "compares them exactly or as float64, by its algorithm)", b.where)
    if t.ndim != 1:
        t = b.emit("reshape", [t], copy=True, shape=(t.spec.size,))
    n, m = e.spec.size if e.spec.static else None, t.shape[0]
    if type(m) is int and m == 0:  # nothing to find
        return b.constant(np.full(e.shape, invert), ARRAY)
    if n is not None and type(m) is int and n * m > ISIN_MAX:
        raise Unconvertible(f"numpy.isin of {n} elements in {m} is not converted (a {n} x {m} "
                            "comparison)", b.where)
    if assume_unique and not (n is not None and type(m) is int and m < 10 * n ** 0.145):
        flat = e if e.dtype == common else b.emit("astype", [e], dtype=common)
        if flat.ndim != 1:
            flat = b.emit("reshape", [flat], copy=True, shape=(flat.spec.size,))
        guard_no_ties(b, b.emit("sort", [flat], axis=0), 0,
                      "the elements repeat no value (with assume_unique=True NumPy's sort "
                      "algorithm answers differently when they do)")
    pairs = apply(b, "equal", [expand_dims(b, [e, -1], {}), t])
    found = retyped(REDUCTIONS[np.any](b, [pairs], {"axis": -1}), ARRAY)
    return b.emit("logical_not", [found]) if invert else found


FUNCTIONS: dict[Any, Handler] = {np.bincount: bincount, np.isin: isin}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
