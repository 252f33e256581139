"""Converting one call of a function into a janus graph: the frontend's entry point.

`convert(fn, params, policy)` converts the function's AST speculatively against the values of one
call (`params`, the bound arguments) and returns the janus module together with everything the
runtime needs: which sources feed the graph's arguments, how to rebuild the Python return value
from its results, and the guards and assumptions the graph relies on.
"""

from __future__ import annotations

import types
from typing import Any


import numpy as np

from ..dialects.verifier import verify_module
from ..speculation.profile import Profile
from . import effects, gradients, heap, printing, write_backs
from .builder import GraphBuilder
from .calls import TensorMethod
from .converter import Conversion, FunctionConverter, parse_function
from .errors import NeedsDynamic, Unconvertible
from ..speculation.policy import Policy
from .lift import HostObject, Lifter
from . import row_lists
from .row_lists import RowList
from .tolist import ListOfArray
from ..speculation.graph_spec import GraphSpec, Template
from ..speculation.sources import Frame, Param
from .values import ARRAY, Tensor, is_tensor

def convert(fn: types.FunctionType, params: dict[str, Any], policy: Policy,
            profile: Profile | None = None) -> GraphSpec:
    _, filename, first_line = parse_function(fn)
    builder = GraphBuilder(filename)
    builder.line = first_line
    functions: dict[str, types.FunctionType] = {"": fn}
    frame = Frame(params, functions)  # inlined helpers register here as they are met
    lifter = Lifter(builder, frame, policy)
    conv = Conversion(builder, lifter, functions, profile=profile)
    env = {name: lifter.read(Param(name)) for name in params}
    result = FunctionConverter(conv, fn, "", env).run()
    outputs: list[Tensor] = []
    seen: dict[int, int] = {}
    keep: list[Any] = []
    rows = _escaping_rows(builder, result, conv.effects)
    template = _template(builder, result, outputs, seen, keep, rows)
    effect_templates = _effects(builder, conv.effects, seen, keep, rows)
    for source in write_backs.changed_constants(conv.effects, lifter):
        if source not in policy.keyed:
            raise NeedsDynamic(source, builder.where)
    write_backs.guard_write_backs(builder, lifter)
    write_backs.guard_object_identities(conv.effects, lifter)
    module = builder.finish(outputs)
    problems = verify_module(module)
    if problems:  # a converter bug: never hand IREE invalid IR
        raise Unconvertible(f"internal: generated IR does not verify: {problems[0]}",
                            builder.where)
    gradients.check_symbolic(module, builder.where)
    return GraphSpec(
        module=module,
        inputs=builder.inputs,
        output_template=template,
        output_kinds=[t.kind for t in outputs],
        entry_guards=list(lifter.entry_guards.values()),
        assumptions=list(lifter.assumptions.values()),
        in_graph_guards=builder.guards,
        functions=dict(conv.functions),
        name=fn.__name__,
        effects=effect_templates,
        effect_notes=list(conv.effects.notes),
    )


def _effects(b: GraphBuilder, log: effects.Effects, seen: dict[int, int],
             keep: list[Any], rows: frozenset[int]) -> list[tuple[Template, list[str]]]:
    """The write plan, in the order it is committed: the new contents of the caller's arrays
    written in place, then the effects in program order. Each becomes a `janus.effect` op whose
    operands are the graph values its template refers to (("out", i) numbers them per effect;
    janus-lower-state makes them results); returns (template, operand kinds) per effect."""
    plan: list[tuple[Template, list[str]]] = []
    notes = log.notes  # what explain() lists

    def emit(kind: str, target: str, where: str, make: Any) -> None:
        operands: list[Tensor] = []
        template = make(lambda v: _template(b, v, operands, seen, keep, rows), operands)
        b.effect(len(plan), kind, target, where, operands)
        plan.append((template, [t.kind for t in operands]))
        notes.append(f"{where}: {kind} {target}")

    for t in write_backs.written_inputs(b):
        emit("write", str(t.source), b.where,
             lambda tmpl, ops, t=t: ("write", t.source, _output(ops, t)))
    for e, where in zip(log.log, log.where):
        if isinstance(e, effects.Conditional):  # ("when", flag, taken, effect)
            kind, target, _ = _effect(e.effect, lambda v: None)
            emit(kind, f"{target} (when the branch at {where} goes its "
                       f"{'if' if e.taken else 'else'} way)", where,
                 lambda tmpl, ops, e=e: ("when", tmpl(e.flag), e.taken,
                                         _effect(e.effect, tmpl)[2]))
        else:
            kind, target, _ = _effect(e, lambda v: None)
            emit(kind, target, where, lambda tmpl, ops, e=e: _effect(e, tmpl)[2])
    return plan


