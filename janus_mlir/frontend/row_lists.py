"""Lists built by a loop whose trip count is known only when the graph runs: `outs.append(h)`
once per iteration, then `np.stack(outs)` — one tensor with a dynamic leading dim.

A loop converted to `scf.for` (frontend/relaxed_loops.py) cannot hold a Python list of a run-time
length. When its body appends to a list the function built — one `NAME.append(EXPR)` statement
at the top level of the body, the list named nowhere else in the loop and held by no other
container or closure — the list becomes a buffer of `prefix + trips` rows allocated before the
loop; every iteration writes its item into row `prefix + index` (the buffer is carried as an
array the body writes in place). After the loop the names that held the list hold a `RowList`:

- `np.stack(L)` (axis 0), `np.array(L)`, `np.asarray(L)` and NumPy functions taking it as an
  array operand: the rows (a new array each time), guarded non-empty where NumPy raises;
- `len(L)`, `L[k]` for an int k (guarded in range), `for x in L` (an scf.for again);
- returned, for rows that are Python or NumPy scalars (`losses.append(loss)`): a list built
  on the host from the rows.

A list the caller passed (`losses.append(float(loss))` on an argument or attribute) is built the
same way from no prefix, and extended by the rows after the graph has succeeded (an effect,
frontend/effects.py); it must not be read in the loop or after it in the same call, and its items
must be numbers.

Array items alias in Python: the list holds the very arrays appended. So array items must be
arrays the iteration made, the list must be empty before the loop, and no array the loop
carries may be written in place; the loop's carried arrays come out read-only (one of them
may be the last item). A list of arrays may be returned, stored, or extend the caller's list
(`self.states.append(h)`): each item is rebuilt as its own array, and a name the loop carries
that holds the last item appended (`h`) is rebuilt as that very item when the list escapes
(`LastItem`; its value from before the loop after no trip). It may not escape when its items
were also read in the function (`L[k]`, `for x in L`) or one array went into two lists: those
identities are not modelled. Changing the list after the loop and anything else on it stop the
conversion with a reason.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, tensor

from ..dialects.types import Dim, TensorSpec, element_type
from . import rows as row_ops
from .builder import GraphBuilder
from .container_writes import real
from .errors import Unconvertible
from .lift import HostObject, Mutated
from .operators import compare_const
from .regions import reachable, widen, widenable
from .symbolic import index_value
from .values import ARRAY, JOURNALS, PY_SCALAR, Tensor, is_tensor, retyped

if TYPE_CHECKING:
    from .converter import FunctionConverter

APPEND = "__janus_append"
_BUFFERS = itertools.count()
ITEMS_READ = "its items are also read in the function"


class RowList:
    """A list of run-time length whose items are the rows of `rows` (each of `kind`)."""

    def __init__(self, rows: Tensor, length: Tensor, kind: str, what: str,
                 unmodelled: str | None = None):
        self.rows = rows
        self._length = length  # never tensor.dim of a loop's result: IREE cannot resolve it
        self.kind = kind
        self.what = what
        # why its array items cannot be rebuilt as the objects the program holds
        self.unmodelled = unmodelled

    def length(self, b: GraphBuilder) -> Tensor:
        return self._length

    def item(self, b: GraphBuilder, key: Any) -> Tensor:
        if type(key) is bool or not (isinstance(key, int) or row_ops.is_row_key(key)):
            raise Unconvertible(f"indexing {self.what} (a list built by a run-time loop) with a "
                                f"{type(key).__name__} is not converted", b.where)
        if isinstance(key, int):
            key = b.constant(np.asarray(key, np.int64), PY_SCALAR)
        return self._as_item(row_ops.row_at(b, self.rows, key, self.what, fresh=False))

    def row(self, b: GraphBuilder, index: ir.Value) -> Tensor:
        return self._as_item(row_ops.row(b, self.rows, index, fresh=False))

    def _as_item(self, t: Tensor) -> Tensor:
        if self.kind == ARRAY:  # a new graph value, not the list's own item object
            self.unmodelled = self.unmodelled or ITEMS_READ
            return t
        return retyped(t, self.kind)

    def iterated(self) -> tuple[Tensor, Any]:
        """(length, row of an index): what a loop over the list needs."""
        return self._length, self.row

    def array(self, b: GraphBuilder, what: str) -> Tensor:
        """The rows as a new array (`np.array(L)`), guarded non-empty: NumPy gives an empty
        list another shape (and dtype), and np.stack raises on it."""
        n = self._length
        b.guard(compare_const(b, "greater", n, 0), "error",
                f"{self.what} is not empty ({what} of an empty list raises or gives another "
                "shape)")
        return Tensor(self.rows.value, self.rows.spec, ARRAY)


class GeneratedRows(RowList):
    """A generator expression over a list of run-time length: only iterated (a `for` loop,
    `sum()`); Python gives a generator no len(), no items and no NumPy conversion."""

    @classmethod
    def of(cls, rows: RowList) -> GeneratedRows:
        rows.unmodelled = rows.unmodelled or ITEMS_READ
        return cls(rows.rows, rows._length, rows.kind, "a generator expression")

    def length(self, b: GraphBuilder) -> Tensor:
        raise Unconvertible("TypeError: object of type 'generator' has no len()", b.where)

    def item(self, b: GraphBuilder, key: Any) -> Tensor:
        raise Unconvertible("TypeError: 'generator' object is not subscriptable", b.where)

    def array(self, b: GraphBuilder, what: str) -> Tensor:
        raise Unconvertible(f"{what} of a generator is not converted", b.where)


@dataclass
class Site:
    """One `NAME.append(EXPR)` of a loop body that builds a RowList."""

    stmt: ast.Expr
    names: list[str]  # every name bound to the list before the loop
    prefix: list[Any]  # the list itself: the items it holds before the loop
    hook: str  # the name the rewritten statement calls
    loop: str  # the loop's location
    row: Any = None  # this pass's item
    version: int = 0  # the item's version when appended (array items)
    spec: TensorSpec | None = None
    kind: str = ""
    buffer: Tensor | None = None
    total: ir.Value | None = None  # prefix + trips (an index), computed before the loop
    host: HostObject | None = None  # the caller's list: its rows are appended after the graph
    snapshot: bool = False  # rows printed by frontend/loop_prints.py: copies, never aliases
    result: RowList | None = None  # after the loop
    holders: set[str] = field(default_factory=set)  # names holding the item as an iteration ends
    unmodelled: str | None = None  # why the list's items cannot escape (RowList.unmodelled)

    def __call__(self, cv: FunctionConverter, args: list[Any], kwargs: dict[str, Any]) -> None:
        if len(args) != 1 or kwargs:
            raise cv.fail("list.append() takes exactly one argument")
        self.row = args[0]
        self.version = args[0].version if is_tensor(args[0]) else 0


def find(cv: FunctionConverter, node: ast.For) -> list[Site]:
    """The appends of `node`'s body that build RowLists (empty: none, or not in that form)."""
    sites = []
    for k, stmt in enumerate(node.body):
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "append"):
            continue
        target = _appended_to(cv, call.func.value)
        if target is None:
            continue
        host = target if isinstance(target, HostObject) and type(real(target.raw)) is list \
            else None
        if type(target) is not list and host is None:
            continue
        names = [n for n, v in cv.env.items() if v is target]
        others = [v for n, v in cv.env.items() if v is not target]
        if any(r is target for r in reachable(others)):
            continue  # another container holds it: the body could read it through that
        if _mentioned(node, names, stmt) or _closure_reads(cv, names):
            continue
        if any(s.prefix is target for s in sites):
            return []  # two appends to one list per iteration
        loop = f"{node.lineno}:{node.col_offset}"
        sites.append(Site(stmt, names, target if host is None else [],
                          f"{APPEND}_{node.lineno}_{node.col_offset}_{k}", loop, host=host))
    for s in sites:
        if s.host is not None:  # read through no other path during or after the loop
            cv.conv.lifter.mutated(s.host, Mutated(real(s.host.raw), s.host.source))
    return sites


