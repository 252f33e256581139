"""The AST converter: one visitor that turns a Python function body into janus IR.

Values known at conversion time are computed by Python (partial evaluation); array values become
janus ops. Every visit sets the builder's location from the user's line, and every failure is an
`Unconvertible` that names that line. `generic_visit` refuses what it does not know: the call then
runs as plain Python and the reason is recorded.

Control flow is converted when its condition or iterable is known now (`if x.ndim == 2`,
`for W, b in layers`); data-dependent control flow stops the conversion.
"""

from __future__ import annotations

import ast
import builtins
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import (branches, comprehensions, container_writes, heap, host, printing,
               local_functions, loops, relaxed_if, relaxed_loops, row_lists, sequences, setitem,
               stacked)
from ..speculation.function_source import SourceUnavailable, function_ast
from ..speculation.profile import Profile
from .builder import GraphBuilder
from .calls import attribute, call, subscript
from .analysis import liveness
from .canonicalize import jumps, returns
from .effects import MISSING, Effects
from .errors import NeedsCarry, RaiseReached, Returned, Unconvertible
from .lift import HostObject, Lifter
from .operators import BINOPS, COMPARES, UNARYOPS, apply, unary
from .pure import is_plain
from .regions import Unbound
from .tolist import ListOfArray
from ..speculation.sources import ClosureVar, GlobalVar, ItemOf
from .values import ARRAY, PY_SCALAR, Tensor, is_tensor

# What reversed() gives for a list, a tuple, a range (the loop's items, known now).
_REVERSE_ITERATORS = (type(reversed([])), type(reversed(())), type(reversed(range(0))))


@dataclass
class Conversion:
    """State shared by the compiled function and the helpers inlined into it."""

    builder: GraphBuilder
    lifter: Lifter
    functions: dict[str, types.FunctionType]
    depth: int = 0
    profile: Profile | None = None  # what the profiling calls saw (branch outcomes...)
    unrolled: int = 0  # statements of loop bodies unrolled so far (loops.UNROLL_BUDGET)
    differentiating: int = 0  # open jm.grad regions: emit only what janus-autodiff can reverse
    effects: Effects | None = None  # heap writes and prints, in program order

    def __post_init__(self) -> None:
        if self.effects is None:
            self.effects = Effects(self.lifter.writes)


def parse_function(fn: types.FunctionType) -> tuple[ast.FunctionDef, str, int]:
    """The function's AST (lines numbered as in its file), its file name."""
    try:
        node = function_ast(fn)
    except SourceUnavailable as e:
        raise Unconvertible(str(e)) from None
    return node, fn.__code__.co_filename, fn.__code__.co_firstlineno


