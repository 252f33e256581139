"""Questions about host objects, answered from the real object and guarded.

A host object (a model, a config module, a tuple of layers, a dict of parameters) is wrapped as
`HostObject(source, value)`. Whatever the converter learns from it — an attribute, `len(d)`,
`type(lst) is list`, `mode == ("relu",)`, `a is b`, `3 in lst`, `if d:` — is read from the real
object and recorded as a guard on its source, so a later call whose objects answer differently
does not reuse the graph. Nothing here runs user code: attribute reads that would (a property
getter, `__getattr__`) are converted as calls instead, or refused.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import numpy as np

from .effects import MISSING
from . import container_writes, random_draws
from .lift import HostObject
from .pure import is_plain
from .tolist import ListOfArray
from ..speculation.sources import AttrOf, ClassAttr, ItemOf, Source
from .values import ARRAY, NP_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

_CONTAINERS = (tuple, list, dict)


class HostMethod:
    """`d.get` / `lst.index` on a host container before it is called."""

    def __init__(self, obj: HostObject, name: str):
        self.obj = obj
        self.name = name


# ---------------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------------


def attribute(cv: FunctionConverter, obj: HostObject, name: str) -> Any:
    """`obj.name`, read the way Python would but without running user code."""
    if cv.conv.effects.is_held(obj, name):
        raise cv.fail(f"{obj.source}.{name} is read through another name inside a loop over a "
                      "run-time length that assigns it (not converted)")
    written = cv.conv.effects.attribute(obj, name)
    if written is not MISSING:  # assigned earlier in this call
        return written
    if container_writes.reads_nothing(obj, name):  # (no length guard: it reads nothing)
        return HostMethod(obj, name)
    value, cls = obj.value, type(obj.value)
    if isinstance(value, random_draws.GENERATOR_TYPES) and callable(getattr(cls, name, None)):
        cv.conv.lifter.entry(obj.source, "type", cls)
        return random_draws.Drawer(obj, None, name)  # rng.normal(...): drawn on the host
    if type(value) in _CONTAINERS:
        if callable(getattr(value, name, None)):
            return HostMethod(obj, name)
        raise cv.fail(f"attribute '{name}' of a {cls.__name__} is not converted")
    if _custom_getattribute(cls):
        raise cv.fail(f"{cls.__name__} customises attribute lookup (__getattribute__/"
                      "__getattr__); reading its attributes would run user code")
    found = class_attr(cls, name)
    if isinstance(found, property):
        if found.fget is None or not isinstance(found.fget, types.FunctionType):
            raise cv.fail(f"property {cls.__name__}.{name} has no Python getter")
        cv.conv.lifter.read(ClassAttr(obj.source, name))  # the property itself is guarded
        from .calls import inline

        return inline(cv, found.fget, [obj], {})
    if found is not _MISSING and is_data_descriptor(found) and not isinstance(
            found, types.MemberDescriptorType):
        raise cv.fail(f"{cls.__name__}.{name} is a descriptor; reading it would run its code")
    instance_dict = getattr(value, "__dict__", None)
    in_instance = isinstance(instance_dict, dict) and name in instance_dict
    if found is _MISSING and not in_instance and _has_getattr(cls):
        raise cv.fail(f"{cls.__name__}.{name} would be computed by __getattr__ (user code)")
    return cv.conv.lifter.read(AttrOf(obj.source, name))


def has_attribute(cv: FunctionConverter, obj: HostObject, name: str) -> bool:
    """hasattr(obj, name) for a host object, answered without running user code (a class with
    __getattr__ or a custom __getattribute__ is refused) and guarded on every call."""
    if cv.conv.effects.attribute(obj, name) is not MISSING:  # assigned earlier in this call
        return True
    value, cls = obj.value, type(obj.value)
    if _custom_getattribute(cls) or _has_getattr(cls):
        raise cv.fail(f"{cls.__name__} customises attribute lookup; hasattr() would run user "
                      "code")
    found = class_attr(cls, name)
    if isinstance(found, property) or (found is not _MISSING and is_data_descriptor(found)
                                       and not isinstance(found, types.MemberDescriptorType)):
        raise cv.fail(f"{cls.__name__}.{name} is a property or descriptor; hasattr() would run "
                      "its code")
    present = hasattr(value, name)
    cv.conv.lifter.entry(obj.source, "has_attr", (name, present))
    return present


def check_settable(cv: FunctionConverter, obj: HostObject, name: str) -> None:
    """Refuse a write to an attribute that would run user code (`__setattr__`, a property or
    descriptor) or that Python itself would refuse."""
    value, cls = obj.value, type(obj.value)
    if type(value) in (tuple, list, dict) or isinstance(value, np.ndarray):
        raise cv.fail(f"AttributeError: '{cls.__name__}' object attribute '{name}' is "
                      "read-only")
    if class_attr(cls, "__setattr__") is not object.__setattr__:
        raise cv.fail(f"{cls.__name__} defines __setattr__; assigning its attributes "
                      "would run user code")
    found = class_attr(cls, name)
    if is_data_descriptor(found):
        raise cv.fail(f"{cls.__name__}.{name} is a property or descriptor; assigning it "
                      "would run its code")
    if not isinstance(getattr(value, "__dict__", None), dict):
        raise cv.fail(f"{cls.__name__} objects keep no attribute dictionary (__slots__): "
                      "assigning their attributes is not converted")


def raw_attribute(cv: FunctionConverter, value: Any, name: str) -> Any:
    """An attribute of a module, class or function the graph read: read through its source,
    so `cfg.SCALE`, `Cfg.scale` and `helper.pred` are guarded like any other read."""
    if isinstance(value, types.ModuleType):  # a global this call assigned, read as mod.X
        written = cv.conv.effects.module_attribute(value, name)
        if written is not MISSING:
            return written
    source = cv.conv.lifter.origin.get(id(value))
    if source is None or isinstance(value, np.ufunc) or (
            isinstance(value, type) and issubclass(value, np.generic)):
        try:
            found = getattr(value, name)
        except AttributeError as e:
            raise cv.fail(f"AttributeError: {e}") from None
        owner = random_draws.global_generator(found)
        return found if owner is None else random_draws.Drawer(None, owner, found.__name__)
    if isinstance(value, type) and (_custom_getattribute(type(value))):
        raise cv.fail(f"class {value.__name__} has a metaclass that customises attribute "
                      "lookup")
    return cv.conv.lifter.read(AttrOf(source, name))


_MISSING = object()


def class_attr(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return _MISSING


def is_data_descriptor(v: Any) -> bool:
    t = type(v)
    return hasattr(t, "__get__") and (hasattr(t, "__set__") or hasattr(t, "__delete__"))


def _custom_getattribute(cls: type) -> bool:
    return class_attr(cls, "__getattribute__") not in (object.__getattribute__,
                                                         type.__getattribute__,
                                                         types.ModuleType.__getattribute__)


def _has_getattr(cls: type) -> bool:
    return class_attr(cls, "__getattr__") is not _MISSING


# ---------------------------------------------------------------------------------------------
# Container methods that only read
# ---------------------------------------------------------------------------------------------


def call_method(cv: FunctionConverter, m: HostMethod, args: list[Any],
                kwargs: dict[str, Any]) -> Any:
    obj, name = m.obj, m.name
    if kwargs:
        raise cv.fail(f"{type(obj.raw).__name__}.{name}() with keyword arguments is not "
                      "converted")
    container = container_writes.real(obj.raw)
    if (isinstance(container, list) and name in container_writes.LIST_METHODS) or (
            isinstance(container, dict) and name in container_writes.DICT_METHODS):
        return container_writes.call(cv, obj, name, args)
    if isinstance(obj.value, dict):
        if name == "get" and 1 <= len(args) <= 2:
            key = _plain_key(cv, args[0])
            if has_key(cv, obj, key):
                return cv.conv.lifter.read(ItemOf(obj.source, key))
            return args[1] if len(args) == 2 else None
        if name in ("keys", "values", "items") and not args:
            keys = dict_keys(cv, obj)
            vals = [cv.conv.lifter.read(ItemOf(obj.source, k)) for k in keys]
            return {"keys": keys, "values": vals, "items": list(zip(keys, vals))}[name]
    if name in ("index", "count") and isinstance(obj.value, (tuple, list)):
        items = plain_value(cv, obj)
        try:
            return getattr(items, name)(*[_plain_key(cv, a) for a in args])
        except ValueError as e:
            raise cv.fail(f"ValueError: {e}") from None
    raise cv.fail(f"{type(obj.value).__name__}.{name}() on {obj.source} is not converted (it "
                  "changes a host object, or is not a pure read); the call runs as plain Python")


def _plain_key(cv: FunctionConverter, key: Any) -> Any:
    if not is_plain(key):
        raise cv.fail("a key or item computed in the graph is not converted")
    return key


def has_key(cv: FunctionConverter, obj: HostObject, key: Any) -> bool:
    present = key in obj.value
    cv.conv.lifter.entry(obj.source, "has", (key, present))
    return present


def dict_keys(cv: FunctionConverter, obj: HostObject) -> list[Any]:
    keys = tuple(obj.value)
    if not all(is_plain(k) for k in keys):
        raise cv.fail(f"{obj.source} has keys that are not plain values")
    cv.conv.lifter.entry(obj.source, "keys", keys)
    return list(keys)


# ---------------------------------------------------------------------------------------------
# Builtins applied to host objects
# ---------------------------------------------------------------------------------------------


def length(cv: FunctionConverter, obj: HostObject) -> int:
    if type(obj.value) not in _CONTAINERS:
        raise cv.fail(f"len() of a {type(obj.value).__name__} would run its __len__")
    if obj.source in cv.conv.lifter.policy.stacked:
        raise cv.fail(f"the length of {obj.source} varies between calls; it is only converted "
                      "as the iterable of a loop, in len() and as a list indexed at run time")
    n = len(obj.value)
    cv.conv.lifter.entry(obj.source, "len", n)
    return n


def truth(cv: FunctionConverter, obj: HostObject) -> bool:
    cls = type(obj.value)
    if cls in _CONTAINERS:
        return length(cv, obj) > 0
    if class_attr(cls, "__bool__") is not _MISSING or class_attr(cls, "__len__") is not _MISSING:
        raise cv.fail(f"the truth value of a {cls.__name__} would run its __bool__/__len__")
    return True  # an object without __bool__/__len__ is always true (its type is guarded)


def type_of(cv: FunctionConverter, x: Any) -> type:
    """type(x): the real type of a host object (guarded on entry), NumPy's for graph values."""
    if isinstance(x, HostObject):
        return type(x.value)
    if is_tensor(x):
        return (np.ndarray if x.kind == ARRAY else x.dtype.type if x.kind == NP_SCALAR
                else x.py_type)
    if isinstance(x, ListOfArray):  # built by the output template (frontend/tolist.py)
        return list
    return type(x)


