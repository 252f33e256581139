"""Loops whose trip count or test is a graph value, in their relaxed form: `for` over a
`range` with run-time bounds as `scf.for`, `while` on a graph value as `scf.while`.

The carried values are the names bound before the loop that the body rebinds
(analysis/names.py) and that are live at the loop's head (analysis/liveness.py), plus the
arrays the body writes in place (carried by object, so every name, list and view holding them
sees the writes). Which of them change, and to what types, is
found by converting the body: a first pass with the values before the loop, then passes with the
carried values as block arguments until nothing new changes (a number known now that the body
changes is widened to a graph value); the last pass is the loop's body.

A carried value whose type the first iteration changes (`acc = 0` then `acc = acc + x.sum()`),
or an array held by another name, would be returned as it is after zero trips; the graph
assumes at least one trip then, with a guard of kind "trip_count". A name holding the caller's
own array before the loop holds, after it, that array (no trip) or the new one: decided when the
call returns. A name the body binds that was not bound before the loop is unbound after it;
reading it there raises NeedsCarry, and the conversion is redone with the loop carrying it from
a placeholder, assuming one trip (the policy's `carried`). `break`/`continue` and `return` reach
this module as flags (canonicalize/jumps.py, canonicalize/returns.py). Lists or dicts changed by
the body, and values whose type changes from one iteration to the next, are not converted yet.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import arith, scf, tensor

from ..dialects.types import TensorSpec, tensor_type
from ..speculation.profile import Site
from . import heap, loop_attributes, loop_draws, loop_prints, loops, row_lists
from .canonicalize import jumps
from .analysis.names import bound
from .branches import predicate
from .errors import NeedsCarry, Returned, Unconvertible
from .operators import apply
from .symbolic import index_value
from .regions import (Staged, Unbound, changed_container, containers, exact_in,
                      tensors_reachable, widen, widenable)
from .values import ARRAY, JOURNALS, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter

MAX_PASSES = 4
MISSING = object()


@dataclass
class DynamicRange:
    """`range(start, stop, step)` with a bound known only when the graph runs."""

    start: Any
    stop: Any
    step: Any


@dataclass
class Carried:
    names: dict[str, tuple[TensorSpec, str]] = field(default_factory=dict)
    roots: list[Tensor] = field(default_factory=list)
    first_trip: list[str] = field(default_factory=list)  # why at least one trip is assumed
    either: dict[str, Tensor] = field(default_factory=dict)  # names holding a caller's array
    ran: Tensor | None = None  # whether the loop ran at least once (for `either`)
    unread_after: frozenset[str] = frozenset()  # names no statement after the loop reads

    def specs(self) -> list[TensorSpec]:
        return [s for s, _ in self.names.values()] + [t.spec for t in self.roots]


@dataclass
class Pass:
    env: dict[str, Any]
    written: list[Tensor]
    staged: list[Staged]
    yields: list[ir.Value] = field(default_factory=list)
    cond: ir.Value | None = None
    carried_written: bool = False  # a carried array was written in place


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def convert_for(cv: FunctionConverter, node: ast.For, rng: DynamicRange) -> None:
    b = cv.b
    step = rng.step
    if is_tensor(step) or not isinstance(step, int) or step == 0:
        raise cv.fail("range() with a step computed at run time is not converted yet")
    _jumps(cv, node)
    span = apply(b, "subtract", [rng.stop, rng.start] if step > 0 else [rng.start, rng.stop],
                 static_fn=lambda x, y: x - y)
    if abs(step) != 1:
        span = apply(b, "floor_divide", [apply(b, "add", [span, abs(step) - 1],
                                               static_fn=lambda x, y: x + y), abs(step)],
                     static_fn=lambda x, y: x // y)
    trips = apply(b, "maximum", [span, 0])
    if not is_tensor(trips):
        raise cv.fail("internal: a run-time range with a trip count known now")

    def item(index: ir.Value) -> Any:
        k = index_value(b, index)
        value = k if step == 1 else apply(b, "multiply", [k, step], static_fn=lambda x, y: x * y)
        return apply(b, "add", [rng.start, value], static_fn=lambda x, y: x + y)

    # Draws in the body are taken on the host when it can count the trips (loop_draws.py);
    # not in a loop inside another region, whose trips would repeat per outer iteration.
    draws = None if JOURNALS else loop_draws.sites_for(cv, rng.start, rng.stop, step, b.where)
    for_loop(cv, node, trips, item, draws)


def _jumps(cv: FunctionConverter, node: ast.For | ast.While) -> None:
    """Refuse what the loop forms do not take (`break`/`continue` were made flags before)."""
    from .relaxed_if import may_return

    if may_return(node.body):
        raise cv.fail("`return` inside a loop whose trip count is computed at run time is not "
                      "converted yet")
    if jumps.jumps(node.body):
        raise cv.fail("internal: a jump left in a loop converted to scf")


def range_with_break(cv: FunctionConverter, node: ast.For, rng: DynamicRange) -> None:
    """`for i in range(...)` with run-time bounds and a `break`: a while over a counter, the
    jumps as flags (canonicalize/jumps.py), so the loop exits early."""
    step = rng.step
    if is_tensor(step) or not isinstance(step, int) or step == 0:
        raise cv.fail("range() with a step computed at run time is not converted yet")
    start, stop = f"__janus_start_{node.lineno}", f"__janus_stop_{node.lineno}"
    cv.env[start], cv.env[stop] = rng.start, rng.stop
    cv.block(_rewritten(cv, lambda: jumps.range_loop(node, start, stop, step)))


def _rewritten(cv: FunctionConverter, rewrite: Any) -> list[ast.stmt]:
    try:
        return rewrite()
    except ValueError as e:
        raise cv.fail(f"`break`/`continue` here is not converted yet: {e}") from None


def for_loop(cv: FunctionConverter, node: ast.For, trips: Tensor, item: Any,
             draws: loop_draws.LoopDrawSites | None = None) -> None:
    """`for` as `scf.for` over `trips` (a rank-0 int graph value) iterations; `item(index)`
    gives the value bound to the loop's target for an iteration's index; `draws`: where the
    body's random draws go, when the host can count the trips (else they are refused)."""
    _jumps(cv, node)
    if node.orelse:
        raise cv.fail("`for ... else` in a loop whose trip count is computed at run time is "
                      "not converted yet")
    held = loop_attributes.find(cv, node)  # attributes it assigns, held in names
    loop_attributes.bind(cv, held)
    cv.b.loop_draws.append(draws)
    try:
        _for_loop(cv, node, trips, item, held, draws)
    except BaseException:
        loop_attributes.release(cv, held)
        raise
    finally:
        cv.b.loop_draws.pop()
    loop_attributes.finish(cv, held)


