"""Changing the shape of a list or dict the caller can see: `losses.append(loss)`, `extend`,
`insert`, `pop`, a new key (`d["k"] = v`), `setdefault`, `update`, `del d[k]`.

Each is an effect (frontend/effects.py), committed after the graph as the same method call on the
caller's container, in program order. Once a call has changed a container's length or keys, the
converter no longer answers questions about it (its length, items, keys): the container becomes
`Mutated`, and any later read of it in the same call stops the conversion (the call runs as plain
Python; a later call, which finds the container changed, is converted again: lazy initialisation
converges). Appending, inserting and setting a key again are fine (they read nothing) — the
common shape of a training loop's `losses.append(...)`. Reads happen before the change, against
the container as the call found it (guarded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..speculation.sources import ItemOf
from .errors import Unconvertible
from .lift import HostObject, Mutated
from .pure import is_plain

if TYPE_CHECKING:
    from .converter import FunctionConverter

LIST_METHODS = frozenset({"append", "extend", "insert", "pop"})
DICT_METHODS = frozenset({"setdefault", "pop", "update"})
APPENDS = frozenset({"append", "extend", "insert"})  # read nothing: allowed again once changed


def real(value: Any) -> Any:
    return value.real if isinstance(value, Mutated) else value


def reads_nothing(obj: HostObject, name: str) -> bool:
    """Whether `obj.name(...)` changes the container without looking at it (allowed again
    after the call changed it, and keeping a list's length unguarded)."""
    container = real(obj.raw)
    return (isinstance(container, list) and name in APPENDS) or (
        isinstance(container, dict) and name == "update")


def call(cv: FunctionConverter, obj: HostObject, name: str, args: list[Any]) -> Any:
    """`obj.name(*args)` for a mutating list or dict method: its value, and the effect."""
    container = obj.raw  # (appending looks at nothing: a list's length stays unguarded)
    if isinstance(container, Mutated) and not reads_nothing(obj, name):
        raise Unconvertible(f"{name}() on {obj.source} after this call changed its length is "
                            "not converted", cv.b.where)
    if name == "insert":
        if len(args) != 2 or type(args[0]) is not int:
            raise cv.fail("list.insert() with this index is not converted")
        _changed(cv, obj, name, args)
        return None
    if name in APPENDS:
        if name == "extend":
            if len(args) != 1:
                raise cv.fail("list.extend() takes exactly one argument")
            args = [list(cv.iterate(args[0]))]
        elif len(args) != 1:
            raise cv.fail("list.append() takes exactly one argument")
        _changed(cv, obj, name, args)
        return None
    if isinstance(real(container), list):
        return _list_call(cv, obj, name, args)
    return _dict_call(cv, obj, name, args)


def _list_call(cv: FunctionConverter, obj: HostObject, name: str, args: list[Any]) -> Any:
    n = len(obj.value)
    index = args[0] if args else -1  # pop
    if len(args) > 1 or type(index) is not int:
        raise cv.fail("list.pop() with this index is not converted")
    if not -n <= index < n:
        raise cv.fail("IndexError: pop index out of range" if n else
                      "IndexError: pop from empty list")
    value = cv.conv.lifter.read(ItemOf(obj.source, index % n))
    _changed(cv, obj, name, [index])
    return value


def _dict_call(cv: FunctionConverter, obj: HostObject, name: str, args: list[Any]) -> Any:
    from .host import has_key

    if name == "update":
        if len(args) != 1 or type(args[0]) is not dict:
            raise cv.fail("dict.update() of anything but a dict the function built is not "
                          "converted")
        for key, value in args[0].items():
            set_key(cv, obj, key, value)
        return None
    if not args or len(args) > 2 or not is_plain(args[0]):
        raise cv.fail(f"dict.{name}() with these arguments is not converted")
    key = args[0]
    if has_key(cv, obj, key):
        value = cv.conv.lifter.read(ItemOf(obj.source, key))
        if name == "pop":
            _changed(cv, obj, "pop", [key])
        return value  # setdefault of a present key only reads
    if name == "pop":
        if len(args) == 2:
            return args[1]
        raise cv.fail(f"KeyError: {key!r}")
    default = args[1] if len(args) == 2 else None
    _changed(cv, obj, "setdefault", [key, default])
    return default


def set_key(cv: FunctionConverter, obj: HostObject, key: Any, value: Any) -> None:
    """`d[key] = value` on the caller's dict: an item write if the key is there (the dict keeps
    its shape), else a new key (the dict changed)."""
    from .host import has_key

    if not is_plain(key):
        raise cv.fail("a dict key computed in the graph is not converted")
    if not isinstance(obj.raw, Mutated) and has_key(cv, obj, key):
        cv.conv.effects.set_item(cv.b, obj, key, value)
        return
    _changed(cv, obj, "__setitem__", [key, value])


def delete_item(cv: FunctionConverter, obj: HostObject, key: Any) -> None:
    """`del d[key]` / `del lst[i]` on the caller's container."""
    from .host import has_key

    container = obj.value
    if isinstance(container, dict):
        if not is_plain(key) or not has_key(cv, obj, key):
            raise cv.fail(f"KeyError: {key!r}")
    elif isinstance(container, list):
        if type(key) is not int or not -len(container) <= key < len(container):
            raise cv.fail("IndexError: list assignment index out of range")
    else:
        raise cv.fail(f"deleting an item of {obj.source} is not converted")
    _changed(cv, obj, "__delitem__", [key])


def _changed(cv: FunctionConverter, obj: HostObject, name: str, args: list[Any]) -> None:
    cv.conv.effects.call_method(cv.b, obj, name, args)
    cv.conv.lifter.mutated(obj, Mutated(real(obj.raw), obj.source))
