"""Calls, attribute reads and subscripts: dispatch on what the callee or the base value is.

- NumPy functions and ndarray methods: by table (numpy_api).
- Python builtins that make sense on converted values (len, float, int, bool, abs, min, max,
  range, enumerate, zip, isinstance, tuple, list): by table below.
- Pure Python helpers and methods of host objects: inlined (their body converted in place with
  their own locals; their identity is an assumption checked on every call).
"""

from __future__ import annotations

import builtins
import inspect
import math
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import Unconvertible
from .indexing import subscript as index_array
from .lift import HostObject
from .numpy_api import FUNCTIONS, METHODS, PROPERTIES, to_python_scalar
from .operators import apply
from .sources import AttrOf, ItemOf
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


class TensorMethod:
    """`x.sum` before it is called."""

    def __init__(self, tensor: Tensor, name: str):
        self.tensor = tensor
        self.name = name


# ---------------------------------------------------------------------------------------------
# Attributes and subscripts
# ---------------------------------------------------------------------------------------------


def attribute(cv: FunctionConverter, base: Any, name: str) -> Any:
    if is_tensor(base):
        if name in PROPERTIES:
            return PROPERTIES[name](cv.b, base)
        if name in METHODS:
            return TensorMethod(base, name)
        raise cv.fail(f"ndarray attribute '{name}' is not converted")
    if isinstance(base, HostObject):
        return cv.conv.lifter.read(AttrOf(base.source, name))
    try:
        return getattr(base, name)
    except AttributeError as e:
        raise cv.fail(f"AttributeError: {e}") from None


def subscript(cv: FunctionConverter, base: Any, key: Any) -> Any:
    if is_tensor(base):
        return index_array(cv.b, base, key)
    if is_tensor(key) or (isinstance(key, tuple) and any(is_tensor(k) for k in key)):
        raise cv.fail("indexing a Python container with a value computed in the graph is not "
                      "converted")
    if isinstance(base, HostObject):
        if isinstance(key, slice):
            items = cv.iterate(base)
            return type(base.value)(items[key])
        return cv.conv.lifter.read(ItemOf(base.source, key))
    try:
        return base[key]
    except Exception as e:
        raise cv.fail(f"{type(e).__name__}: {e}") from None


# ---------------------------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------------------------


def call(cv: FunctionConverter, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if isinstance(fn, TensorMethod):
        return METHODS[fn.name](cv.b, [fn.tensor, *args], kwargs)
    if isinstance(fn, HostObject):
        raise cv.fail(f"calling a {type(fn.value).__name__} object is not converted")
    handler = _handler(fn)
    if handler is not None:
        return handler(cv, args, kwargs)
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        owner = _method_owner(cv, fn)
        return inline(cv, fn.__func__, [owner, *args], kwargs)
    if isinstance(fn, types.FunctionType):
        return inline(cv, fn, args, kwargs)
    if any(is_tensor(a) for a in [*args, *kwargs.values()]):
        name = getattr(fn, "__qualname__", type(fn).__name__)
        raise cv.fail(f"call to {name} is not converted")
    try:  # a call on constants only (e.g. math.sqrt(2)): compute it now
        return fn(*[_host(a) for a in args], **{k: _host(v) for k, v in kwargs.items()})
    except Exception as e:
        raise cv.fail(f"{type(e).__name__}: {e}") from None


def _handler(fn: Any) -> Callable[..., Any] | None:
    try:
        if fn in FUNCTIONS:
            f = FUNCTIONS[fn]
            return lambda cv, args, kwargs: f(cv.b, args, kwargs)
        return BUILTINS.get(fn)
    except TypeError:  # unhashable callee
        return None


def _host(v: Any) -> Any:
    if isinstance(v, HostObject):
        raise Unconvertible("passing a host object to an unconverted function")
    return v


def _method_owner(cv: FunctionConverter, method: types.MethodType) -> Any:
    """The `self` of a bound method read from a host object (found by identity)."""
    owner = method.__self__
    for value in cv.conv.lifter._cache.values():
        if isinstance(value, HostObject) and value.value is owner:
            return value
    raise cv.fail(f"method {method.__qualname__} of an object the graph did not read")


def inline(cv: FunctionConverter, fn: types.FunctionType, args: list[Any],
           kwargs: dict[str, Any]) -> Any:
    """Convert a call to a pure Python function by converting its body in place."""
    from .converter import MAX_INLINE_DEPTH, FunctionConverter, scope_name

    if cv.conv.depth >= MAX_INLINE_DEPTH:
        raise cv.fail(f"calls nested deeper than {MAX_INLINE_DEPTH} are not converted")
    if inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn):
        raise cv.fail(f"{fn.__qualname__} is a generator or coroutine")
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        raise cv.fail(f"TypeError: {e}") from None
    bound.apply_defaults()
    env = dict(bound.arguments)
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            env[p.name] = tuple(env.get(p.name, ()))
        elif p.kind is p.VAR_KEYWORD:
            env[p.name] = dict(env.get(p.name, {}))
    scope = scope_name(fn)
    known = cv.conv.functions.get(scope)
    if known is not None and known is not fn:
        raise cv.fail(f"two different functions named {scope}")
    cv.conv.depth += 1
    try:
        return FunctionConverter(cv.conv, fn, scope, env).run()
    finally:
        cv.conv.depth -= 1