def _effect(e: Any, tmpl: Any) -> tuple[str, str, Template]:
    """An effect's kind, target (for the IR) and template (`tmpl` makes a value's)."""
    if isinstance(e, effects.SetAttr):
        return "setattr", f"{e.obj.source}.{e.name}", ("setattr", e.obj.source, e.name,
                                                       tmpl(e.value))
    if isinstance(e, effects.SetItem):
        return "setitem", f"{e.obj.source}[{e.key!r}]", ("setitem", e.obj.source, e.key,
                                                         tmpl(e.value))
    if isinstance(e, effects.CallMethod):
        return "call", f"{e.obj.source}.{e.name}", ("call", e.obj.source, e.name,
                                                    [tmpl(a) for a in e.args])
    if isinstance(e, effects.SetName):
        return "setname", str(e.source), ("setname", e.source, tmpl(e.value))
    if isinstance(e, effects.LoopPrints):  # ("print_rows", trips, [print...])
        def column(c: Any) -> Template:
            if not isinstance(c, tuple):  # a RowList
                return ("column", tmpl(c.rows), c.kind)
            if c[0] == "format":
                return ("format", [p if type(p) is str else (column(p[0]), p[1], p[2])
                                   for p in c[1]])
            return c

        prints = [([column(c) for c in columns], sep, end,
                   file.source if file is not None else None, flush)
                  for columns, sep, end, file, flush in e.prints]
        return "print", "sys.stdout (once per iteration of a loop)", ("print_rows",
                                                                     tmpl(e.trips), prints)
    target = str(e.file) if e.file is not None else "sys.stdout"
    return "print", target, ("print", [tmpl(a) for a in e.args], e.sep, e.end, e.file, e.flush)


def _template(b: GraphBuilder, value: Any, outputs: list[Tensor], seen: dict[int, int],
              keep: list[Any] | None = None, rows: frozenset[int] | None = None) -> Template:
    """How to rebuild `value` from the graph's results. Objects met twice are rebuilt once
    (`("same", key)`), so `return a, a` and containers that share an element keep their
    identities."""
    keep = keep if keep is not None else []
    if id(value) in seen:
        return ("same", seen[id(value)])
    if _immutable_static(value):
        return ("static", value)
    key = seen[id(value)] = len(seen)
    keep.append(value)  # ids stay unique while the template is built
    return ("obj", key, _node(b, value, outputs, seen, keep, rows))


def _node(b: GraphBuilder, value: Any, outputs: list[Tensor], seen: dict[int, int],
          keep: list[Any], rows: frozenset[int] | None) -> Template:
    if is_tensor(value):
        if value.kind != ARRAY:
            return ("out", _output(outputs, value), value.kind)
        last = heap.roots_of(value).meta.get("last_item")
        if last is not None and rows is not None and id(last.rows()) in rows:
            return _last_item(b, value, last, outputs, seen, keep, rows)
        return _array_node(b, value, outputs)
    if isinstance(value, HostObject):
        return ("source", value.source)
    if isinstance(value, ListOfArray):
        if value.origin is None:  # ("tolist", base): NumPy's tolist of the base array
            return ("tolist", _array_node(b, value.array, outputs))
        parent, key = value.origin  # ("item", list, key): an item or a slice of a list
        return ("item", _template(b, parent, outputs, seen, keep, rows),
                _template(b, key, outputs, seen, keep, rows))
    if isinstance(value, RowList):  # ("rows", base, kind): a list of the base's rows
        kind = row_lists.template_kind(b, value)
        return ("rows", ("out", _output(outputs, value.rows), ARRAY), kind)
    if type(value) in (tuple, list):
        return (type(value).__name__, [_template(b, v, outputs, seen, keep, rows) for v in value])
    if isinstance(value, tuple) and hasattr(type(value), "_fields"):
        return ("namedtuple", type(value), [_template(b, v, outputs, seen, keep, rows)
                                            for v in value])
    if type(value) is dict:
        return ("dict", [(k, _template(b, v, outputs, seen, keep, rows)) for k, v in value.items()])
    if isinstance(value, printing.Formatted):  # ("format", parts): text made from results
        return ("format", [p if type(p) is str else
                           (_template(b, p[0], outputs, seen, keep, rows), p[1], p[2])
                           for p in value.parts])
    if isinstance(value, TensorMethod):
        raise Unconvertible("returning a bound ndarray method is not converted", b.where)
    raise Unconvertible(f"returning a {type(value).__name__} made while converting is not "
                        "converted (it would be one object shared by every call)", b.where)


