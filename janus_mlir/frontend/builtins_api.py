"""Python builtins and `math` functions on converted values, dispatched by table.

`BUILTINS` maps the builtin object itself (`len`, `float`, `math.sqrt`) to a handler taking the
converter, the arguments and the keyword arguments.
"""

from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import host, printing, row_lists, sequences
from .lift import HostObject
from .numpy_api import static, to_python_scalar
from .pure import is_plain
from .tolist import ListOfArray
from .operators import apply, compare_const, logical
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder
    from .converter import FunctionConverter


def _len(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> int:
    (x,) = args
    if is_tensor(x):
        if x.ndim == 0:
            raise cv.fail("len() of unsized object")
        from .symbolic import dim

        return dim(cv.b, x, 0)
    if isinstance(x, HostObject):
        return len(x.value)
    if isinstance(x, (ListOfArray, row_lists.RowList)):
        return x.length(cv.b)
    try:
        return len(x)
    except TypeError as e:  # a generator expression, an object without __len__
        raise cv.fail(f"TypeError: {e}") from None


def _scalar_conversion(kind: type) -> Callable[..., Any]:
    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) == 1 and is_tensor(args[0]) and not kwargs:
            return to_python_scalar(cv.b, args[0], kind)
        if any(is_tensor(a) for a in args):
            raise cv.fail(f"{kind.__name__}() with these arguments is not converted")
        return evaluate(cv, kind, args, kwargs)

    return handler


def evaluate(cv: FunctionConverter, fn: Callable[..., Any], args: list[Any],
             kwargs: dict[str, Any]) -> Any:
    """A pure builtin on values known now, evaluated while converting. Builtins that look at
    their arguments' values (str, sorted, dict keys...) need plain ones: never a graph value or
    a host object's wrapper, whose repr or ordering would be janus's own."""
    looks = fn not in (tuple, list, enumerate, zip, reversed, range, len)
    if looks and not all(is_plain(a) for a in [*args, *kwargs.values()]):
        raise cv.fail(f"{fn.__name__}() of a value computed in the graph or read from the host "
                      "is not converted")
    try:
        return fn(*args, **kwargs)
    except Exception as e:
        raise cv.fail(f"{type(e).__name__}: {e}") from None


