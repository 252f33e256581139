"""The ordered effect log of a converted call: what it does to the Python heap and the outside
world, committed by the runtime only once the whole graph has succeeded.

In plain Python a call's effects happen as it runs. A graph's happen nowhere while it runs: the
converter records each effect here, in program order, with the values it needs as graph values
or host sources, and the runtime (runtime/commit.py) applies them after every in-graph guard has
held. A guard failing after a print and a heap write therefore leaves no trace, and the plain
re-run produces the plain-Python state and output exactly.

- **In-place writes to the caller's arrays** (`x += 1`, `self.w -= lr * g`, `x[i] = v`,
  `np.add(x, y, out=x)` on an argument, attribute, global or element): frontend/heap.py models
  them on the input's root like any other write; at the end, each written input's final
  contents are a graph result, copied into the caller's array object (`target[...] = new`),
  so every alias and view of it the caller holds sees the write. The graph relied on those
  arrays sharing memory with no other array it read: an entry guard checks that on every call
  (`Kind.DISJOINT`), and a call whose arrays overlap gets a conversion that refuses.
- **Attribute writes** (`self.step = self.step + 1`, new attributes) on objects with plain
  attribute storage, **global writes** (`global STEP`), and **print**: effects in program order.
  A later read in the same call sees the written value (`attribute`/`global_value`).
  Objects written are guarded to be as identical to, or distinct from, the other objects the
  graph read as in this call, so a write through one name is seen through the others.

On one side of a branch on array data (an `scf.if`, frontend/relaxed_if.py):
- a print, or an append or insert of numbers, is conditional: the values it needs leave the
  `scf.if` as results (zeros on the other side), and it is applied when the branch's predicate
  went its way (`Conditional`);
- an attribute, item or global assignment (`self.best = loss`, `state["x"] = x`) is merged
  like a name: the value at the end of each side (the value of before the branch on a side
  that does not assign it) becomes one result, assigned after the branch whichever side ran.
In a loop over a run-time length (an `scf.for`), a `print(...)` statement at the top level of the
body prints its rows after the graph (frontend/loop_prints.py), and numbers appended to the
caller's list extend it (frontend/row_lists.py). Other effects inside a region (such a loop, a
differentiated function) are refused for now: they would need ordering inside the graph.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..speculation.assumptions import Kind, overlaps
from ..speculation.sources import (AttrOf, ClosureVar, GlobalVar, ItemOf, Source, Stacked,
                                   StackedField)
from .errors import Unconvertible
from .container_writes import real
from .heap import WRITABLE_SOURCES
from .lift import HostObject
from .values import ARRAY, JOURNALS, NP_SCALAR, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder
    from .lift import Lifter

@dataclass
class Print:
    args: list[Any]  # values (array tensors snapshotted when printed)
    sep: str
    end: str
    file: Source | None  # None: sys.stdout as it is when the effect is committed
    flush: bool


@dataclass
class SetAttr:
    obj: HostObject
    name: str
    value: Any


@dataclass
class SetItem:
    obj: HostObject  # a dict or list the caller can see
    key: Any
    value: Any


@dataclass
class CallMethod:
    obj: HostObject  # a list or dict the caller can see, changed in length or keys
    name: str  # append, extend, insert, pop, setdefault, __setitem__, __delitem__
    args: list[Any]


@dataclass
class SetName:
    source: GlobalVar | ClosureVar  # a global of a module, or a closure cell
    value: Any
    fn: Any = None  # the function whose global or cell it is


@dataclass
class Conditional:
    """An effect made on one side of a branch on array data (an `scf.if`): applied when the
    branch's predicate `flag` was `taken` (true for the `if` side)."""

    flag: Tensor
    taken: bool
    effect: Print | CallMethod


@dataclass
class LoopPrints:
    """The prints of a loop whose trip count is computed at run time (frontend/loop_prints.py):
    `trips` iterations, each printing every print's row in body order. A print is (columns,
    sep, end, file, flush); a column is a RowList of the values printed, or ("static", v)."""

    trips: Tensor
    prints: list[tuple[list[Any], Any, Any, Any, bool]]


@dataclass
class SideEffects:
    """What one side of a branch on array data does while it is converted: prints and appends
    (applied when the side is taken), and the attributes and items it assigns (`slots`: merged
    with the other side's values after the branch, then assigned unconditionally)."""

    depth: int  # the region depth of the side's own block (len(JOURNALS) inside it)
    writes_before: dict[Any, Any]  # the overlays of assigned values when the side began
    names_before: dict[Any, Any]
    effects: list[tuple[Any, str]] = field(default_factory=list)
    slots: dict[Any, tuple[SetAttr | SetItem, str]] = field(default_factory=dict)
    values: dict[Any, Any] = field(default_factory=dict)  # slot -> its value at the side's end