def _appended_to(cv: FunctionConverter, target: ast.expr) -> Any:
    """What `target.append` appends to: a name's value, or the attribute of a host object a
    name holds (`self.losses.append(...)`, the caller's list); None for anything else."""
    if isinstance(target, ast.Name):
        return cv.env.get(target.id)
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        from .host import attribute

        obj = cv.env.get(target.value.id)
        if isinstance(obj, HostObject) and type(obj.value) not in (list, tuple, dict):
            try:
                value = attribute(cv, obj, target.attr)
            except Unconvertible:
                return None
            return value if isinstance(value, HostObject) else None
    return None


def _mentioned(node: ast.For, names: list[str], stmt: ast.stmt) -> bool:
    """Whether the loop names the list anywhere but in its append statement's receiver."""
    receiver = stmt.value.func.value
    for part in [node.target, *node.body]:
        for n in ast.walk(part):
            if isinstance(n, ast.Name) and n.id in names and n is not receiver:
                return True
    return False


def _closure_reads(cv: FunctionConverter, names: list[str]) -> bool:
    """Whether a def or lambda of the function reads one of `names` (it might run in the
    loop, reading the list)."""
    for n in ast.walk(cv.node):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and n is not cv.node:
            if any(isinstance(m, ast.Name) and m.id in names for m in ast.walk(n)):
                return True
    return False


