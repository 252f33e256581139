"""Recursion over Python object graphs (a TreeRNN's `encode(node)`) as one loop over a
host-built schedule: one graph for every tree.

IREE hangs on call cycles (IREE-NOTES.md), and unrolling the recursion for the tree at hand
gives a graph per tree shape. Instead, a call of a recursive function on a host object is
converted once per *case* (frontend/tree_schedule.py): the function's body is converted for a
representative node, its attribute reads answered from that node and recorded (None or not, an
array of which shape, a child object, a number's type), arrays and numbers read as rows of a
stacked input (run-time values), and each recursive call on a child (`encode(node.left, W)`,
the other arguments passed through unchanged) read from the memo of results computed so far.
Cases are discovered on the tree of the converting call; every later call's tree is scheduled on
the host (post-order, case and child positions per node, arrays and numbers stacked per case),
and guarded to fit the cases.

The graph: `scf.for` over the schedule, carrying the memo (one row per node); each iteration
picks its node's case (a chain of `scf.if`), computes the node's result from its arrays and its
children's rows, and inserts it into the memo; the root's row is the call's result. Recursion
results must have one shape and dtype for every case; the body must not change the heap.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types
from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, scf, tensor

from ..dialects import janus
from ..dialects.types import Dim, TensorSpec, tensor_type
from .lift import HostObject
from .regions import Staged
from .tree_schedule import Case, Plan, ScheduleInput
from .values import ARRAY, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

MAX_CASES = 16
NODES = Dim("nodes")


@functools.lru_cache(maxsize=256)
def _calls_itself(code: types.CodeType, name: str, source: str) -> bool:
    tree = ast.parse(textwrap.dedent(source))
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
               for n in ast.walk(tree))


def is_recursive(fn: types.FunctionType) -> bool:
    """Whether `fn`'s body calls a function of its own name (direct recursion)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    return _calls_itself(fn.__code__, fn.__name__, source)


def applies(fn: types.FunctionType, args: list[Any]) -> bool:
    """A call to convert as a schedule: a recursive function whose first argument is a Python
    object of the caller's (not a container, not a graph value)."""
    if not args or not isinstance(args[0], HostObject):
        return False
    value = args[0].value
    return (type(value) not in (list, tuple, dict) and isinstance(getattr(value, "__dict__", None),
                                                                   dict) and is_recursive(fn))


class SchedNode:
    """The node a case is converted for: attribute reads are answered from `obj`, recorded."""

    def __init__(self, call: RecursiveCall, case: Case, obj: Any, staged: Staged):
        self.call = call
        self.case = case
        self.obj = obj
        self.staged = staged
        self.recorded: dict[str, Any] = {}
        self.memo: ir.Value | None = None  # the memo as a block argument, added on first use
        # Inside jm.grad: the children's memo rows as block arguments, read before the case
        # switch (janus-autodiff cannot size a memo-shaped cotangent leaving an scf.if).
        self.child_rows: list[ir.Value] = []


class ChildRef:
    """`node.left` of a SchedNode, before the recursive call on it."""

    def __init__(self, parent: SchedNode, attr: str, obj: Any):
        self.parent = parent
        self.attr = attr
        self.obj = obj


