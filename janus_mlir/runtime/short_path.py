"""A cache hit in one closure: the call's positional arguments to the graph's answer.

The general path of a hit (dispatch.py) binds the arguments to a dict, walks the graph cache
making a Frame per graph, checks the entry guards and then the assumptions through it, reads each
input through it (an input that is also guarded is read twice: by its guard, then as the input),
converts the inputs, calls the module and commits. For a tiny graph that is as long as IREE's
own call; for a parameter update over a model object it is a fifth of the call.

`build` makes, once per graph, the closure that does the same work in one pass over the call's
positional arguments:
1. the guards that read anything but the graph's inputs (the type of `self`, a global), in
   their order, each reading the arguments directly (plan.positional_getter);
2. each input read once, and the guards that read only inputs checked on those very values
   (plan.all_hold_over), in their order; an input whose array guard pins the module's
   declared static shape and dtype is then passed as it is, without conversion;
3. the module called, results unshared, the write plan committed, as CompiledGraph.run does.

Every check is the guard's own closure (speculation.assumptions.compile_check) with another
getter, so each guard's semantics stays written once. Where a guard fails, or anything raises
before the commit, the closure returns MISSED and the dispatcher runs the call on the general
path, which runs the same guards and the same module and says what went wrong. That second run
is invisible: a failed call of the module left nothing behind (arrays it writes in place are
written back bit for bit when one of its guards fails, runtime/state.py) and the graphs served
here draw no random numbers (a draw changes its generator). A failure once the commit applied
something is CommitFailed, and reaches the caller as it would from the general path.

Served: functions whose parameters are all positional-or-keyword, called with all of them
positionally (`JanusFunction`); graphs whose sources all lead from those arguments (parameters,
their attributes and items, globals) and that draw nothing. Anything else takes the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from ..speculation.assumptions import Guard, Kind
from ..speculation.graph_spec import GraphSpec
from ..speculation.sources import Frame, NotReadable, Source
from . import plan
from .commit import CommitFailed, Finish
from .values import argument, unshared

if TYPE_CHECKING:
    from .graph import Executable
    from .module import ValueSpec


class _Missed:
    def __repr__(self) -> str:
        return "MISSED"


MISSED = _Missed()  # what a short path returns for a call it does not answer

Short = Callable[[tuple], Any]


def build(spec: GraphSpec, names: tuple[str, ...] | None, executable: Executable,
          finish: Finish, kinds: list[str], share: bool, tied: dict[int, int], skip: bool,
          draws: bool) -> Short | None:
    """The short path of a graph (see above), or None where it does not apply. names: the
    function's parameters; finish: the graph's return-value builder and commit; kinds: its
    result kinds; share: whether array results may share memory; tied: {argument: result}
    written in place; skip: nothing to invoke; draws: its inputs draw random numbers."""
    if names is None or draws:
        return None
    reads = plan.positional_getter(names, spec.functions)
    sources = [inp.source for inp in spec.inputs]
    try:
        input_reads = [reads(s) for s in sources]
    except NotReadable:
        return None
    first = {}  # source -> the first input reading it
    for k, s in enumerate(sources):
        first.setdefault(s, k)
    on_inputs: list[Guard] = []
    others: list[Guard] = []
    for g in [*spec.entry_guards, *spec.assumptions]:
        (on_inputs if all(s in first for s in plan.sources_of(g)) else others).append(g)
    holds = plan.all_hold_over(others, reads, len(names))
    holds_on_inputs = plan.all_hold_over(on_inputs, lambda s: itemgetter(first[s]))
    if holds is None or holds_on_inputs is None:
        return None
    checked = pinned(on_inputs, sources, executable.module.arg_specs)
    dtypes = [inp.spec.dtype for inp in spec.inputs]
    needs_frame = bool(spec.effects) or _reads_frame(spec.output_template)
    functions = spec.functions

    def short(args: tuple) -> Any:
        if not holds(args):
            return MISSED
        try:
            values = [read(args) for read in input_reads]
        except Exception:  # a source that cannot be read: the general path says why
            return MISSED
        if not holds_on_inputs(values):
            return MISSED
        try:
            if skip:
                results: list[np.ndarray] = []
            elif checked:
                results = executable(values, checked=True)
            else:
                results = executable([argument(v, d, s) for v, d, s
                                      in zip(values, dtypes, sources)])
            if share:
                in_place = {r for k, r in tied.items() if results[r] is values[k]}
                results = unshared(results, kinds, [], in_place)
        except Exception:  # nothing the module did is visible: the general path runs it again
            return MISSED
        frame = Frame(dict(zip(names, args)), functions) if needs_frame else None
        try:
            return finish(results, frame)
        except CommitFailed:
            raise
        except Exception:  # raised before anything was applied (commit.finisher)
            return MISSED
    return short


def pinned(guards: Sequence[Guard], sources: Sequence[Source],
           specs: Sequence[ValueSpec] | None) -> bool:
    """Whether `guards`, checked on the very values passed, make every input (read from
    `sources`) exactly what the module declares (`specs`): an ndarray of its static shape and
    dtype, C-contiguous, so none needs converting."""
    if specs is None or len(specs) != len(sources):
        return False
    arrays = {g.source: g.expected for g in guards if g.kind == Kind.ARRAY}
    for source, spec in zip(sources, specs):
        expected = arrays.get(source)
        if expected is None or not spec.tensor or spec.dtype is None:
            return False
        shape, dtype, c_order = expected
        if not c_order or tuple(shape) != spec.shape or np.dtype(dtype) != spec.dtype:
            return False
    return True


def _reads_frame(template: Any) -> bool:
    """Whether rebuilding the return value from `template` reads the call (a "source" node:
    an argument returned as it is)."""
    if type(template) not in (tuple, list) or not template:
        return False
    tag = template[0]
    if type(tag) is str:
        if tag == "source":
            return True
        if tag == "static":
            return False
    return any(_reads_frame(node) for node in template)