def _for_loop(cv: FunctionConverter, node: ast.For, trips: Tensor, item: Any,
              held: list[loop_attributes.HeldAttribute],
              draws: loop_draws.LoopDrawSites | None) -> None:
    b = cv.b
    names = bound([node.target]) | bound(node.body) | {h.local for h in held}
    sites = row_lists.find(cv, node)  # lists the body appends to (frontend/row_lists.py)
    prints = loop_prints.find(cv, node)  # its prints (frontend/loop_prints.py)
    body = loop_attributes.rewritten(
        loop_prints.rewritten(row_lists.rewritten(node.body, sites), prints), held)

    def bind_target(index: ir.Value) -> None:
        if draws is not None:
            draws.begin(index)
        cv.assign(node.target, item(index))

    if sites or prints:
        row_lists.bind_hooks(cv, sites)
        loop_prints.bind_hooks(cv, prints)
        for s in _body(cv, body, Carried(), bind_target).staged:  # learns the items' types
            s.discard()
        row_lists.learn(cv, sites)
        loop_prints.learn(cv, prints, sites, f"{node.lineno}:{node.col_offset}")
        row_lists.allocate(cv, sites, trips)

    def body_pass(carried: Carried) -> Pass:
        return _body(cv, body, carried, bind_target,
                     after=(lambda index: row_lists.store(cv, sites, index)) if sites else None)

    carried, final = _settle(cv, names, body_pass, node)
    if draws is not None and draws.next != len(draws.group.draws):
        raise cv.fail("the draws of a loop over a run-time length differ from one conversion "
                      "of its body to the next (not converted)")
    row_lists.check_carried(cv, sites, final.written, final.carried_written)
    last = row_lists.last_items(sites, carried.names)
    inits = _inits(cv, carried, trips_positive=lambda: apply(b, "greater", [trips, 0]),
                   node=node)
    if last and carried.ran is None:
        carried.ran = apply(b, "greater", [trips, 0])
    items = {n: row_lists.LastItem(carried.ran, site, None if carried.first_trip
                                   or isinstance(cv.env.get(n), Unbound) else cv.env.get(n))
             for n, site in last.items()}
    with b.context, b.location(), ir.InsertionPoint(b.block):
        zero = arith.ConstantOp(ir.IndexType.get(), 0).result
        one = arith.ConstantOp(ir.IndexType.get(), 1).result
        upper = arith.IndexCastOp(ir.IndexType.get(),
                                  tensor.ExtractOp(trips.value, []).result).result
        op = scf.ForOp(zero, upper, one, inits)
        with ir.InsertionPoint(op.body):
            terminator = scf.YieldOp(final.yields)
        final.staged[0].move_into(op.body, terminator.operation)
        final.staged[0].discard()
    _results(cv, carried, list(op.results), names, final.env, node,
             read_only=row_lists.read_only_results(sites), last_items=items)
    row_lists.finish(cv, sites)
    loop_prints.finish(cv, prints, trips)
    for p in prints:
        cv.env.pop(p.hook, None)


