"""The closed list of callables the converter may evaluate while converting.

Conversion must never run user code or anything with an effect: a call the converter does not
turn into graph ops is evaluated at conversion time only when its callee is on this list and its
arguments are plain values (immutable constants, or containers the converted function built
itself). Everything else — `np.random.*`, `random.*`, `time.*`, `print`, methods that mutate a
host object (`log.append`, `d.update`, `next(it)`), any function that is neither converted nor
listed here — stops the conversion, and the call runs as plain Python with that reason.

The list:
- builtins: abs, all, any, ascii, bin, bool, callable, chr, complex, divmod, enumerate, float,
  format, frozenset, hex, int, isinstance, issubclass, len, list, dict, tuple, max, min, oct, ord,
  pow, range, repr, reversed, round, slice, sorted, str, sum, type, zip;
- every function of the `math` module, and the arithmetic, comparison and item-access functions
  of `operator`;
- NumPy dtype queries and constructors: np.dtype, np.iinfo, np.finfo, np.result_type,
  np.promote_types, np.can_cast, np.issubdtype, np.isscalar, np.ndim, np.shape, np.size, and the
  scalar types (np.float32(...), np.int64(...), ...);
- methods of immutable values (str, bytes, tuple, int, float, dtype) and of the lists, dicts and
  sets the converted function created itself (their changes are local to the conversion).
"""

from __future__ import annotations

import builtins
import math
import operator
import types
from typing import Any

import numpy as np

_BUILTINS = {getattr(builtins, n) for n in (
    "abs", "all", "any", "ascii", "bin", "bool", "callable", "chr", "complex", "divmod",
    "enumerate", "float", "format", "frozenset", "hex", "int", "isinstance", "issubclass", "len",
    "list", "dict", "tuple", "max", "min", "oct", "ord", "pow", "range", "repr", "reversed",
    "round", "slice", "sorted", "str", "sum", "type", "zip")}
_OPERATOR = {getattr(operator, n) for n in (
    "abs", "add", "and_", "contains", "eq", "floordiv", "ge", "getitem", "gt", "index", "inv",
    "invert", "is_", "is_not", "le", "lshift", "lt", "mod", "mul", "ne", "neg", "not_", "or_",
    "pos", "pow", "rshift", "sub", "truediv", "truth", "xor")}
_NUMPY = {np.dtype, np.iinfo, np.finfo, np.result_type, np.promote_types, np.can_cast,
          np.issubdtype, np.isscalar, np.ndim, np.shape, np.size}
_MATH = {v for v in vars(math).values() if isinstance(v, types.BuiltinFunctionType)}

PURE_CALLABLES: frozenset[Any] = frozenset(_BUILTINS | _OPERATOR | _NUMPY | _MATH)

# Values whose methods never change anything visible.
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, tuple, frozenset, range, slice,
              type(Ellipsis), np.generic, np.dtype)
_LOCAL_CONTAINERS = (list, dict, set)


# Methods of lists and dicts the converted function built that only store or move values (so
# they may hold graph values); other methods compare or hash their arguments and need plain ones.
STORING_METHODS = frozenset({"append", "extend", "insert", "pop", "clear", "copy", "reverse",
                             "__getitem__", "__len__", "keys", "values", "items"})


def stores_only(fn: Any) -> bool:
    """A list/dict method of a container built while converting that never looks at values."""
    owner = getattr(fn, "__self__", None)
    return (isinstance(fn, types.BuiltinMethodType) and type(owner) in (list, dict)
            and fn.__name__ in STORING_METHODS)


def is_pure(fn: Any) -> bool:
    """Whether the converter may call `fn` on plain values while converting."""
    try:
        if fn in PURE_CALLABLES:
            return True
    except TypeError:  # unhashable callee
        return False
    if isinstance(fn, type) and issubclass(fn, np.generic):
        return True  # NumPy scalar constructors
    if isinstance(fn, (types.BuiltinMethodType, types.MethodWrapperType)):
        owner = getattr(fn, "__self__", None)
        return isinstance(owner, _IMMUTABLE + _LOCAL_CONTAINERS)
    return False


def is_plain(value: Any, depth: int = 0) -> bool:
    """An immutable constant, or a container of plain values built while converting."""
    if depth > 64:
        return False
    if isinstance(value, _IMMUTABLE) and not isinstance(value, (tuple, frozenset)):
        return True
    if isinstance(value, type) and type(value) is type and (
            value.__module__ == "builtins" or value.__module__.startswith("numpy")):
        return True  # `type(x) in (tuple, list)`: a class of the interpreter's or NumPy's
    if isinstance(value, (tuple, list, set, frozenset)):
        return all(is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(is_plain(k, depth + 1) and is_plain(v, depth + 1) for k, v in value.items())
    return False
