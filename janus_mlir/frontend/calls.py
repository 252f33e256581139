"""Calls, attribute reads and subscripts: dispatch on what the callee or the base value is.

- NumPy functions and ndarray methods: by table (numpy_api).
- Python builtins that make sense on converted values (len, float, int, bool, abs, min, max,
  range, enumerate, zip, isinstance, tuple, list): by table below.
- Pure Python helpers and methods of host objects: inlined (their body converted in place with
  their own locals; their identity is an assumption checked on every call).
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any


from .builtins_api import BUILTINS
from .errors import Unconvertible
from .indexing import subscript as index_array
from .lift import HostObject
from .numpy_api import FUNCTIONS, METHODS, PROPERTIES
from .sources import AttrOf, ItemOf
from .values import Tensor, is_tensor

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