def convert_while(cv: FunctionConverter, node: ast.While, first_test: Tensor) -> None:
    _jumps(cv, node)
    if node.orelse:
        raise cv.fail("`while ... else` on array data is not converted yet")
    held = loop_attributes.find(cv, node)  # attributes it assigns, held in names
    loop_attributes.bind(cv, held)
    try:
        _while_loop(cv, loop_attributes.rewritten(node, held), first_test,
                    {h.local for h in held})
    except BaseException:
        loop_attributes.release(cv, held)
        raise
    loop_attributes.finish(cv, held)


def _while_loop(cv: FunctionConverter, node: ast.While, first_test: Tensor,
                locals_: set[str]) -> None:
    b = cv.b
    names = bound(node.body) | locals_

    def loop_pass(carried: Carried) -> Pass:
        test = _test(cv, node, carried)
        body = _body(cv, node.body, carried, None)
        body.staged.insert(0, test.staged[0])
        body.cond = test.cond
        return body

    carried, final = _settle(cv, names, loop_pass, node)
    inits = _inits(cv, carried, trips_positive=lambda: predicate(cv, first_test), node=node)
    test_block, body_block = final.staged
    with b.context, b.location(), ir.InsertionPoint(b.block):
        types = [v.type for v in inits]
        op = scf.WhileOp(types, inits)
        before = op.before.blocks.append(*types)
        after = op.after.blocks.append(*types)
        with ir.InsertionPoint(before):
            terminator = scf.ConditionOp(final.cond, list(before.arguments))
        test_block.move_into(before, terminator.operation)
        with ir.InsertionPoint(after):
            terminator = scf.YieldOp(final.yields)
        body_block.move_into(after, terminator.operation)
        test_block.discard()
        body_block.discard()
    _results(cv, carried, list(op.results), names, final.env, node)


# ---------------------------------------------------------------------------------------------
# Finding the carried values
# ---------------------------------------------------------------------------------------------

def _site(cv: FunctionConverter, node: ast.stmt) -> Site:
    return Site(cv.scope, node.lineno, node.col_offset, "trips")


def _settle(cv: FunctionConverter, names: set[str], run: Any,
            node: ast.stmt) -> tuple[Carried, Pass]:
    """Convert the body until the carried values stop changing; the last conversion is the
    loop's."""
    # Every name bound before the loop that the body rebinds is carried: its value after the
    # loop is the last iteration's (or its own, after no trip), whether or not it is read.
    # So is a name only the body binds that was read after the loop on an earlier conversion
    # (the policy's `carried`): it starts unbound, and one trip is assumed.
    later = cv.conv.lifter.policy.carried.get(_site(cv, node), set()) & names
    for name in later:
        if name not in cv.env or isinstance(cv.env[name], Unbound):
            cv.env[name] = Unbound(name, "the loop has not bound it yet")
    candidates = sorted(n for n in names if n in cv.env and (
        not isinstance(cv.env[n], Unbound) or n in later))
    # Modified ∩ live: a name the body rebinds that no later statement reads before binding
    # it again is not carried. It is unbound in the body and after the loop, so a read the
    # analysis missed raises NeedsCarry (the loop is converted again, carrying it).
    live = cv.loop_liveness.get((node.lineno, node.col_offset))
    if live is not None:
        dead = [n for n in candidates if n not in live.head and n not in later
                and not n.startswith("__janus")]
        for name in dead:
            cv.env[name] = Unbound(name, "it is not carried by a loop whose trip count is "
                                   "computed at run time", carry=_site(cv, node))
        candidates = [n for n in candidates if n not in dead]
    carried = Carried()
    if live is not None:
        carried.unread_after = frozenset(n for n in names if n not in live.after)
    for _ in range(MAX_PASSES):
        trial = run(carried)
        changed = False
        for name in candidates:
            changed |= _carry(cv, name, trial, carried)
        for t in trial.written:
            if t not in carried.roots and not _held_by_carried_name(cv, t, carried):
                carried.roots.append(t)
                changed = True
        if not changed:
            return carried, trial
        for s in trial.staged:
            s.discard()
    raise cv.fail("the values a loop carries from one iteration to the next did not settle "
                  "(not converted)")