class RecursiveCall:
    """The conversion of one call of a recursive function on a host tree."""

    def __init__(self, cv: FunctionConverter, fn: types.FunctionType, root: HostObject,
                 rest: list[Any], kwargs: dict[str, Any]):
        self.cv = cv
        self.b = cv.b
        self.fn = fn
        self.root = root
        self.rest = rest
        self.kwargs = kwargs
        self.plan = Plan(fn.__qualname__)
        self.complete: list[bool] = []
        self.staged: list[Staged] = []
        self.values: list[ir.Value] = []
        self.nodes: list[SchedNode] = []
        self.result: tuple[TensorSpec, str] | None = None
        self.outer = cv.b.block
        self.identity_unknown = False  # some case returns an array it did not make
        self._inputs: dict[Any, Tensor] = {}

    # --- inputs of the schedule ---------------------------------------------------------------
    def input(self, what: Any, shape: tuple[Any, ...], dtype: Any) -> Tensor:
        if what not in self._inputs:
            source = ScheduleInput(self.root.source, self.plan, what)
            self._inputs[what] = self.b.input(source, (NODES, *shape), np.dtype(dtype), ARRAY)
        return self._inputs[what]

    def _row(self, source: ir.Value, index: ir.Value, spec: TensorSpec) -> ir.Value:
        b = self.b
        rank = len(spec.shape)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            dyn = ir.ShapedType.get_dynamic_size()
            if rank == 0 and self.cv.conv.differentiating:
                # ops janus-autodiff differentiates: a one-element slice, then a reshape
                one = tensor.ExtractSliceOp(tensor_type((1,), spec.dtype), source, [index], [],
                                            [], [dyn], [1], [1]).result
                return janus.op_class("reshape").build(one, shape=(), loc=b.location()).result
            if rank == 0:
                e = tensor.ExtractOp(source, [index]).result
                return tensor.FromElementsOp(tensor_type((), spec.dtype), [e]).result
            row = tensor.ExtractSliceOp(tensor_type(spec.shape, spec.dtype), source, [index], [],
                                        [], [dyn] + [0] * rank, [1, *spec.shape],
                                        [1] * (rank + 1)).result
            return ir.Operation.create("util.optimization_barrier", results=[row.type],
                                       operands=[row]).result

    # --- attribute reads and recursive calls --------------------------------------------------
    def _gather(self, source: ir.Value, positions: Tensor, at: list[ir.Value],
                spec: TensorSpec) -> ir.Value:
        """Row `positions[at]` of `source`, read inside one kernel: the position never comes
        back to the host (a host-level read would sync with the device at every node)."""
        from ..ops.emit import Emitter, barrier, identity_map

        b = self.b
        rank = len(spec.shape)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            e = Emitter()
            init = tensor.EmptyOp(list(spec.shape), _element_type(spec)).result

            def body(sc: Any, out: ir.Value) -> ir.Value:
                pos = tensor.ExtractOp(positions.value, list(at)).result
                row = arith.IndexCastOp(ir.IndexType.get(), pos).result
                coords = [row] + [e.linalg_index(d) for d in range(rank)]
                return tensor.ExtractOp(source, coords).result

            value = e.generic([], [], [init], [identity_map(rank)], ["parallel"] * rank,
                              body)[0]
            return barrier(value)

    def attribute(self, node: SchedNode, name: str) -> Any:
        cv = self.cv
        state = vars(node.obj)
        if name not in state:
            raise cv.fail(f"{type(node.obj).__name__}.{name} is not an instance attribute; "
                          f"{self.plan.name} over a tree reads only instance attributes")
        if name in node.recorded:
            return node.recorded[name]
        v = state[name]
        case = node.case
        if v is None:
            case.queries.append(("none", name, True))
            out: Any = None
        elif type(v) is np.ndarray:
            if not v.dtype.isnative:
                raise cv.fail(f"{name} has non-native byte order")
            case.queries.append(("none", name, False))
            case.queries.append(("array", name, (v.shape, v.dtype.str)))
            k = self.nodes.index(node)
            case.arrays.append(name)
            leaves = self.input((k, name), v.shape, v.dtype)
            spec = TensorSpec(v.shape, v.dtype)
            row = self._gather(leaves.value, self.input("slot", (), np.int32),
                               [node.staged.args[0]], spec)
            # The tree's own array: never written in place (heap.write refuses non-fresh).
            out = Tensor(row, spec, ARRAY, fresh=False)
        elif type(v) is str:
            case.queries.append(("value", name, v))
            out = v
        elif type(v) in (int, float, bool):  # data of the node: a run-time Python number
            if type(v) is int and not -2**63 <= v < 2**63:
                raise cv.fail(f"{name} = {v} does not fit in int64")
            case.queries.append(("number", name, type(v)))
            case.arrays.append(name)
            dtype = {int: np.int64, float: np.float64, bool: np.bool_}[type(v)]
            values = self.input((self.nodes.index(node), name), (), dtype)
            spec = TensorSpec((), np.dtype(dtype))
            out = Tensor(self._gather(values.value, self.input("slot", (), np.int32),
                                      [node.staged.args[0]], spec), spec, PY_SCALAR)
        elif isinstance(getattr(v, "__dict__", None), dict) and not callable(v):
            case.queries.append(("object", name, None))
            out = ChildRef(node, name, v)
        else:
            raise cv.fail(f"attribute {name} of a {type(node.obj).__name__} is a "
                          f"{type(v).__name__}; not converted in a recursion over a tree")
        node.recorded[name] = out
        return out

    def child(self, fn: Any, ref: ChildRef, rest: list[Any], kwargs: dict[str, Any]) -> Tensor:
        """`fn(node.attr, *rest)` inside a case: the child's row of the memo."""
        cv = self.cv
        if fn is not self.fn:
            raise cv.fail(f"a child node passed to {fn.__qualname__}, not to {self.plan.name}; "
                          "not converted")
        if len(rest) != len(self.rest) or any(a is not b and not _same_static(a, b)
                                               for a, b in zip(rest, self.rest)) or (
                kwargs.keys() != self.kwargs.keys()) or any(
                kwargs[k] is not self.kwargs[k] for k in kwargs):
            raise cv.fail(f"a recursive call of {self.plan.name} passes other arguments than "
                          "its caller got; only the node may change")
        if self._classify(ref.obj) is None:
            self.convert_case(ref.obj)
        node = ref.parent
        node.case.children.append(ref.attr)
        j = len(node.case.children) - 1
        spec, kind = self.result
        if cv.conv.differentiating:
            with self.b.context, self.b.location():
                row = node.staged.block.add_argument(tensor_type(spec.shape, spec.dtype),
                                                     self.b.location())
            node.child_rows.append(row)
            return Tensor(row, spec, kind)
        if node.memo is None:
            with self.b.context, self.b.location():
                node.memo = node.staged.block.add_argument(
                    tensor_type((NODES, *spec.shape), spec.dtype), self.b.location())
        row = self._gather(node.memo, self._children_input(),
                           [node.staged.args[0], self._index_const(j)], spec)
        return Tensor(row, spec, kind)

    def _children_input(self) -> Tensor:
        key = "children"
        if key not in self._inputs:
            # Its width (the most children of any case) is known only when the plan is
            # complete: the input is typed (?, ?) and read at constant columns.
            source = ScheduleInput(self.root.source, self.plan, key)
            self._inputs[key] = self.b.input(source, (NODES, Dim("children")), np.dtype(np.int32),
                                             ARRAY)
        return self._inputs[key]

    def _index_const(self, value: int) -> ir.Value:
        with self.b.context, self.b.location(), ir.InsertionPoint(self.b.block):
            return arith.ConstantOp(ir.IndexType.get(), value).result

    def _classify(self, obj: Any) -> int | None:
        for k, case in enumerate(self.plan.cases):
            if self.complete[k] and case.fits(obj):
                return k
        return None

    # --- cases ------------------------------------------------------------------------------
    def convert_case(self, obj: Any) -> int:
        from .calls import bind_call, scope_name

        cv, b = self.cv, self.b
        if len(self.plan.cases) >= MAX_CASES:
            raise cv.fail(f"the nodes of the tree need more than {MAX_CASES} cases of "
                          f"{self.plan.name}")
        k = len(self.plan.cases)
        case = Case(queries=[("type", None, type(obj))])
        self.plan.cases.append(case)
        self.complete.append(False)
        with b.into(self.outer):
            staged = Staged(b, index_arg=True)
        node = SchedNode(self, case, obj, staged)
        self.nodes.append(node)
        self.staged.append(staged)
        self.values.append(None)
        env = bind_call(cv, self.fn, [node, *self.rest], self.kwargs)
        cv.conv.depth += 1
        try:
            with staged:
                value = cv.convert_callee(self.fn, scope_name(self.fn), env)
                if staged.journal.written():
                    raise cv.fail(f"{self.plan.name} writes arrays in place; a recursion over "
                                  "a tree is converted only when it does not change the heap")
        finally:
            cv.conv.depth -= 1
            staged.journal.restore()
        if not is_tensor(value):
            raise cv.fail(f"{self.plan.name} over a tree must return an array or a NumPy "
                          "scalar computed in the graph")
        if value.kind == ARRAY and (value.view is not None or not value.fresh):
            self.identity_unknown = True  # a case returns an existing array (or a view)
        if self.result is None:
            self.result = (value.spec, value.kind)
        elif (value.spec, value.kind) != self.result:
            raise cv.fail(f"{self.plan.name} returns {value.spec} for one kind of node and "
                          f"{self.result[0]} for another; not converted")
        self.values[k] = value.value
        self.complete[k] = True
        return k

    def convert(self) -> Tensor:
        """Discover the cases on the converting call's tree, then build the loop."""
        cv = self.cv
        stack, seen = [self.root.value], set()
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                raise cv.fail(f"the object graph under {self.root.source} is not a tree (a node "
                              "is reached twice)")
            seen.add(id(obj))
            k = self._classify(obj)
            if k is None:
                k = self.convert_case(obj)
            stack.extend(vars(obj)[a] for a in self.plan.cases[k].children)
        self._drop_duplicates()
        cv.conv.lifter.entry(self.root.source, "schedule", self.plan)
        return self._loop()

    def _drop_duplicates(self) -> None:
        """Cases converted twice (a child converted while its parent's case was open) never
        win the first-fit classification: their bodies are dropped (numbers are kept)."""
        self.live: list[int] = []
        for k, case in enumerate(self.plan.cases):
            if any(self.plan.cases[j].queries == case.queries for j in self.live):
                self.staged[k].discard()
            else:
                self.live.append(k)

    def _loop(self) -> Tensor:
        b = self.b
        spec, kind = self.result
        cases = self.input("case", (), np.int32)
        with b.context, b.location(), ir.InsertionPoint(b.block):
            index = ir.IndexType.get()
            zero = arith.ConstantOp(index, 0).result
            one = arith.ConstantOp(index, 1).result
            n = tensor.DimOp(cases.value, zero).result
            memo0 = tensor.EmptyOp([n, *spec.shape], _element_type(spec)).result
            loop = scf.ForOp(zero, n, one, [memo0])
            with ir.InsertionPoint(loop.body):
                i = loop.induction_variable
                memo = loop.inner_iter_args[0]
                c = tensor.ExtractOp(cases.value, [i]).result
                with b.into(loop.body):
                    self.rows = self._child_rows(i, memo, spec)
                result = self._switch(c, self.live, i, memo, spec)
                rank = len(spec.shape)
                if rank == 0 and self.cv.conv.differentiating:
                    row = janus.op_class("reshape").build(result, shape=(1,),
                                                          loc=b.location()).result
                    new = tensor.InsertSliceOp(row, memo, [i], [], [],
                                               [ir.ShapedType.get_dynamic_size()], [1],
                                               [1]).result
                elif rank == 0:
                    e = tensor.ExtractOp(result, []).result
                    new = tensor.InsertOp(e, memo, [i]).result
                else:
                    dyn = ir.ShapedType.get_dynamic_size()
                    new = tensor.InsertSliceOp(result, memo, [i], [], [], [dyn] + [0] * rank,
                                               [1, *spec.shape], [1] * (rank + 1)).result
                scf.YieldOp([new])
            last = arith.SubIOp(n, one).result
        out = self._row(loop.results[0], last, spec)
        if self.identity_unknown:
            # The result may be an array of the tree itself (a leaf's, or a view of one): the
            # memo's copy stands for it, so it is never written in place nor returned.
            return Tensor(out, spec, kind, fresh=False, meta={"identity_unknown": True})
        return Tensor(out, spec, kind)

    def _child_rows(self, i: ir.Value, memo: ir.Value, spec: TensorSpec) -> list[ir.Value]:
        """Inside jm.grad: the memo rows of node i's children, read before its case is picked
        (a node with fewer children reads row 0 for the rest, and does not use it)."""
        width = max((len(self.nodes[k].child_rows) for k in self.live), default=0)
        if not width:
            return []
        children = self._children_input()
        rows = []
        for j in range(width):
            pos = tensor.ExtractOp(children.value, [i, self._index_const(j)]).result
            index = arith.IndexCastOp(ir.IndexType.get(), pos).result
            rows.append(self._row(memo, index, spec))
        return rows

    def _switch(self, c: ir.Value, cases: list[int], i: ir.Value, memo: ir.Value,
                spec: TensorSpec) -> ir.Value:
        """The result for node i: a chain of scf.if on its case (the last one needs no test:
        every node fits a case)."""
        k = cases[0]
        if len(cases) == 1:
            return self._inline_case(k, i, memo)
        i32 = ir.IntegerType.get_signless(32)
        is_k = arith.CmpIOp(arith.CmpIPredicate.eq, c, arith.ConstantOp(i32, k).result).result
        op = scf.IfOp(is_k, [tensor_type(spec.shape, spec.dtype)], has_else=True)
        with ir.InsertionPoint(op.then_block):
            scf.YieldOp([self._inline_case(k, i, memo)])
        with ir.InsertionPoint(op.else_block):
            scf.YieldOp([self._switch(c, cases[1:], i, memo, spec)])
        return op.result

    def _inline_case(self, k: int, i: ir.Value, memo: ir.Value) -> ir.Value:
        """Move case k's staged ops to the current insertion point; its result."""
        staged, node = self.staged[k], self.nodes[k]
        args = list(staged.block.arguments)
        args[0].replace_all_uses_with(i)
        if node.memo is not None:
            node.memo.replace_all_uses_with(memo)
        for arg, row in zip(node.child_rows, self.rows):
            arg.replace_all_uses_with(row)
        anchor = arith.ConstantOp(ir.IndexType.get(), 0)  # where the ops go
        for op in list(staged.block.operations):
            op.operation.move_before(anchor.operation)
        anchor.operation.erase()
        staged.discard()
        return self.values[k]


def _element_type(spec: TensorSpec) -> ir.Type:
    from ..dialects.types import element_type

    return element_type(spec.dtype)


def _same_static(a: Any, b: Any) -> bool:
    return not is_tensor(a) and not is_tensor(b) and type(a) is type(b) and (
        type(a) in (int, float, bool, str, type(None)) and a == b)


def convert_call(cv: FunctionConverter, fn: types.FunctionType, args: list[Any],
                 kwargs: dict[str, Any]) -> Tensor:
    return RecursiveCall(cv, fn, args[0], list(args[1:]), dict(kwargs)).convert()