def plain_value(cv: FunctionConverter, x: Any, depth: int = 0) -> Any:
    """A host container of plain values as that value, each element read (and guarded)."""
    if not isinstance(x, HostObject):
        if is_plain(x):
            return x
        raise cv.fail("comparing or formatting a value computed in the graph is not converted")
    if depth > 16 or type(x.value) not in _CONTAINERS:
        raise cv.fail(f"{x.source} is a {type(x.value).__name__}; using it as a value would "
                      "run its methods")
    lift = cv.conv.lifter
    if isinstance(x.value, dict):
        keys = dict_keys(cv, x)
        return {k: plain_value(cv, lift.read(ItemOf(x.source, k)), depth + 1) for k in keys}
    n = length(cv, x)
    items = [plain_value(cv, lift.read(ItemOf(x.source, i)), depth + 1) for i in range(n)]
    return tuple(items) if type(x.value) is tuple else items


def source_of(cv: FunctionConverter, x: Any) -> Source | None:
    if isinstance(x, HostObject):
        return x.source
    if isinstance(x, Tensor):
        return x.source if x.kind == ARRAY and not x.fresh else None
    return cv.conv.lifter.origin.get(id(x))


def identical(cv: FunctionConverter, a: Any, b: Any) -> bool | None:
    """`a is b` between host objects (or objects read from the host): the answer, guarded.
    None when neither side comes from the host (the caller decides)."""
    sa, sb = source_of(cv, a), source_of(cv, b)
    if sa is None and sb is None:
        return None
    va = a.value if isinstance(a, HostObject) else a
    vb = b.value if isinstance(b, HostObject) else b
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if sa is None or sb is None:
            return False  # a graph-made array is never a caller's object
        same = sa == sb or _fetch_same(cv, sa, sb)
    else:
        same = va is vb
    if sa is not None and sb is not None:
        cv.conv.lifter.entry(sa, "same", (sb, same))
    return same


def _fetch_same(cv: FunctionConverter, sa: Source, sb: Source) -> bool:
    frame = cv.conv.lifter.frame
    return sa.get(frame) is sb.get(frame)