def _held_by_carried_name(cv: FunctionConverter, t: Tensor, carried: Carried) -> bool:
    return any(cv.env.get(n) is t for n in carried.names)


def _carry(cv: FunctionConverter, name: str, trial: Pass, carried: Carried) -> bool:
    """Whether `name` starts being carried after `trial` (raises where it cannot be)."""
    old = cv.env[name]
    new = trial.env.get(name, MISSING)
    if name in carried.names:
        spec, kind = carried.names[name]
        if is_tensor(new) and (new.spec, new.kind) == (spec, kind):
            _check_array(cv, name, new, old, trial, carried)
            return False
        if not is_tensor(new) and widenable(new) and _fits(new, spec, kind):
            return False
        raise cv.fail(f"'{name}' changes its type, shape or dtype from one iteration of a loop "
                      "to the next (not converted)")
    if new is old or new is MISSING:
        return False
    if isinstance(old, Unbound):  # first bound by the body: one trip is assumed
        if (isinstance(new, Unbound) and new.carry is not None
                and name not in cv.conv.lifter.policy.carried.get(new.carry, ())):
            raise NeedsCarry(new.carry, name, cv.b.where)  # an inner loop binds it
        if not is_tensor(new) and not widenable(new):
            raise cv.fail(f"'{name}' is bound inside a loop whose trip count is computed at "
                          "run time to a value that cannot be a graph value (not converted)")
        w = widen(cv.b, new)
        if w.kind == ARRAY:
            _check_array(cv, name, w, old, trial, carried)
        carried.first_trip.append(f"'{name}' is first bound by the loop")
        carried.names[name] = (w.spec, w.kind)
        return True
    if not is_tensor(new) and not is_tensor(old) and type(new) is type(old) and (
            widenable(new) and new == old):
        return False
    if is_tensor(new):
        spec, kind = new.spec, new.kind
        if is_tensor(old):
            stable = (old.spec, old.kind) == (spec, kind)
        else:
            stable = widenable(old) and kind != ARRAY and exact_in(old, spec.dtype)
        if not stable:
            raise cv.fail(f"'{name}' changes its type, shape or dtype in a loop whose trip "
                          "count is computed at run time (not converted)")
        _check_array(cv, name, new, old, trial, carried)
        if not _same_type_before(old, spec, kind):
            carried.first_trip.append(f"'{name}' has the type of its value after the first "
                                      "iteration")
        elif kind == ARRAY and not _replaceable_before(cv, old, name):
            if old.view is None and not old.fresh and old.source is not None:
                carried.either[name] = old  # after no trip: the caller's array itself
            else:
                carried.first_trip.append(f"'{name}' is an array another name holds before "
                                          "the loop")
    elif widenable(new) and widenable(old) and type(new) is type(old):
        w = widen(cv.b, old)
        spec, kind = w.spec, w.kind
    elif is_tensor(old) and widenable(new) and _fits(new, old.spec, old.kind):
        spec, kind = old.spec, old.kind  # a number known now, stored into a graph value
    else:
        raise cv.fail(f"'{name}' changes inside a loop whose trip count is computed at run time "
                      "and cannot be a graph value there (not converted)")
    carried.names[name] = (spec, kind)
    return True


def _fits(v: Any, spec: TensorSpec, kind: str) -> bool:
    return kind != ARRAY and exact_in(v, spec.dtype) and _same_type_before(v, spec, kind)