# ---------------------------------------------------------------------------------------------
# Builtins
# ---------------------------------------------------------------------------------------------


def _len(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> int:
    (x,) = args
    if is_tensor(x):
        if x.ndim == 0:
            raise cv.fail("len() of unsized object")
        return x.shape[0]
    if isinstance(x, HostObject):
        return len(x.value)
    return len(x)


def _scalar_conversion(kind: type) -> Callable[..., Any]:
    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if len(args) == 1 and is_tensor(args[0]) and not kwargs:
            return to_python_scalar(cv.b, args[0], kind)
        if any(is_tensor(a) for a in args):
            raise cv.fail(f"{kind.__name__}() with these arguments is not converted")
        try:
            return kind(*args, **kwargs)
        except Exception as e:
            raise cv.fail(f"{type(e).__name__}: {e}") from None

    return handler


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
        # Python's max(a, b) returns one of its arguments: select, keeping the winner's type.
        best = items[0]
        for x in items[1:]:
            pick = apply(cv.b, "greater" if name == "max" else "less", [x, best])
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
    items = cv.iterate(args[0])
    total: Any = args[1] if len(args) > 1 else kwargs.get("start", 0)
    for x in items:
        total = apply(cv.b, "add", [total, x], static_fn=lambda a, b: a + b)
    return total


def _static_builtin(fn: Callable[..., Any]) -> Callable[..., Any]:
    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if fn in (tuple, list, enumerate, zip, reversed, sorted) and args:
            args = [cv.iterate(a) if isinstance(a, HostObject) or is_tensor(a) else a
                    for a in args]
        if any(is_tensor(a) for a in [*args, *kwargs.values()]) and fn not in (tuple, list,
                                                                               enumerate, zip,
                                                                               reversed):
            raise cv.fail(f"{fn.__name__}() of a value computed in the graph is not converted")
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise cv.fail(f"{type(e).__name__}: {e}") from None

    return handler


def _isinstance(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> bool:
    x, cls = args
    if isinstance(x, HostObject):
        return isinstance(x.value, cls)
    if is_tensor(x):
        proxy = {ARRAY: np.empty(x.shape, x.dtype), NP_SCALAR: x.dtype.type(0),
                 PY_SCALAR: x.py_type(0)}[x.kind]
        return isinstance(proxy, cls)
    return isinstance(x, cls)


def _print(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
    raise cv.fail("print() is not converted yet")


def _math(op: str) -> Callable[..., Any]:
    def handler(cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> Any:
        (x,) = args
        if not is_tensor(x):
            return getattr(math, op)(x)
        if x.kind != PY_SCALAR:
            x = to_python_scalar(cv.b, x, float)
        if x.dtype != np.float64:
            x = cv.b.emit("astype", [x], PY_SCALAR, dtype=np.dtype(np.float64))
        return cv.b.emit(_MATH_OPS[op], [x], PY_SCALAR)

    return handler


_MATH_OPS = {"exp": "exp", "log": "log", "sqrt": "sqrt", "tanh": "tanh", "sin": "sin",
             "cos": "cos", "fabs": "absolute"}

BUILTINS: dict[Any, Callable[..., Any]] = {
    builtins.len: _len,
    builtins.float: _scalar_conversion(float),
    builtins.int: _scalar_conversion(int),
    builtins.bool: _scalar_conversion(bool),
    builtins.abs: _abs,
    builtins.min: _min_max("min", "minimum"),
    builtins.max: _min_max("max", "maximum"),
    builtins.sum: _sum,
    builtins.isinstance: _isinstance,
    builtins.print: _print,
    **{fn: _static_builtin(fn) for fn in (range, tuple, list, enumerate, zip, reversed, dict,
                                          str, repr, round, divmod, sorted, type)},
    **{getattr(math, op): _math(op) for op in _MATH_OPS},
}