def rewritten(body: list[ast.stmt], sites: list[Any]) -> list[ast.stmt]:
    """The body with each site's statement (`stmt`, an expression statement of a call) as a call
    of its hook with the same arguments (`__janus_append_L_K(EXPR)`)."""
    by_stmt = {id(s.stmt): s for s in sites}
    out = []
    for stmt in body:
        site = by_stmt.get(id(stmt))
        if site is None:
            out.append(stmt)
            continue
        call = ast.Call(ast.Name(site.hook, ast.Load()), list(stmt.value.args),
                        list(stmt.value.keywords))
        out.append(ast.copy_location(ast.Expr(ast.copy_location(call, stmt.value)), stmt))
    return out


def bind_hooks(cv: FunctionConverter, sites: list[Any]) -> None:
    for s in sites:
        cv.env[s.hook] = s


def learn(cv: FunctionConverter, sites: list[Site]) -> None:
    """After a first conversion of the body: each site's item spec (refusing what cannot be
    a row)."""
    for s in sites:
        spec, kind = _row_spec(cv, s)
        if kind == ARRAY and s.prefix:
            raise cv.fail(f"appending arrays to '{s.names[0]}', which holds items before a loop "
                          "whose trip count is computed at run time, is not converted")
        s.spec, s.kind, s.row = spec, kind, None


def _row_spec(cv: FunctionConverter, s: Site) -> tuple[TensorSpec, str]:
    v = s.row
    if is_tensor(v):
        if not v.spec.static:
            raise cv.fail(f"an item of '{s.names[0]}' has a shape known only at run time")
        return v.spec, v.kind
    if widenable(v):
        w = widen(cv.b, v)
        return w.spec, w.kind
    raise cv.fail(f"appending a {type(v).__name__} to '{s.names[0]}' in a loop whose trip count "
                  "is computed at run time is not converted")


def allocate(cv: FunctionConverter, sites: list[Site], trips: Tensor) -> None:
    """Before the loop: each site's buffer of prefix + trips rows, the prefix written."""
    b = cv.b
    for s in sites:
        # The lists one loop builds from equal prefixes have equal lengths: one symbolic dim.
        rows_dim = Dim(f"rows({s.loop})+{len(s.prefix)}")
        spec = TensorSpec((rows_dim, *s.spec.shape), s.spec.dtype)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            index = ir.IndexType.get()
            n = arith.IndexCastOp(index, tensor.ExtractOp(trips.value, []).result).result
            total = arith.AddIOp(n, arith.ConstantOp(index, len(s.prefix)).result).result
            # One size value per buffer, so that two buffers never become one tensor.empty
            # (IREE breaks on a loop with two equal initial values; relaxed_loops._barrier).
            total = ir.Operation.create(
                "util.optimization_barrier", results=[index], operands=[total],
                attributes={"janus.rows": ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                                             next(_BUFFERS))}).result
            value = tensor.EmptyOp([total, *s.spec.shape], element_type(s.spec.dtype)).result
        s.total = total
        for k, item in enumerate(s.prefix):
            if not (is_tensor(item) or widenable(item)) or not _fits(cv, item, s):
                raise cv.fail(f"'{s.names[0]}' holds an item of another type before the loop "
                              "than the loop appends (not converted)")
            value = row_ops.with_row(b, value, _index(b, k), widen(b, item, s.spec, s.kind).value,
                                     s.spec.shape)
        s.buffer = Tensor(value, spec, ARRAY)


def _fits(cv: FunctionConverter, item: Any, s: Site) -> bool:
    if is_tensor(item):
        return (item.spec, item.kind) == (s.spec, s.kind)
    return s.kind != ARRAY and widen(cv.b, item).spec == s.spec


def store(cv: FunctionConverter, sites: list[Site], index: ir.Value) -> None:
    """At the end of an iteration: its items into the buffers (row prefix + index)."""
    b = cv.b
    for s in sites:
        v = s.row
        if v is None:
            raise cv.fail(f"the append to '{s.names[0]}' did not run in every iteration")
        if is_tensor(v):
            if (v.spec, v.kind) != (s.spec, s.kind):
                raise cv.fail(f"the items appended to '{s.names[0]}' change type, shape or "
                              "dtype from one iteration to the next (not converted)")
            if v.kind == ARRAY and not s.snapshot and (
                    v.view is not None or not v.fresh or v.version != s.version
                    or v.serial < _region_start()):
                raise cv.fail(f"an array appended to '{s.names[0]}' is a view, an array from "
                              "before the iteration, or written after the append; the list "
                              "would alias it (not converted)")
            if v.kind == ARRAY and not s.snapshot:
                s.holders = {n for n, x in cv.env.items() if x is v}
                for other in sites:
                    if other is not s and other.row is v and not other.snapshot:
                        s.unmodelled = other.unmodelled = "one array is appended to two lists"
        elif not (widenable(v) and s.kind != ARRAY and widen(b, v).spec == s.spec):
            raise cv.fail(f"the items appended to '{s.names[0]}' change type from one "
                          "iteration to the next (not converted)")
        value = widen(b, v, s.spec, s.kind).value
        with b.context, b.location(), ir.InsertionPoint(b.block):
            at = arith.AddIOp(index, arith.ConstantOp(ir.IndexType.get(),
                                                      len(s.prefix)).result).result
        s.buffer.assign(row_ops.with_row(b, s.buffer.value, at, value, s.spec.shape))
    for s in sites:
        s.row = None