def _same_type_before(old: Any, spec: TensorSpec, kind: str) -> bool:
    """Whether the value before the loop already has the carried value's type."""
    if is_tensor(old):
        return (old.spec, old.kind) == (spec, kind)
    if kind == PY_SCALAR:
        return type(old) is {np.dtype(np.int64): int, np.dtype(np.float64): float,
                             np.dtype(np.bool_): bool}.get(spec.dtype)
    return isinstance(old, np.generic) and old.dtype == spec.dtype and kind != ARRAY


def _check_array(cv: FunctionConverter, name: str, new: Tensor, old: Any, trial: Pass,
                 carried: Carried) -> None:
    """A carried array must be one the body made, that nothing else holds, and the body must
    not write the array the name held before the loop (iteration one would write that one)."""
    if new.kind != ARRAY:
        return
    start = trial.staged[-1].journal.start
    others = [v for k, v in trial.env.items() if k != name]
    if (new.view is not None or not (new.fresh or (
            name in carried.unread_after and _either_of(new, old))) or new.ambiguous_views
            or new.symbolic_views
            or new.serial < start
            or any(o is new or (o.view is not None and o.view.root is new)
                   for o in tensors_reachable(others))):
        raise cv.fail(f"'{name}' is bound in a loop to an array held elsewhere; its identity "
                      "is not modelled in a loop whose trip count is computed at run time "
                      "(not converted)")
    if is_tensor(old) and heap.roots_of(old) in trial.written and not (
            heap.roots_of(old) is old and _replaceable_before(cv, old, name)):
        # (an array only this name holds may be written and then rebound: nobody else sees
        # the write, and from the second iteration on the name holds the body's own array)
        raise cv.fail(f"the array '{name}' holds before the loop is written in place and then "
                      f"'{name}' is rebound, in a loop whose trip count is computed at run time "
                      "(not converted)")


def _either_of(new: Tensor, old: Any) -> bool:
    """Whether `new` is, after a branch of the body, either `old` — the caller's array the name
    held before the loop — or an array the body made. Only the first conversion of the body
    sees that (it starts from the values before the loop); later ones start from the carried
    block arguments. Which array the name holds after the loop is then not known (an iteration
    may keep the caller's array on one side): allowed only for names no later statement reads
    (`carried.unread_after`)."""
    either = new.meta.get("either")
    return (either is not None and is_tensor(old) and old.view is None and not old.fresh
            and old.source is not None and all(o is None or o is old for o in either[1]))


def _replaceable_before(cv: FunctionConverter, old: Any, name: str) -> bool:
    if (not is_tensor(old) or old.view is not None or not old.fresh or old.ambiguous_views
            or old.symbolic_views):
        return False
    others = [v for k, v in cv.env.items() if k != name]
    return all(o is not old and not (o.view is not None and o.view.root is old)
               for o in tensors_reachable(others))


# ---------------------------------------------------------------------------------------------
# One conversion of the test or the body
# ---------------------------------------------------------------------------------------------

def _bind(cv: FunctionConverter, carried: Carried, args: list[ir.Value]) -> None:
    for (name, (spec, kind)), arg in zip(carried.names.items(), args):
        cv.env[name] = Tensor(arg, spec, kind)
    for root, arg in zip(carried.roots, args[len(carried.names):]):
        root.assign(arg)


def _body(cv: FunctionConverter, body: list[ast.stmt], carried: Carried,
          bind_target: Any, after: Any = None) -> Pass:
    """One conversion of the loop's body; `after(index)`: what ends an iteration of an
    scf.for besides its yields (the appends of frontend/row_lists.py)."""

    b = cv.b
    before = dict(cv.env)
    snapshot = containers(before.values())
    staged = Staged(b, carried.specs(), index_arg=bind_target is not None)
    try:
        with staged:
            args = staged.args
            # The carried values first: the loop's target, carried when it is read after the
            # loop, takes this iteration's item over its carried value.
            _bind(cv, carried, args[1:] if bind_target is not None else args)
            carried_arrays = [cv.env[n] for n, (_, kind) in carried.names.items()
                              if kind == ARRAY]
            if bind_target is not None:
                bind_target(args[0])
            loops.spend(cv, len(body))
            try:
                cv.block(body)
            except (loops.BreakLoop, loops.ContinueLoop):
                raise cv.fail("`break` or `continue` in a loop whose trip count is computed at "
                              "run time is not converted yet") from None
            except Returned:
                raise cv.fail("`return` inside a loop whose trip count is computed at run time "
                              "is not converted yet") from None
            if after is not None:
                after(args[0])
            if changed_container(snapshot) is not None:
                raise cv.fail("a list or dict changed inside a loop whose trip count is "
                              "computed at run time is not converted yet (appending to a "
                              "list converts as one top-level statement of a for loop's body)")
            yields = [widen(b, cv.env[n], spec, kind).value if n in cv.env and not isinstance(
                cv.env[n], Unbound) else None for n, (spec, kind) in carried.names.items()]
            if any(y is None for y in yields):
                raise cv.fail("a carried name is unbound at the end of the loop body")
            yields += [t._value for t in carried.roots]

        result = Pass(dict(cv.env), staged.journal.written(), [staged], yields,
                      carried_written=any(t.version for t in carried_arrays))
    finally:
        staged.journal.restore()
        cv.env.clear()
        cv.env.update(before)
    return result