@dataclass(eq=False)
class Formatted:
    """A string made from values known only when the graph runs (an f-string of a tensor,
    `str(x)`): pieces of text and (value, conversion, format spec) to format at commit. It may
    be printed, stored or returned; anything that looks at its text is not converted."""

    parts: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        raise Unconvertible("the truth of a string made from graph values is not converted")


class Effects:
    """The effect log of one conversion, and what later reads in it must see."""

    def __init__(self, writes: dict[tuple[Any, int, Any], Any]) -> None:
        self.log: list[Print | SetAttr | SetItem | SetName | CallMethod | Conditional] = []
        self.where: list[str] = []  # the user's file:line of each
        self.sides: list[SideEffects] = []  # branches on array data being converted
        self.notes: list[str] = []  # the write plan in words, once it is made (explain())
        self.writes = writes  # the lifter's: later reads of what was assigned see it
        self.names: dict[tuple[Any, ...], Any] = {}  # a global's or cell's storage -> value
        self.written_objects: dict[int, HostObject] = {}

    def record(self, b: GraphBuilder, effect: Any, what: str, slot: Any = None) -> None:
        if JOURNALS:
            side = self.sides[-1] if self.sides else None
            if side is not None and side.depth == len(JOURNALS):
                if isinstance(effect, Print) or (
                        isinstance(effect, CallMethod) and effect.name in ("append", "insert")
                        and not any(t.kind == ARRAY for t in tensors_in(effect.args))):
                    side.effects.append((effect, b.where))  # conditional when the sides merge
                    return
                if slot is not None:  # assigned again after the branch, from both sides
                    side.slots[slot] = (effect, b.where)
                    return
            raise Unconvertible(f"{what} inside a loop over a run-time length, a branch on "
                                "array data or a differentiated function is not converted yet",
                                b.where)
        self.log.append(effect)
        self.where.append(b.where)

    def loop_prints(self, b: GraphBuilder, effect: LoopPrints) -> None:
        for _, sep, end, file, flush in effect.prints:
            self._check_print_options(b, sep, end, file, flush)
        self.record(b, effect, "print() in a loop whose trip count is computed at run time")

    def open_side(self) -> SideEffects:
        """What the side of a branch on array data about to be converted does goes here."""
        side = SideEffects(len(JOURNALS) + 1, dict(self.writes), dict(self.names))
        self.sides.append(side)
        return side

    def close_side(self, side: SideEffects) -> None:
        """The side's end: what it assigned is kept in `side.values`, and later reads see the
        values of before the branch again (until the sides merge)."""
        self.sides.remove(side)
        side.values = {slot: (self.names if slot[0] in ("global", "cell") else self.writes)[slot]
                       for slot in side.slots}
        self.writes.clear()
        self.writes.update(side.writes_before)
        self.names.clear()
        self.names.update(side.names_before)

    def add_conditional(self, effect: Conditional, where: str) -> None:
        self.log.append(effect)
        self.where.append(where)

    # --- attributes and globals -------------------------------------------------------------
    def set_attr(self, b: GraphBuilder, obj: HostObject, name: str, value: Any) -> None:
        slot = (AttrOf, id(obj.value), name)
        self.record(b, SetAttr(obj, name, value), f"assigning {obj.source}.{name}", slot)
        self.writes[slot] = value
        self.written_objects[id(obj.value)] = obj

    @staticmethod
    def _check_print_options(b: GraphBuilder, sep: Any, end: Any, file: Any,
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

    def attribute(self, obj: HostObject, name: str) -> Any:
        """The value this call wrote to `obj.name` so far, or MISSING."""
        return self.writes.get((AttrOf, id(real(obj.raw)), name), MISSING)

    def set_item(self, b: GraphBuilder, obj: HostObject, key: Any, value: Any) -> None:
        """`d[key] = value` / `lst[i] = value` on a container the caller passed. Only existing
        keys and in-range indices: the container keeps its length and key order, so every
        other question asked of it (len, keys, membership) keeps its answer."""
        container = obj.value  # (a container this call changed in length refuses here)
        if isinstance(container, dict):
            if type(key) not in (str, int, bool, float, tuple) or key not in container:
                raise Unconvertible(f"adding a key to {obj.source} (a dict the caller can see) "
                                    "is not converted yet", b.where)
        elif isinstance(container, list):
            if type(key) is not int or not -len(container) <= key < len(container):
                raise Unconvertible(f"item assignment to {obj.source} at {key!r} (a list the "
                                    "caller can see) is converted only at an index in range",
                                    b.where)
            key %= len(container)
        else:
            raise Unconvertible(f"TypeError: '{type(container).__name__}' object does not "
                                "support item assignment", b.where)
        slot = (ItemOf, id(container), key)
        self.record(b, SetItem(obj, key, value), f"assigning an item of {obj.source}", slot)
        self.writes[slot] = value
        self.written_objects[id(container)] = obj

    def call_method(self, b: GraphBuilder, obj: HostObject, name: str, args: list[Any]) -> None:
        """`obj.name(*args)` on a list or dict of the caller's (frontend/container_writes.py)."""
        self.record(b, CallMethod(obj, name, list(args)), f"{name}() on {obj.source}")
        self.written_objects[id(real(obj.raw))] = obj

    def set_name(self, b: GraphBuilder, source: GlobalVar | ClosureVar, fn: Any,
                 value: Any) -> None:
        """`global X; X = value` or `nonlocal x; x = value` in the function `fn`."""
        slot = _storage(source, fn)
        self.record(b, SetName(source, value, fn), f"assigning {source}", slot)
        self.names[slot] = value

    def module_attribute(self, module: Any, name: str) -> Any:
        """What this call assigned to the global `name` of `module` so far, or MISSING."""
        return self.names.get(("global", id(module.__dict__), name), MISSING)

    def name_value(self, source: GlobalVar | ClosureVar, fn: Any) -> Any:
        """What this call assigned to the global or cell so far, or MISSING."""
        return self.names.get(_storage(source, fn), MISSING) if self.names else MISSING

    # --- print ------------------------------------------------------------------------------
    def print(self, b: GraphBuilder, args: list[Any], sep: Any, end: Any, file: Any,
              flush: Any) -> None:
        source = self._check_print_options(b, sep, end, file, flush)
        snapshot = [printable(b, a) for a in args]
        self.record(b, Print(snapshot, " " if sep is None else sep,
                             "\n" if end is None else end, source, flush), "print()")


MISSING = object()


def _storage(source: GlobalVar | ClosureVar, fn: Any) -> tuple[Any, ...]:
    """Where a global or a closure variable lives: the same storage through every helper that
    reads it (helpers of one module share its globals; closures may share a cell)."""
    if isinstance(source, GlobalVar):
        return ("global", id(fn.__globals__), source.name)
    cell = fn.__closure__[fn.__code__.co_freevars.index(source.name)]
    return ("cell", id(cell))


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


# --- in-place writes to the caller's arrays -----------------------------------------------------


def written_inputs(b: GraphBuilder) -> list[Tensor]:
    """The caller's arrays this conversion wrote in place, in the order they were read."""
    return [t for t in b.input_tensors() if t.kind == ARRAY and t.version > 0 and not t.fresh]


def guard_write_backs(b: GraphBuilder, lifter: Lifter) -> None:
    """The entry guards a graph that writes the caller's arrays or objects relies on; refuse
    (Unconvertible) a call in which they already do not hold."""
    written = written_inputs(b)
    if not written:
        return
    arrays = [t for t in b.input_tensors() if t.kind == ARRAY and not t.fresh]
    for t in written:
        target = t.source.get(lifter.frame)
        if not target.flags.writeable:
            raise Unconvertible(f"ValueError: {t.source} is read-only (assignment destination "
                                "is read-only)", b.where)
        for o in arrays:
            other = _read_from(b, o)
            if o is not t and overlaps(target, other.get(lifter.frame)):
                raise Unconvertible(f"{t.source} is written in place and shares memory with "
                                    f"{other}: this aliasing is not converted", b.where)
    # One guard for all of them: each call checks every pair at once (speculation/assumptions).
    lifter.entry(written[0].source, "disjoint",
                 (tuple(t.source for t in written),
                  tuple(_read_from(b, o) for o in arrays if o.version == 0 or o.fresh)))


def changed_constants(effects: Effects, lifter: Lifter) -> list[Source]:
    """Python scalars read as speculated constants that the call assigns another value (or a
    run-time one): the next call would see them change."""
    changed = []
    for e in effects.log:
        if isinstance(e, SetAttr):
            target: Source = AttrOf(e.obj.source, e.name)
        elif isinstance(e, SetItem):
            target = ItemOf(e.obj.source, e.key)
        elif isinstance(e, SetName):
            target = e.source
        else:
            continue
        guard = lifter.assumptions.get((Kind.VALUE, target))
        if guard is not None and (is_tensor(e.value) or type(e.value) is not type(
                guard.expected) or e.value != guard.expected):
            changed.append(target)
    return changed


def guard_object_identities(effects: Effects, lifter: Lifter) -> None:
    """Objects written are as identical to, or distinct from, every other object read."""
    objects = lifter.host_objects()
    for written in effects.written_objects.values():
        mine = real(written.raw)
        for other in objects:
            theirs = real(other.raw)
            if other.source != written.source and type(theirs) is type(mine):
                lifter.entry(written.source, "same", (other.source, theirs is mine))


def _read_from(b: GraphBuilder, t: Tensor) -> Source:
    """Where the caller's memory behind input `t` is read from: its source, or for a stack the
    host builds, the list it stacks."""
    if isinstance(t.source, WRITABLE_SOURCES):
        return t.source
    if isinstance(t.source, (Stacked, StackedField)):
        return t.source.base
    raise Unconvertible(f"writing the caller's arrays in a graph that also reads {t.source} is "
                        "not converted", b.where)