def _escaping_rows(b: GraphBuilder, result: Any, log: effects.Effects) -> frozenset[int]:
    """The lists of arrays built by run-time loops that the return value or an effect holds:
    the templates of a probe pass (each array a plain result) visit exactly those."""
    keep: list[Any] = []
    seen: dict[int, int] = {}
    _template(b, result, [], seen, keep)
    for e in log.log:
        if isinstance(e, effects.Conditional):
            _template(b, e.flag, [], seen, keep)
            e = e.effect
        _effect(e, lambda v: _template(b, v, [], seen, keep))
    return frozenset(id(v) for v in keep if isinstance(v, RowList) and v.kind == ARRAY)


def _last_item(b: GraphBuilder, t: Tensor, last: row_lists.LastItem, outputs: list[Tensor],
               seen: dict[int, int], keep: list[Any], rows: frozenset[int]) -> Template:
    """A name a run-time loop carries that holds the last array it appended to a list that
    the result or an effect holds: that list's last item after a trip, its value from before
    the loop after none (`("either", ran, ("item", list, -1), before)`)."""
    items = _template(b, last.rows(), outputs, seen, keep, rows)
    after = ("item", items, ("static", -1))
    if last.before is None:  # the loop runs at least once (guarded)
        base = after
    else:
        base = ("either", _output(outputs, last.ran), after,
                _template(b, last.before, outputs, seen, keep, rows))
    return base if t.view is None else ("view", base, t.view.steps)


def _output(outputs: list[Tensor], t: Tensor) -> int:
    for i, o in enumerate(outputs):
        if o is t:
            return i
    outputs.append(t)
    return len(outputs) - 1


def _array_node(b: GraphBuilder, t: Tensor, outputs: list[Tensor]) -> Template:
    """An array result: the caller's own array, a graph result, or a view of either."""
    root = heap.roots_of(t)
    if "either" in root.meta:  # the caller's own array on one side of a branch
        pred, identities = root.meta["either"]
        flag = _output(outputs, pred)
        sides = [("source", o.source) if o is not None else ("out", _output(outputs, root), ARRAY)
                 for o in identities]
        base = ("either", flag, sides[0], sides[1])
        return base if t.view is None else ("view", base, t.view.steps)
    if root.meta.get("identity_unknown"):
        raise Unconvertible("returning the result of a recursion over a tree that may be an "
                            "array of the tree itself (its identity is not modelled)", b.where)
    if t.view is not None and (not t.view.replayable or (
            root.fresh and ((t.view.ambiguous and not t.view.symbolic)
                            or root.ambiguous_views))):
        raise Unconvertible("returning an array whose aliasing is not modelled (a reshape of a "
                            "non-C-contiguous array, or a view at a run-time offset)", b.where)
    base = (("source", root.source) if not root.fresh and root.source is not None
            else ("out", _output(outputs, root), ARRAY))
    if t.view is None:
        return base
    return ("view", base, t.view.steps)


_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis), slice, range,
              np.generic, np.dtype)


def _immutable_static(value: Any) -> bool:
    if isinstance(value, _IMMUTABLE) and not isinstance(value, np.ndarray):
        return True
    return type(value) is frozenset and all(_immutable_static(v) for v in value)