def _test(cv: FunctionConverter, node: ast.While, carried: Carried) -> Pass:
    b = cv.b
    before = dict(cv.env)
    staged = Staged(b, carried.specs())
    try:
        with staged:
            _bind(cv, carried, staged.args)
            bound_env = dict(cv.env)
            value = cv.test(node.test)
            if not is_tensor(value):
                raise cv.fail("a while test on array data that is known while converting on a "
                              "later iteration is not converted")
            pred = predicate(cv, value)
            if any(cv.env.get(k) is not v for k, v in bound_env.items()) or any(
                    t._value is not a for t, a in zip(carried.roots,
                                                      staged.args[len(carried.names):])):
                raise cv.fail("a while test that binds names or writes arrays is not converted")
            with b.context, b.location(), ir.InsertionPoint(staged.block):
                cond = tensor.ExtractOp(pred.value, []).result
        result = Pass(dict(cv.env), [], [staged], cond=cond)
    finally:
        staged.journal.restore()
        cv.env.clear()
        cv.env.update(before)
    return result


# ---------------------------------------------------------------------------------------------
# Around the loop
# ---------------------------------------------------------------------------------------------

def _inits(cv: FunctionConverter, carried: Carried, trips_positive: Any,
           node: ast.stmt) -> list[ir.Value]:
    """The carried values as the loop starts (and the at-least-one-trip guard, if needed)."""
    b = cv.b
    if carried.first_trip:
        site = _site(cv, node)
        if site in cv.conv.lifter.policy.unspeculated:
            raise cv.fail(f"this loop ran zero times where {carried.first_trip[0]} (not "
                          "converted)")
        b.guard(trips_positive(), "trip_count", "the loop runs at least once: "
                + carried.first_trip[0], site=site)
    if carried.either:
        carried.ran = trips_positive()
    out = []
    for name, (spec, kind) in carried.names.items():
        old = cv.env[name]
        if isinstance(old, Unbound):  # never seen: the trip guard keeps it from being read
            if not spec.static:
                raise cv.fail(f"'{name}', first bound by the loop, has a shape known only at "
                              "run time (not converted)")
            old = b.constant(np.zeros(spec.shape, spec.dtype), kind)
        if is_tensor(old) and old.dtype != spec.dtype:
            old = b.emit("astype", [old], kind, dtype=spec.dtype)
        out.append(widen(b, old, spec, kind).value)
    out += [t.value for t in carried.roots]
    return _barrier(b, out)


def _barrier(b: Any, values: list[ir.Value]) -> list[ir.Value]:
    """Each of `values` behind its own util.optimization_barrier, numbered so that two equal
    values stay two. IREE 3.13 fails on loops whose initial values are a constant and an
    elementwise result ("ref is null" when run), or two equal values (its stream conversion of
    scf.while breaks: "region branch point has 4 operands"); see tests/test_iree_traps.py.
    A value with a dynamic dim passes as it is: IREE resolves no dim through the barrier (the
    dynamic inits are the buffers of frontend/row_lists.py, kept apart by their sizes)."""
    out = []
    with b.context, b.location(), ir.InsertionPoint(b.block):
        i64 = ir.IntegerType.get_signless(64)
        for k, v in enumerate(values):
            if not ir.RankedTensorType(v.type).has_static_shape:
                out.append(v)
                continue
            op = ir.Operation.create("util.optimization_barrier", results=[v.type], operands=[v],
                                     attributes={"janus.init": ir.IntegerAttr.get(i64, k)})
            out.append(op.result)
    return out