class FunctionConverter(ast.NodeVisitor):
    def __init__(self, conv: Conversion, fn: types.FunctionType, scope: str,
                 env: dict[str, Any]):
        self.conv = conv
        self.b: GraphBuilder = conv.builder
        self.fn = fn
        self.scope = scope
        self.env = env
        self.declared_global: set[str] = set()  # names of `global` (and `nonlocal`) statements
        self.declared_nonlocal: set[str] = set()
        self.tails: dict[int, list[ast.stmt]] = {}  # function-level `if`: what follows it
        self.node, self.filename, _ = parse_function(fn)
        self.node.body = returns.lower(self.node.body)  # `return` in loops as flags
        self.loop_liveness = liveness.loops(self.node.body)
        conv.functions[scope] = fn
        if isinstance(self.node, ast.AsyncFunctionDef):
            raise Unconvertible("async functions are not converted", self._where(self.node))

    # --- driver -----------------------------------------------------------------------------
    def run(self) -> Any:
        try:
            self.block(self.node.body, tails=True)
        except Returned as r:
            return r.value
        return None

    def convert_callee(self, fn: types.FunctionType, scope: str, env: dict[str, Any]) -> Any:
        """The value of a call of the Python function `fn` (registered as `scope`) whose
        parameters are bound in `env`: its body converted in place, in this conversion."""
        return FunctionConverter(self.conv, fn, scope, env).run()

    def convert_local(self, body: list[ast.stmt], env: dict[str, Any],
                      local_names: frozenset[str]) -> Any:
        """The value of a call of a def or lambda this function defined (`body`, bound
        parameters `env`): converted in place, reading this scope for the names it does not
        bind."""
        return LocalConverter(self, body, env, local_names).run()

    def block(self, stmts: list[ast.stmt], tails: bool = False) -> None:
        """Convert `stmts`; `tails`: they end the function (a relaxed `if` there may return:
        it takes the rest of them onto both of its sides, frontend/relaxed_if.py)."""
        for i, s in enumerate(stmts):
            if tails and isinstance(s, ast.If):
                self.tails[id(s)] = stmts[i + 1:]
            self.visit(s)

    def visit(self, node: ast.AST) -> Any:
        line = getattr(node, "lineno", None)
        if line is None:
            return super().visit(node)
        with self.b.at(self.filename, line, getattr(node, "col_offset", 0)):
            return super().visit(node)

    def generic_visit(self, node: ast.AST) -> Any:
        raise Unconvertible(f"{type(node).__name__} is not converted", self._where(node))

    def _where(self, node: ast.AST) -> str:
        return f"{self.filename}:{getattr(node, 'lineno', '?')}"

    def fail(self, reason: str) -> Unconvertible:
        return Unconvertible(reason, self.b.where)

    # --- statements -------------------------------------------------------------------------
    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # docstring or bare constant
        self.visit(node.value)

    def visit_Pass(self, node: ast.Pass) -> None:
        return

    def visit_Return(self, node: ast.Return) -> None:
        raise Returned(self.visit(node.value) if node.value is not None else None)

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.visit(node.value)
        for target in node.targets:
            self.assign(target, value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.assign(node.target, self.visit(node.value))

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.declared_global:
                return self.store_outer(target.id, value)
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            stars = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if not stars:
                items = self.unpack(value, len(target.elts))
                for t, v in zip(target.elts, items):
                    self.assign(t, v)
                return
            # `first, *rest = xs`: the starred target takes a list of what the others leave.
            k, after = stars[0], len(target.elts) - stars[0] - 1
            items = self.iterate(value)
            if len(items) < k + after:
                raise self.fail(f"ValueError: not enough values to unpack (expected at least "
                                f"{k + after}, got {len(items)})")
            for t, v in zip(target.elts[:k], items[:k]):
                self.assign(t, v)
            self.assign(target.elts[k].value, list(items[k:len(items) - after]))
            for t, v in zip(target.elts[k + 1:], items[len(items) - after:]):
                self.assign(t, v)
        elif isinstance(target, ast.Attribute):
            self.store_attribute(self.visit(target.value), target.attr, value)
        elif isinstance(target, ast.Subscript):
            base = self.visit(target.value)
            if type(base) in (list, dict):  # a container this function built: local
                self._store_item(base, self.visit(target.slice), value)
                return
            if isinstance(base, HostObject):  # a list or dict the caller can see
                return self.store_item(base, self.visit(target.slice), value)
            if not (is_tensor(base) and base.kind == ARRAY):
                raise self.fail(f"item assignment to a {type(base).__name__} is not "
                                "converted")
            setitem.setitem(self, base, self.visit(target.slice), value)
        else:
            raise self.fail(f"assignment to {type(target).__name__} is not converted")

    def unpack(self, value: Any, n: int) -> list[Any]:
        items = self.iterate(value)
        if len(items) != n:
            raise self.fail(f"cannot unpack {len(items)} values into {n} targets")
        return items

    def _store_item(self, container: list | dict, key: Any, value: Any) -> None:
        """`lst[i] = v` / `d[k] = v` on a list or dict the function built (no heap write)."""
        if not is_plain(key) or isinstance(key, slice):
            raise self.fail("item assignment with this key is not converted")
        try:
            container[key] = value
        except (IndexError, TypeError) as e:
            raise self.fail(f"{type(e).__name__}: {e}") from None

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Subscript):
            base = self.visit(node.target.value)
            if is_tensor(base) and base.kind == ARRAY:
                key = self.visit(node.target.slice)
                return setitem.aug_setitem(self, base, key, type(node.op), node.value)
            if type(base) in (list, dict):  # `pieces[1] -= 5` on a local list
                key = self.visit(node.target.slice)
                if not is_plain(key) or isinstance(key, slice):
                    raise self.fail("item assignment with this key is not converted")
                try:
                    old = base[key]
                except (IndexError, KeyError, TypeError) as e:
                    raise self.fail(f"{type(e).__name__}: {e}") from None
                rhs = self.visit(node.value)
                op_name, py_op = BINOPS[type(node.op)]
                new = (self.inplace(old, op_name, rhs) if is_tensor(old) and old.kind == ARRAY
                       else apply(self.b, op_name, [old, rhs], static_fn=py_op))
                return self._store_item(base, key, new)
        if isinstance(node.target, ast.Attribute):  # `self.w -= lr * g`
            obj = self.visit(node.target.value)
            old = attribute(self, obj, node.target.attr)
            new = self._augmented(old, node)
            if new is not old:  # (an ndarray was written in place: the attribute is unchanged)
                self.store_attribute(obj, node.target.attr, new)
            return None
        if isinstance(node.target, ast.Subscript):  # `state["m"] += g` on the caller's dict
            obj = self.visit(node.target.value)
            key = self.visit(node.target.slice)
            old = subscript(self, obj, key)
            new = self._augmented(old, node)
            if new is not old:
                self.store_item(obj, key, new)
            return None
        name = node.target.id
        new = self._augmented(self.load_name(name), node)
        if name in self.declared_global:
            return self.store_outer(name, new)
        self.env[name] = new

    def _augmented(self, old: Any, node: ast.AugAssign) -> Any:
        """The value `old op= rhs` binds: `old` itself after an in-place write for ndarrays."""
        rhs = self.visit(node.value)
        op_name, py_op = BINOPS[type(node.op)]
        if is_tensor(old) and old.kind == ARRAY:
            return self.inplace(old, op_name, rhs)
        return apply(self.b, op_name, [old, rhs], static_fn=py_op)

    def store_attribute(self, obj: Any, name: str, value: Any) -> None:
        """`obj.name = value` on a host object: an effect committed after the graph ran."""
        if not isinstance(obj, HostObject):
            raise self.fail(f"assigning attribute '{name}' of a {type(obj).__name__} is not "
                            "converted")
        host.check_settable(self, obj, name)
        self.conv.effects.set_attr(self.b, obj, name, value)

    def store_item(self, obj: Any, key: Any, value: Any) -> None:
        if not isinstance(obj, HostObject):
            raise self.fail(f"item assignment to a {type(obj).__name__} is not converted")
        if isinstance(container_writes.real(obj.raw), dict):  # maybe a new key
            return container_writes.set_key(self, obj, key, value)
        self.conv.effects.set_item(self.b, obj, key, value)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in self.env:
                del self.env[target.id]
                continue
            if isinstance(target, ast.Subscript):
                base = self.visit(target.value)
                key = self.visit(target.slice)
                if isinstance(base, HostObject):
                    container_writes.delete_item(self, base, key)
                    continue
                if type(base) in (list, dict):  # a container the function built
                    try:
                        del base[key]
                    except (IndexError, KeyError, TypeError) as e:
                        raise self.fail(f"{type(e).__name__}: {e}") from None
                    continue
            raise self.fail("this del statement is not converted")

    def store_outer(self, name: str, value: Any) -> None:
        """`name = value` for a name declared `global` (or `nonlocal` to an enclosing
        function's cell): an effect committed after the graph ran."""
        source = self.outer_source(name)
        if source is None:
            raise self.fail(f"assigning '{name}' declared nonlocal to a function this one "
                            "defines is not converted yet")
        self.conv.effects.set_name(self.b, source, self.fn, value)

    def outer_source(self, name: str) -> GlobalVar | ClosureVar | None:
        if name in self.declared_nonlocal:
            return (ClosureVar(name, self.scope) if name in self.fn.__code__.co_freevars
                    else None)
        return GlobalVar(name, self.scope)

    def inplace(self, old: Tensor, op_name: str, rhs: Any) -> Tensor:
        """`a += b` on an ndarray writes into `a`'s buffer: every view and every container
        holding `a` sees the write (frontend/heap.py)."""
        new = apply(self.b, op_name, [old, rhs])
        if new.shape != old.shape:
            raise self.fail(f"non-broadcastable output operand with shape {old.shape} doesn't "
                            f"match the broadcast shape {new.shape}")
        if new.dtype != old.dtype:
            if not np.can_cast(new.dtype, old.dtype, casting="same_kind"):
                raise self.fail(f"Cannot cast ufunc '{op_name}' output from {new.dtype} to "
                                f"{old.dtype} with casting rule 'same_kind'")
            new = self.b.emit("astype", [new], dtype=old.dtype)
        heap.write(self.b, old, new)
        return old

    def visit_If(self, node: ast.If) -> None:
        test = self.test(node.test)
        try:
            taken = self.truth(test, node)
        except branches.Relax:
            return relaxed_if.convert_if(self, node, test)
        self.block(node.body if taken else node.orelse)

    def truth(self, value: Any, node: ast.stmt | ast.expr | None = None) -> bool:
        """Python's truth test of `value`; `node`: the if/while/conditional expression asking,
        whose branch may be speculated from the profile when `value` is computed in the graph."""
        if is_tensor(value):
            if node is None:
                raise self.fail("branching on a value computed from array data is not "
                                "converted here")
            return branches.speculate(self, value, node)
        if isinstance(value, HostObject):
            return host.truth(self, value)
        if isinstance(value, (tuple, list, dict)):  # built while converting
            return len(value) > 0
        if not is_plain(value) and not callable(value) and not isinstance(value, type(np)):
            raise self.fail(f"the truth value of a {type(value).__name__} is not converted")
        try:
            return bool(value)
        except Exception as e:
            raise self.fail(f"{type(e).__name__}: {e}") from None

    def visit_For(self, node: ast.For) -> None:
        iterable = self.visit(node.iter)
        found = jumps.jumps(node.body)
        if found:  # `break`/`continue` as flags (canonicalize/jumps.py)
            if isinstance(iterable, range) and ast.Break in found:
                iterable = relaxed_loops.DynamicRange(iterable.start, iterable.stop,
                                                      iterable.step)
            if isinstance(iterable, relaxed_loops.DynamicRange) and ast.Break in found:
                # A while over a counter: unrolled while the break is known now, one
                # scf.while (an early exit) from the first break on array data on.
                return relaxed_loops.range_with_break(self, node, iterable)
            name = f"__janus_iterable_{node.lineno}_{node.col_offset}"
            self.env[name] = iterable
            try:
                rewritten = jumps.for_loop(node, name)
            except ValueError as e:
                raise self.fail(f"`break`/`continue` here is not converted yet: {e}") from None
            return self.block(rewritten)
        if isinstance(iterable, relaxed_loops.DynamicRange):
            return relaxed_loops.convert_for(self, node, iterable)
        if (isinstance(iterable, range) and len(iterable) > relaxed_loops.UNROLL_MAX
                and relaxed_loops.static_range(self, node, iterable)):
            return None
        if is_tensor(iterable) and iterable.kind == ARRAY and iterable.ndim >= 1 and (
                type(iterable.shape[0]) is not int
                or iterable.shape[0] > relaxed_loops.UNROLL_MAX) and relaxed_loops.rows(
                    self, node, iterable):
            return None
        if stacked.is_stacked(self, iterable) or isinstance(iterable, row_lists.RowList):
            iterable = sequences.of(self, iterable)
        if isinstance(iterable, sequences.RunTimeSequence):
            return relaxed_loops.for_loop(self, node, iterable.length, iterable.item)
        loops.convert_for(self, node, iterable)

    def visit_While(self, node: ast.While) -> None:
        loops.convert_while(self, node)

    def visit_ListComp(self, node: ast.ListComp) -> Any:
        return comprehensions.convert(self, node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp  # type: ignore

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.assign(ast.Name(node.name, ast.Store()), local_functions.define(self, node))

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        return local_functions.define(self, node)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.declared_global.update(node.names)  # reads go outwards
        self.declared_nonlocal.update(node.names)

    def visit_Global(self, node: ast.Global) -> None:
        self.declared_global.update(node.names)

    def visit_Break(self, node: ast.Break) -> None:
        raise loops.BreakLoop()

    def visit_Continue(self, node: ast.Continue) -> None:
        raise loops.ContinueLoop()

    def iterate(self, value: Any) -> list[Any]:
        """The items of something a for loop or an unpacking walks, known now."""
        if isinstance(value, row_lists.RowList):
            value = sequences.of(self, value)
        if isinstance(value, sequences.RunTimeSequence):
            raise self.fail(f"{value.what} has a length known only when the graph runs; it is "
                            "converted only as the iterable of a for loop")
        if isinstance(value, HostObject):
            if isinstance(value.value, dict):
                return host.dict_keys(self, value)
            if type(value.value) not in (tuple, list):
                raise self.fail(f"iterating over a {type(value.value).__name__} is not "
                                "converted")
            lift = self.conv.lifter
            return [lift.read(ItemOf(value.source, i)) for i in range(host.length(self, value))]
        if is_tensor(value):
            from .numpy_api import index_first

            if value.ndim == 0:
                raise self.fail("iteration over a 0-d array")
            return [index_first(self.b, value, i) for i in range(value.shape[0])]
        if isinstance(value, (tuple, list, range, dict, str, zip, enumerate, reversed,
                              *_REVERSE_ITERATORS)):
            return list(value)
        if isinstance(value, ListOfArray):
            return value.rows(self.b)
        if isinstance(value, relaxed_loops.DynamicRange):
            raise self.fail("a range() whose bounds are computed at run time is only converted "
                            "as the iterable of a for loop")
        raise self.fail(f"iterating over {type(value).__name__} is not converted")

    def visit_Try(self, node: ast.Try) -> None:
        """`try`: the body, then `else`, with `finally` on every way out. A handler is never
        converted: what the body can raise is either known now (then the conversion stops) or
        checked by a guard in the graph, whose failure runs the call as plain Python, handler
        and all."""
        if any(not isinstance(h.type, (ast.Name, ast.Attribute, ast.Tuple)) and h.type is not None
               for h in node.handlers):
            raise self.fail("this except clause is not converted")
        try:
            self.block(node.body)
            self.block(node.orelse)
        except (Returned, loops.BreakLoop, loops.ContinueLoop):
            self.block(node.finalbody)
            raise
        self.block(node.finalbody)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_Raise(self, node: ast.Raise) -> None:
        raise RaiseReached("the function raises here (the call runs as plain Python, which "
                           "raises)", self.b.where)

    def visit_Assert(self, node: ast.Assert) -> None:
        test = self.visit(node.test)
        if is_tensor(test):
            # On array data: a guard. When it fails the call runs as plain Python, which raises
            # the AssertionError (and only then evaluates the message).
            self.b.guard(branches.predicate(self, test), "error", "the assertion holds (the "
                         "plain call raises AssertionError)")
            return
        if not self.truth(test):
            raise self.fail("assertion fails (the call raises AssertionError)")

    # --- expressions ------------------------------------------------------------------------
    def visit_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def visit_Name(self, node: ast.Name) -> Any:
        return self.load_name(node.id)

    def load_name(self, name: str) -> Any:
        if name in self.env:
            return self.bound_value(name)
        code = self.fn.__code__
        if name in self.declared_global and name not in self.declared_nonlocal:
            return self._outer(GlobalVar(name, self.scope))
        if name in code.co_varnames or name in code.co_cellvars:
            raise self.fail(f"local variable '{name}' referenced before assignment")
        if name in code.co_freevars:
            return self._outer(ClosureVar(name, self.scope))
        if name in self.fn.__globals__ or self.conv.effects.name_value(
                GlobalVar(name, self.scope), self.fn) is not MISSING:
            return self._outer(GlobalVar(name, self.scope))
        if hasattr(builtins, name):
            return getattr(builtins, name)
        raise self.fail(f"name '{name}' is not defined")

    def _outer(self, source: GlobalVar | ClosureVar) -> Any:
        """A global or a closure cell: what this call assigned it, or its value on entry."""
        written = self.conv.effects.name_value(source, self.fn)
        if written is not MISSING:
            return written
        if isinstance(source, GlobalVar) and source.name not in self.fn.__globals__:
            if hasattr(builtins, source.name):
                return getattr(builtins, source.name)
            raise self.fail(f"name '{source.name}' is not defined")
        return self.conv.lifter.read(source)

    def bound_value(self, name: str) -> Any:
        value = self.env[name]
        if isinstance(value, Unbound):
            if value.carry is not None and name not in self.conv.lifter.policy.carried.get(
                    value.carry, ()):
                raise NeedsCarry(value.carry, name, self.b.where)
            raise self.fail(f"'{name}' is read where its value depends on the path the graph "
                            f"takes ({value.why}); not converted yet")
        return value

    def visit_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self._elements(node.elts))

    def visit_List(self, node: ast.List) -> list:
        return self._elements(node.elts)

    def _elements(self, elts: list[ast.expr]) -> list[Any]:
        out: list[Any] = []
        for e in elts:
            if isinstance(e, ast.Starred):
                out.extend(self.iterate(self.visit(e.value)))
            else:
                out.append(self.visit(e))
        return out

    def visit_Set(self, node: ast.Set) -> set:
        items = self._elements(node.elts)
        if not all(is_plain(v) for v in items):
            raise self.fail("a set of values computed in the graph is not converted")
        return set(items)

    def visit_Dict(self, node: ast.Dict) -> dict:
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                raise self.fail("dict unpacking is not converted")
            key = self.visit(k)
            if is_tensor(key):
                raise self.fail("dict keys must be known before the graph runs")
            out[key] = self.visit(v)
        return out

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        if type(node.op) not in BINOPS:
            raise self.fail(f"operator {type(node.op).__name__} is not converted")
        name, py_op = BINOPS[type(node.op)]
        lhs, rhs = self.visit(node.left), self.visit(node.right)
        for v in (lhs, rhs):
            if isinstance(v, (tuple, list, HostObject)) and any_tensor(v):
                raise self.fail(f"operator {type(node.op).__name__} on a container of arrays "
                                "is not converted")
        return apply(self.b, name, [lhs, rhs], static_fn=py_op)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            if is_tensor(value):  # `not` of a graph value: a Python bool computed in the graph
                return self.b.emit("logical_not", [branches.predicate(self, value)], PY_SCALAR)
            return not self.truth(value)
        return unary(self.b, UNARYOPS[type(node.op)][0], value)

    def visit_Compare(self, node: ast.Compare) -> Any:
        left = self.visit(node.left)
        rights = [self.visit(c) for c in node.comparators]
        results = []
        for op, right in zip(node.ops, rights):
            if isinstance(op, (ast.Is, ast.IsNot)):
                same = host.identical(self, left, right)
                if same is None:
                    same = left is right
                results.append(same if isinstance(op, ast.Is) else not same)
            elif isinstance(op, (ast.In, ast.NotIn)):
                found = self.contains(left, right)
                results.append(found if isinstance(op, ast.In) else not found)
            elif isinstance(left, HostObject) or isinstance(right, HostObject):
                name, py_op = COMPARES[type(op)]
                if name not in ("equal", "not_equal"):
                    raise self.fail(f"ordering comparison of a {type(left).__name__} is not "
                                    "converted")
                results.append(bool(py_op(host.plain_value(self, left),
                                          host.plain_value(self, right))))
            else:
                name, py_op = COMPARES[type(op)]
                results.append(apply(self.b, name, [left, right], static_fn=py_op))
            left = right
        if len(results) == 1:
            return results[0]
        if any(is_tensor(r) for r in results):
            raise self.fail("chained comparison of arrays needs the truth value of an array")
        return all(results)

    def contains(self, item: Any, container: Any) -> bool:
        """`item in container` for containers known now (host ones read and guarded)."""
        if is_tensor(item) or is_tensor(container):
            raise self.fail("'in' on arrays is not converted")
        if isinstance(container, HostObject) and isinstance(container.value, dict):
            return host.has_key(self, container, host.plain_value(self, item))
        items = host.plain_value(self, container)
        try:
            return host.plain_value(self, item) in items
        except TypeError as e:
            raise self.fail(f"TypeError: {e}") from None

    def test(self, node: ast.expr) -> Any:
        """The value of an `if`/`while` test: only its truth matters, so `and`/`or` of graph
        values may give a Python bool whatever type their operands have."""
        if isinstance(node, ast.BoolOp):
            with self.b.at(self.filename, node.lineno, node.col_offset):
                return self.visit_BoolOp(node, truth=True)
        return self.visit(node)

    def visit_BoolOp(self, node: ast.BoolOp, truth: bool = False) -> Any:
        is_and = isinstance(node.op, ast.And)
        value = self.test(node.values[0]) if truth else self.visit(node.values[0])
        for v in node.values[1:]:
            if is_tensor(value):  # the next operand is evaluated only on one side
                value = relaxed_if.short_circuit(self, value, v, is_and, truth)
            elif self.truth(value) != is_and:
                return value
            else:
                value = self.visit(v)
        return value

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        test = self.test(node.test)
        try:
            taken = self.truth(test, node)
        except branches.Relax:
            return relaxed_if.convert_ifexp(self, node, test)
        return self.visit(node.body if taken else node.orelse)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        return attribute(self, self.visit(node.value), node.attr)

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        return subscript(self, self.visit(node.value), self.visit(node.slice))

    def visit_Slice(self, node: ast.Slice) -> slice:
        parts = [self.visit(p) if p is not None else None for p in (node.lower, node.upper,
                                                                     node.step)]
        return slice(*parts)

    def visit_Call(self, node: ast.Call) -> Any:
        fn = self.visit(node.func)
        args = self._elements(node.args)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:
                extra = self.visit(kw.value)
                if not isinstance(extra, dict):
                    raise self.fail("** of a value not known now is not converted")
                kwargs.update(extra)
            else:
                kwargs[kw.arg] = self.visit(kw.value)
        return call(self, fn, args, kwargs)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        parts = []
        for v in node.values:
            if not isinstance(v, ast.FormattedValue):
                parts.append(v.value)
                continue
            x = self.visit(v.value)
            spec = self.visit(v.format_spec) if v.format_spec is not None else ""
            if printing.made_at_run_time(x):  # its text is made at commit
                conversion = {-1: None, ord("s"): "s", ord("r"): "r", ord("a"): "a"}
                parts.append(printing.format_later(self.b, x, conversion[v.conversion], spec))
                continue
            x = host.plain_value(self, x)
            convert = {-1: None, ord("s"): str, ord("r"): repr, ord("a"): ascii}[v.conversion]
            try:
                parts.append(format(convert(x) if convert else x, spec))
            except (TypeError, ValueError) as e:
                raise self.fail(f"{type(e).__name__}: {e}") from None
        return printing.joined(parts)