def _region_start() -> int:
    """The serial of the innermost open region: tensors from before it are older."""
    return JOURNALS[-1].start if JOURNALS else 0


def check_carried(cv: FunctionConverter, sites: list[Site], written: list[Tensor],
                  carried_written: bool) -> None:
    """Array items alias what the loop carries: no carried array may be written in place."""
    if not any(s.kind == ARRAY and not s.snapshot for s in sites):
        return
    buffers = {id(s.buffer) for s in sites}
    if any(id(t) not in buffers for t in written) or carried_written:
        raise cv.fail("a loop that appends arrays to a list writes arrays in place; the list "
                      "would alias them (not converted)")


def finish(cv: FunctionConverter, sites: list[Site]) -> None:
    """After the loop: the names that held each list hold its RowList. Its rows are the loop's
    result cut to the length computed before the loop: IREE resolves the dynamic dim of an
    extract_slice from its size, never that of an scf.for result."""
    b = cv.b
    for s in sites:
        cv.env.pop(s.hook, None)
        rank = len(s.spec.shape)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            dyn = ir.ShapedType.get_dynamic_size()
            cut = tensor.ExtractSliceOp(s.buffer.value.type, s.buffer.value, [], [s.total], [],
                                        [0] * (rank + 1), [dyn, *s.spec.shape],
                                        [1] * (rank + 1)).result
        rows = s.result = RowList(Tensor(cut, s.buffer.spec, ARRAY), index_value(b, s.total),
                                  s.kind, f"'{s.names[0]}'" if s.names else "printed values",
                                  s.unmodelled)
        if s.host is not None:  # the caller's list: extended by the rows after the graph
            cv.conv.effects.call_method(b, s.host, "extend", [rows])
            continue
        for name in s.names:
            cv.env[name] = rows


@dataclass
class LastItem:
    """The meta of a name a run-time loop carries that holds, as every iteration ends, the
    array it appended to a list (convert.py rebuilds it as that list's last item)."""

    ran: Tensor  # whether the loop ran at least once
    site: Site
    before: Any  # the name's value before the loop (None: the loop is guarded to run)

    def rows(self) -> RowList:
        return self.site.result


def last_items(sites: list[Site], carried: Any) -> dict[str, Site]:
    """The carried names that hold the item appended as the final conversion's iteration
    ends (every iteration's: each converts the same way), by the list they hold it in."""
    return {n: s for s in sites if s.kind == ARRAY and not s.snapshot
            for n in s.holders if n in carried}


def read_only_results(sites: list[Site]) -> bool:
    """Whether the loop's carried arrays must come out read-only (one may be the last item)."""
    return any(s.kind == ARRAY and not s.snapshot for s in sites)


def _index(b: GraphBuilder, k: int) -> ir.Value:
    with b.context, b.location(), ir.InsertionPoint(b.block):
        return arith.ConstantOp(ir.IndexType.get(), k).result


# ---------------------------------------------------------------------------------------------
# Uses after the loop
# ---------------------------------------------------------------------------------------------

def stacked(b: GraphBuilder, rows: RowList, axis: int, dtype: Any) -> Tensor:
    """np.stack(L, axis=0, dtype): the rows, as a new array."""
    if axis:
        raise Unconvertible(f"np.stack of {rows.what}, a list built by a loop whose trip count "
                            "is computed at run time, on an axis other than 0 is not converted",
                            b.where)
    out = rows.array(b, "np.stack")
    if dtype is not None and np.dtype(dtype) != out.dtype:
        out = b.emit("astype", [out], ARRAY, dtype=np.dtype(dtype))
    return out


def refuse_attribute(cv: FunctionConverter, rows: RowList, name: str) -> Unconvertible:
    return cv.fail(f"list.{name} of {rows.what}, a list built by a loop whose trip count is "
                   "computed at run time, is not converted")


def template_kind(b: GraphBuilder, rows: RowList) -> str:
    """The kind of the items of a RowList the result or an effect holds (arrays only where
    their identities are modelled)."""
    if rows.kind == ARRAY and rows.unmodelled:
        raise Unconvertible(f"{rows.what}, a list of arrays built by a loop whose trip count is "
                            f"computed at run time, escapes the function while {rows.unmodelled}"
                            " (the identity of its items is not modelled; not converted)",
                            b.where)
    return rows.kind

