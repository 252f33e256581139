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
  (`Kind.DISJOINT`, frontend/write_backs.py), and a call whose arrays overlap gets a conversion
  that refuses.
- **Attribute and item writes** (`self.step = self.step + 1`, new attributes, `d[k] = v`) on
  objects with plain attribute storage, **global and cell writes** (`global STEP`), changes of
  a container's length (frontend/container_writes.py) and **print** (frontend/printing.py):
  effects in program order. A later read in the same call sees the written value (the lifter's
  overlay, `attribute`, `name_value`). Objects written are guarded to be as identical to, or
  distinct from, the other objects the graph read as in this call, so a write through one name
  is seen through the others.

On one side of a branch on array data (an `scf.if`, frontend/relaxed_if.py):
- a print, or an append or insert of numbers, is conditional: the values it needs leave the
  `scf.if` as results (zeros on the other side), and it is applied when the branch's predicate
  went its way (`Conditional`);
- an attribute, item or global assignment (`self.best = loss`, `state["x"] = x`) is merged
  like a name: the value at the end of each side (the value of before the branch on a side
  that does not assign it) becomes one result, assigned after the branch whichever side ran.
In a loop over a run-time length (an `scf.for`), a `print(...)` statement at the top level of the
body prints its rows after the graph (frontend/loop_prints.py), numbers appended to the
caller's list extend it (frontend/row_lists.py), an attribute the body assigns is carried by the
loop and assigned once after it (frontend/loop_attributes.py), and draws are taken on the host
for every iteration (frontend/loop_draws.py). Other effects inside a region (such a loop, a
differentiated function) are refused for now: they would need ordering inside the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..speculation.sources import AttrOf, ClosureVar, GlobalVar, ItemOf, Source
from .container_writes import real
from .errors import Unconvertible
from .lift import HostObject
from .printing import check_print_options, printable, tensors_in
from .values import ARRAY, JOURNALS, Tensor

if TYPE_CHECKING:
    from .builder import GraphBuilder

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
        # Attributes a loop over a run-time length holds in a name of its own while it is
        # converted (frontend/loop_attributes.py): no other path may read or assign them.
        self.held: set[tuple[Any, ...]] = set()

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
            check_print_options(b, sep, end, file, flush)
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
        """An effect of one side of a branch, at the branch's merge: refused where that merge
        is itself inside a region (a loop over a run-time length, another branch)."""
        if JOURNALS:
            raise Unconvertible("a print or append on one side of a branch on array data, inside "
                                "a loop over a run-time length or another such branch, is not "
                                "converted yet", where)
        self.log.append(effect)
        self.where.append(where)

    # --- attributes and globals -------------------------------------------------------------
    def set_attr(self, b: GraphBuilder, obj: HostObject, name: str, value: Any) -> None:
        slot = (AttrOf, id(obj.value), name)
        if slot in self.held:
            raise Unconvertible(f"{obj.source}.{name} is assigned through another name inside "
                                "a loop over a run-time length that assigns it (not "
                                "converted)", b.where)
        self.record(b, SetAttr(obj, name, value), f"assigning {obj.source}.{name}", slot)
        self.writes[slot] = value
        self.written_objects[id(obj.value)] = obj

    def attribute(self, obj: HostObject, name: str) -> Any:
        """The value this call wrote to `obj.name` so far, or MISSING."""
        return self.writes.get((AttrOf, id(real(obj.raw)), name), MISSING)

    def is_held(self, obj: HostObject, name: str) -> bool:
        """Whether a loop being converted holds `obj.name` in a name of its own."""
        return bool(self.held) and (AttrOf, id(real(obj.raw)), name) in self.held

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
        source = check_print_options(b, sep, end, file, flush)
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