def any_tensor(v: Any) -> bool:
    if is_tensor(v):
        return True
    if isinstance(v, (tuple, list)):
        return any(any_tensor(x) for x in v)
    if isinstance(v, dict):
        return any(any_tensor(x) for x in v.values())
    return isinstance(v, HostObject) and type(v.value) in (tuple, list)


class LocalConverter(FunctionConverter):
    """Converts the body of a nested def or lambda: its own locals first, then the scope that
    defined it (read when the call runs), never the function's globals directly."""

    def __init__(self, parent: FunctionConverter, body: list[ast.stmt], env: dict[str, Any],
                 local_names: frozenset[str]):
        self.conv = parent.conv
        self.b = parent.b
        self.fn = parent.fn
        self.scope = parent.scope
        self.env = env
        self.declared_global = set()
        self.declared_nonlocal = set()
        self.tails = {}
        self.filename = parent.filename
        self.parent = parent
        self.local_names = local_names
        self.node = ast.FunctionDef(name="<local>", args=None, body=body, decorator_list=[])
        self.loop_liveness = liveness.loops(body)

    def load_name(self, name: str) -> Any:
        if name in self.env:
            return self.bound_value(name)
        if name in self.declared_global:
            return self.parent.load_name(name)
        if name in self.local_names:
            raise self.fail(f"local variable '{name}' referenced before assignment")
        return self.parent.load_name(name)
