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


from .. import autodiff
from . import (gradients, host, local_functions, loop_prints, random_draws, recursion, row_lists,
               stacked)
from .builtins_api import BUILTINS
from .indexing import subscript as index_array
from .lift import HostObject
from .numpy_api import FUNCTIONS, METHODS, PROPERTIES
from .pure import is_plain, is_pure, stores_only
from .tolist import ListOfArray
from ..speculation.sources import ClassAttr, DefaultArg, ItemOf
from .values import PY_SCALAR, Tensor, is_tensor

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
        if base.kind == PY_SCALAR:  # a Python int/float/bool: no ndarray attributes
            raise cv.fail(f"attribute '{name}' of a Python {base.py_type.__name__} computed in "
                          "the graph is not converted")
        if name in PROPERTIES:
            return PROPERTIES[name](cv.b, base)
        if name in METHODS:
            return TensorMethod(base, name)
        raise cv.fail(f"ndarray attribute '{name}' is not converted")
    if isinstance(base, HostObject):
        return host.attribute(cv, base, name)
    if isinstance(base, recursion.SchedNode):
        return base.call.attribute(base, name)
    if isinstance(base, recursion.ChildRef):
        raise cv.fail(f"attribute '{name}' of a child node is read before the recursive call "
                      "on it (not converted)")
    if isinstance(base, ListOfArray):
        raise cv.fail(f"list.{name} of a list from tolist() is not converted (the list is "
                      "built when the function returns)")
    if isinstance(base, row_lists.RowList):
        raise row_lists.refuse_attribute(cv, base, name)
    return host.raw_attribute(cv, base, name)


def subscript(cv: FunctionConverter, base: Any, key: Any) -> Any:
    if is_tensor(base):
        return index_array(cv.b, base, key)
    if isinstance(base, (ListOfArray, row_lists.RowList)):
        return base.item(cv.b, key)
    if is_tensor(key) and stacked.is_stacked(cv, base):
        return stacked.item(cv, base, key)
    if is_tensor(key) or (isinstance(key, tuple) and any(is_tensor(k) for k in key)):
        raise cv.fail("indexing a Python container with a value computed in the graph is not "
                      "converted")
    if isinstance(base, HostObject):
        if type(base.value) not in (tuple, list, dict):
            raise cv.fail(f"indexing a {type(base.value).__name__} would run its __getitem__")
        if isinstance(key, slice):
            items = cv.iterate(base)
            return type(base.value)(items[key])
        if isinstance(base.value, dict):
            host.has_key(cv, base, key)  # a missing key raises KeyError in the plain call
        return cv.conv.lifter.read(ItemOf(base.source, key))
    if not isinstance(base, (tuple, list, dict, str, bytes, range)):
        raise cv.fail(f"indexing a {type(base).__name__} is not converted")
    try:
        return base[key]
    except Exception as e:
        raise cv.fail(f"{type(e).__name__}: {e}") from None


# ---------------------------------------------------------------------------------------------
# Calls
# ---------------------------------------------------------------------------------------------