def _abs(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    (x,) = args
    return apply(cv.b, "absolute", [x], static_fn=builtins.abs)


def _min_max(name: str, op: str) -> Callable[..., Any]:
    py = getattr(builtins, name)

    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        items = cv.iterate(args[0]) if len(args) == 1 else list(args)
        if kwargs or not items:
            raise cv.fail(f"{name}() with these arguments is not converted")
        if not any(is_tensor(x) for x in items):
            return py(items)
        if any(is_tensor(x) and x.ndim for x in items):
            raise cv.fail(f"{name}() of arrays needs the truth value of an array")
        if any(is_tensor(x) and x.kind == ARRAY for x in items):
            raise cv.fail(f"{name}() of 0-d arrays returns one of the arrays itself")
        # Python's max(a, b) returns one of its arguments: select, keeping the winner's type.
        # The comparison is Python's `>` (exact between ints and floats).
        best = items[0]
        for x in items[1:]:
            compare = ("greater", operator.gt) if name == "max" else ("less", operator.lt)
            pick = apply(cv.b, compare[0], [x, best], static_fn=compare[1])
            if not is_tensor(pick):
                best = x if pick else best
                continue
            kinds = {v.kind if is_tensor(v) else PY_SCALAR for v in (x, best)}
            if len(kinds) > 1 or _dtype(x) != _dtype(best):
                raise cv.fail(f"{name}() of values of different types is not converted")
            best = cv.b.emit("where", [pick, _lift(cv, x), _lift(cv, best)], kinds.pop())
        return best

    return handler


def _dtype(v: Any) -> Any:
    return v.dtype if is_tensor(v) else type(v)


def _lift(cv: FunctionConverter, v: Any) -> Tensor:
    from .operators import lift

    return lift(cv.b, v)


def _sum(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    total: Any = args[1] if len(args) > 1 else kwargs.get("start", 0)
    if sequences.is_sequence(cv, args[0]):  # a run-time length: a loop, left to right
        return sequences.summed(cv, args[0], total)
    items = cv.iterate(args[0])
    for x in items:
        total = apply(cv.b, "add", [total, x], static_fn=lambda a, b: a + b)
    return total


def _static_builtin(fn: Callable[..., Any]) -> Callable[..., Any]:
    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if sequences.applies(cv, fn, args):  # over a list of run-time length: a loop's items
            return sequences.build(cv, fn, args, kwargs)
        if fn in (tuple, list, enumerate, zip, reversed, sorted) and args:
            args = [cv.iterate(a) if isinstance(a, (HostObject, ListOfArray,
                                                    sequences.RunTimeSequence)) or is_tensor(a)
                    else a for a in args]
        if any(is_tensor(a) for a in [*args, *kwargs.values()]) and fn not in (tuple, list,
                                                                               enumerate, zip,
                                                                               reversed):
            for a in [*args, *kwargs.values()]:  # a run-time input scalar: key on its value
                if is_tensor(a) and a.kind != ARRAY:
                    static(cv.b, a, f"the argument of {fn.__name__}()")
            raise cv.fail(f"{fn.__name__}() of a value computed in the graph is not converted")
        return evaluate(cv, fn, args, kwargs)

    return handler


def _getattr(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """getattr(obj, name[, default]) for a name known now: the attribute read (a default only
    for host objects, whose attribute's presence is guarded)."""
    from .calls import attribute

    if kwargs or len(args) not in (2, 3) or type(args[1]) is not str:
        raise cv.fail("getattr() with a name computed at run time is not converted")
    obj, name = args[0], args[1]
    if len(args) == 3:
        if not isinstance(obj, HostObject):
            raise cv.fail("getattr() with a default on a value made while converting is not "
                          "converted")
        if not host.has_attribute(cv, obj, name):
            return args[2]
    return attribute(cv, obj, name)


def _hasattr(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> bool:
    if kwargs or len(args) != 2 or type(args[1]) is not str or not isinstance(args[0],
                                                                              HostObject):
        raise cv.fail("hasattr() is converted for host objects and names known now")
    return host.has_attribute(cv, args[0], args[1])


def _isinstance(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> bool:
    x, cls = args
    if isinstance(x, HostObject):
        return isinstance(x.value, cls)
    if is_tensor(x):
        # A value of the type the call will see (shapes do not matter to isinstance).
        proxy = (x.py_type(0) if x.kind == PY_SCALAR else x.dtype.type(0)
                 if x.kind == NP_SCALAR else np.empty((0,) * x.ndim, x.dtype))
        return isinstance(proxy, cls)
    if isinstance(x, ListOfArray):
        return isinstance([], cls)
    return isinstance(x, cls)


def _print(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """print(...): an effect committed after the graph ran (frontend/effects.py)."""
    for k in kwargs:
        if k not in ("sep", "end", "file", "flush"):
            raise cv.fail(f"TypeError: '{k}' is an invalid keyword argument for print()")
    cv.conv.effects.print(cv.b, args, kwargs.get("sep"), kwargs.get("end"), kwargs.get("file"),
                          kwargs.get("flush", False))
    return None


def _text(fn: Callable[..., Any]) -> Callable[..., Any]:
    """str(x) / repr(x): known now for plain values, made at commit for graph values."""
    static = _static_builtin(fn)
    conversion = "s" if fn is str else "r"

    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) == 1 and not kwargs and printing.made_at_run_time(args[0]):
            return printing.format_later(cv.b, args[0], conversion, "")
        return static(cv, args, kwargs)
    return handler


def _math(op: str) -> Callable[..., Any]:
    """math.<op>(x): float64 arithmetic, with the ValueError ("math domain error") and
    OverflowError ("math range error") that `math` raises where C returns NaN or inf guarded in
    the graph."""
    fn = getattr(math, op)

    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) != 1 or kwargs:
            raise cv.fail(f"math.{op}() with these arguments is not converted")
        (x,) = args
        if not is_tensor(x):
            try:
                return fn(x)
            except Exception as e:
                raise cv.fail(f"{type(e).__name__}: {e}") from None
        if x.kind != PY_SCALAR:
            x = to_python_scalar(cv.b, x, float)
        if x.dtype != np.float64:
            x = cv.b.emit("astype", [x], PY_SCALAR, dtype=np.dtype(np.float64))
        out = cv.b.emit(_MATH_OPS[op], [x], PY_SCALAR)
        _guard_math_errors(cv.b, op, x, out)
        return out

    return handler


def _guard_math_errors(b: GraphBuilder, op: str, x: Tensor, out: Tensor) -> None:
    if op == "sqrt":
        bad, why = compare_const(b, "less", x, 0.0), "is not negative"
    elif op == "log":
        bad, why = compare_const(b, "less_equal", x, 0.0), "is positive"
    elif op in ("sin", "cos"):
        bad, why = b.emit("isinf", [x], PY_SCALAR), "is not infinite"
    elif op == "exp":
        bad = logical(b, "logical_and", b.emit("isinf", [out], PY_SCALAR),
                      b.emit("isfinite", [x], PY_SCALAR))
        b.guard(logical(b, "logical_not", bad), "error", "math.exp does not overflow (Python "
                "raises OverflowError: math range error)")
        return
    else:
        return
    b.guard(logical(b, "logical_not", bad), "error", f"the argument of math.{op} {why} (Python "
            "raises ValueError: math domain error)")


_MATH_OPS = {"exp": "exp", "log": "log", "sqrt": "sqrt", "tanh": "tanh", "sin": "sin",
             "cos": "cos", "fabs": "absolute"}

def _range(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """range(); with a bound computed at run time (an int argument that varies, `len` of a
    run-time value) it is the iterable of a loop converted to `scf.for`."""
    if not kwargs and 1 <= len(args) <= 3 and any(is_tensor(a) for a in args):
        from .relaxed_loops import dynamic_range

        for a in args:
            if is_tensor(a) and (a.ndim or a.dtype.kind not in "iu" or a.kind == ARRAY):
                raise cv.fail(f"TypeError: '{_range_type(a)}' object cannot be interpreted as "
                              "an integer")
            if not is_tensor(a) and (type(a) is not int):
                raise cv.fail("range() with these arguments is not converted")
        return dynamic_range(list(args))
    return evaluate(cv, range, args, kwargs)


def _range_type(t: Tensor) -> str:
    return "numpy.ndarray" if t.kind == ARRAY else t.dtype.name


BUILTINS: dict[Any, Callable[..., Any]] = {
    builtins.len: _len,
    builtins.range: _range,
    builtins.float: _scalar_conversion(float),
    builtins.int: _scalar_conversion(int),
    builtins.bool: _scalar_conversion(bool),
    builtins.abs: _abs,
    builtins.min: _min_max("min", "minimum"),
    builtins.max: _min_max("max", "maximum"),
    builtins.sum: _sum,
    builtins.isinstance: _isinstance,
    builtins.getattr: _getattr,
    builtins.hasattr: _hasattr,
    builtins.print: _print,
    builtins.str: _text(str),
    builtins.repr: _text(repr),
    **{fn: _static_builtin(fn) for fn in (tuple, list, enumerate, zip, reversed, dict,
                                          round, divmod, sorted, type)},
    **{getattr(math, op): _math(op) for op in _MATH_OPS},
}