def _results(cv: FunctionConverter, carried: Carried, results: list[ir.Value],
             names: set[str], end: dict[str, Any], node: ast.stmt,
             read_only: bool = False,
             last_items: dict[str, row_lists.LastItem] | None = None) -> None:
    for name in names:
        if name not in carried.names and end.get(name, MISSING) is not cv.env.get(name, MISSING):
            cv.env[name] = Unbound(name, "it is bound inside a loop whose trip count is "
                                   "computed at run time and not carried",
                                   carry=_site(cv, node))
    for (name, (spec, kind)), v in zip(carried.names.items(), results):
        if last_items and name in last_items:
            # the last array appended to a list (a new one each iteration): that list's item;
            # after no trip, the value from before the loop (the caller's array, say)
            cv.env[name] = Tensor(v, spec, kind, fresh=False,
                                  meta={"last_item": last_items[name]})
        elif name in carried.either:
            # No trip leaves the caller's own array: which one it is is decided at return
            # (convert.py); never written in place.
            cv.env[name] = Tensor(v, spec, kind, fresh=False, meta={
                "either": (carried.ran, [None, carried.either[name]])})
        else:
            # read_only: an array item of a list the loop built may be this very array.
            cv.env[name] = Tensor(v, spec, kind, fresh=not (read_only and kind == ARRAY))
    for root, v in zip(carried.roots, results[len(carried.names):]):
        root.assign(v)


# A loop known now with more trips than this is tried as an scf.for first (unrolled only if
# its body needs the loop variable as a constant): long unrolled loops compile slowly.
UNROLL_MAX = 64


def attempt(cv: FunctionConverter, convert: Any) -> bool:
    """Run `convert()` (a relaxed form of a loop); where it stops the conversion, undo what it
    emitted and return False (the caller unrolls instead)."""
    b = cv.b
    block = b.block
    n_ops = len(list(block.operations))
    n_guards = len(b.guards)
    env = dict(cv.env)
    try:
        convert()
        return True
    except Unconvertible as e:
        if type(e) is not Unconvertible:  # NeedsProfile, NeedsStatic...: for the dispatcher
            raise
        for op in list(block.operations)[n_ops:][::-1]:
            op.operation.erase()
        del b.guards[n_guards:]
        cv.env.clear()
        cv.env.update(env)
        return False


def static_range(cv: FunctionConverter, node: ast.For, rng: range) -> bool:
    """`for i in range(...)` with many trips known now, as an scf.for over a constant count."""
    b = cv.b

    def convert() -> None:
        trips = b.constant(np.asarray(len(rng), np.int64), PY_SCALAR)

        def item(index: ir.Value) -> Any:
            k = index_value(b, index)
            value = k if rng.step == 1 else apply(b, "multiply", [k, rng.step],
                                                  static_fn=lambda x, y: x * y)
            return apply(b, "add", [rng.start, value], static_fn=lambda x, y: x + y)

        for_loop(cv, node, trips, item)

    return attempt(cv, convert)


def rows(cv: FunctionConverter, node: ast.For, array: Tensor) -> bool:
    """`for row in x` over the first axis of a long or symbolic array, as an scf.for; the rows
    are the array's own (never written in place)."""
    from .symbolic import dim

    b = cv.b
    shape, dtype = array.shape[1:], array.dtype

    def item(index: ir.Value) -> Tensor:
        with b.context, b.location(), ir.InsertionPoint(b.block):
            dyn = ir.ShapedType.get_dynamic_size()
            row = tensor.ExtractSliceOp(
                tensor_type(shape, dtype), array.value, [index], [], [],
                [dyn] + [0] * len(shape), [1, *shape], [1] * (len(shape) + 1)).result
        return Tensor(row, TensorSpec(shape, dtype), ARRAY, fresh=False)

    def convert() -> None:
        n = dim(b, array, 0)
        trips = n if is_tensor(n) else b.constant(np.asarray(n, np.int64), PY_SCALAR)
        for_loop(cv, node, trips, item)

    return attempt(cv, convert)


def dynamic_range(args: list[Any]) -> DynamicRange:
    if len(args) == 1:
        return DynamicRange(0, args[0], 1)
    if len(args) == 2:
        return DynamicRange(args[0], args[1], 1)
    return DynamicRange(*args)