def call(cv: FunctionConverter, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if isinstance(fn, TensorMethod):
        args, kwargs = _unwrapped(cv, args), _unwrapped(cv, kwargs)
        return METHODS[fn.name](cv.b, [fn.tensor, *args], kwargs)
    if isinstance(fn, host.HostMethod):
        return host.call_method(cv, fn, args, kwargs)
    if isinstance(fn, random_draws.Drawer):
        return random_draws.draw(cv.b, fn, args, kwargs)
    if isinstance(fn, HostObject):
        if gradients.is_gradient(fn.value):  # a gradient function the code reads (a global)
            return gradients.call(cv, fn.value, args, kwargs)
        return _call_object(cv, fn, args, kwargs)
    if gradients.is_gradient(fn):
        return gradients.call(cv, fn, args, kwargs)
    if fn is autodiff.grad or fn is autodiff.value_and_grad:
        return gradients.make(cv, fn is autodiff.value_and_grad, args, kwargs)
    if isinstance(fn, local_functions.LocalFunction):
        return local_functions.call(cv, fn, args, kwargs)
    if isinstance(fn, (row_lists.Site, loop_prints.PrintSite)):  # an append or print of a loop
        return fn(cv, args, kwargs)
    query = _host_query(cv, fn, args, kwargs)
    if query is not _NO_QUERY:
        return query
    handler = _handler(fn)
    if handler is not None:
        return handler(cv, args, kwargs)
    if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
        owner = _method_owner(cv, fn)
        return inline(cv, fn.__func__, [owner, *args], kwargs)
    if isinstance(fn, types.FunctionType):
        return inline(cv, fn, args, kwargs)
    if _is_namedtuple_class(fn):
        try:  # its generated __new__ only packs the fields into a tuple
            return fn(*args, **kwargs)
        except TypeError as e:
            raise cv.fail(f"TypeError: {e}") from None
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    if not is_pure(fn):
        raise cv.fail(f"call to {name} is not converted (only functions on the pure list may "
                      "run while converting); the call runs as plain Python")
    if not stores_only(fn) and not all(is_plain(a) for a in [*args, *kwargs.values()]):
        raise cv.fail(f"call to {name} on values computed in the graph or read from the host "
                      "is not converted")
    try:  # a pure call on constants only (e.g. math.sqrt(2)): compute it now
        return fn(*args, **kwargs)
    except Exception as e:
        raise cv.fail(f"{type(e).__name__}: {e}") from None


_NO_QUERY = object()


def _host_query(cv: FunctionConverter, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """len/type/bool/str/repr of host objects (and type() of graph values), answered from the
    real objects with guards."""
    try:
        if fn not in _QUERIES or len(args) != 1 or kwargs:
            return _NO_QUERY
    except TypeError:
        return _NO_QUERY
    (x,) = args
    if fn is type:
        return host.type_of(cv, x)
    if not isinstance(x, HostObject):
        return _NO_QUERY
    if fn is len:
        return stacked.length(cv, x) if stacked.is_stacked(cv, x) else host.length(cv, x)
    if fn is bool:
        return host.truth(cv, x)
    return fn(host.plain_value(cv, x))  # str, repr


_QUERIES = {len, type, bool, str, repr}


def _call_object(cv: FunctionConverter, obj: HostObject, args: list[Any],
                 kwargs: dict[str, Any]) -> Any:
    """`layer(x)`: a host object whose class defines `__call__` in Python is inlined."""
    method = host.class_attr(type(obj.value), "__call__")
    if not isinstance(method, types.FunctionType):
        raise cv.fail(f"calling a {type(obj.value).__name__} object is not converted")
    cv.conv.lifter.read(ClassAttr(obj.source, "__call__"))  # guarded like a method
    return inline(cv, method, [obj, *args], kwargs)


def _is_namedtuple_class(fn: Any) -> bool:
    if not (isinstance(fn, type) and issubclass(fn, tuple) and hasattr(fn, "_fields")):
        return False
    new = fn.__dict__.get("__new__")
    new = getattr(new, "__func__", new)  # a staticmethod in the class dict
    return getattr(new, "__module__", "") == f"namedtuple_{fn.__name__}"


def _handler(fn: Any) -> Callable[..., Any] | None:
    try:
        if fn in FUNCTIONS:
            f = FUNCTIONS[fn]
            return lambda cv, args, kwargs: f(cv.b, _unwrapped(cv, args), _unwrapped(cv, kwargs))
        return BUILTINS.get(fn)
    except TypeError:  # unhashable callee
        return None


def _unwrapped(cv: FunctionConverter, value: Any) -> Any:
    """Host tuples and lists passed to NumPy (a pad width, a shape, a list of arrays held by a
    model) as converter tuples and lists of their elements, each read and guarded."""
    if isinstance(value, HostObject) and type(value.value) in (tuple, list):
        return type(value.value)(_unwrapped(cv, v) for v in cv.iterate(value))
    if type(value) in (tuple, list):
        return type(value)(_unwrapped(cv, v) for v in value)
    if type(value) is dict:
        return {k: _unwrapped(cv, v) for k, v in value.items()}
    return value


def _method_owner(cv: FunctionConverter, method: types.MethodType) -> Any:
    """The `self` of a bound method read from a host object (found by identity)."""
    owner = method.__self__
    for value in cv.conv.lifter._cache.values():
        if isinstance(value, HostObject) and value.value is owner:
            return value
    raise cv.fail(f"method {method.__qualname__} of an object the graph did not read")


MAX_INLINE_DEPTH = 64


def scope_name(fn: types.FunctionType) -> str:
    """The name a Python function's globals, cells and defaults are read under."""
    return f"{fn.__module__}.{fn.__qualname__}"


def inline(cv: FunctionConverter, fn: types.FunctionType, args: list[Any],
           kwargs: dict[str, Any]) -> Any:
    """Convert a call to a pure Python function by converting its body in place."""
    if cv.conv.depth >= MAX_INLINE_DEPTH:
        raise cv.fail(f"calls nested deeper than {MAX_INLINE_DEPTH} are not converted")
    if inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn):
        raise cv.fail(f"{fn.__qualname__} is a generator or coroutine")
    if args and isinstance(args[0], recursion.ChildRef):  # a recursive call on a child node
        return args[0].parent.call.child(fn, args[0], list(args[1:]), kwargs)
    if any(isinstance(a, recursion.ChildRef) for a in [*args, *kwargs.values()]):
        raise cv.fail("a child node of a recursion over a tree is passed to another function")
    if recursion.applies(fn, args):
        return recursion.convert_call(cv, fn, args, kwargs)
    env = bind_call(cv, fn, args, kwargs)
    cv.conv.depth += 1
    try:
        return cv.convert_callee(fn, scope_name(fn), env)
    finally:
        cv.conv.depth -= 1


def bind_call(cv: FunctionConverter, fn: types.FunctionType, args: list[Any],
              kwargs: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a call of `fn` bound to `args`/`kwargs` (defaults read from the
    function on every call)."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as e:
        raise cv.fail(f"TypeError: {e}") from None
    scope = scope_name(fn)
    known = cv.conv.functions.get(scope)
    if known is not None and known is not fn:
        raise cv.fail(f"two different functions named {scope}")
    cv.conv.functions[scope] = fn
    env = dict(bound.arguments)
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            env[p.name] = tuple(env.get(p.name, ()))
        elif p.kind is p.VAR_KEYWORD:
            env[p.name] = dict(env.get(p.name, {}))
        elif p.name not in env:  # a default: read (and guarded) on every call, never frozen
            env[p.name] = cv.conv.lifter.read(DefaultArg(p.name, scope))
    return env
