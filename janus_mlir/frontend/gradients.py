"""`jm.grad(f)(...)` / `jm.value_and_grad(f)(...)` inside converted code: a janus.value_and_grad.

The differentiated function is converted like any inlined call, into a staging block whose
arguments stand for the leaves of the differentiated arguments; the block becomes the region
of a `janus.value_and_grad` op over those leaves, which the `janus-autodiff` pass expands into
forward and backward ops. Results come back as the eager `GradFunction` returns them: the
value (and aux), and gradients with the structure and types of the arguments.

Not converted (the call then runs as plain Python): a differentiated function that writes
arrays in place or changes lists, an op without a derivative rule on a float value, integer
inputs (eager raises JAX's TypeError).
In a graph of a symbolic batch the lowering is tried at conversion (`check_symbolic`): a rule
that needs static shapes gives the symbolic dim up there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from iree.compiler import ir

from ..autodiff import grad, pytree, value_and_grad
from ..autodiff.reverse import GradFunction
from ..dialects import janus
from ..dialects.types import spec_of_type
from ..ops.registry import lookup
from .errors import NeedsStaticShape
from .regions import Staged, changed_container, containers
from .values import ARRAY, NP_SCALAR, PY_SCALAR, Tensor, is_tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


@dataclass(frozen=True)
class GradSpec:
    """A gradient function known while converting (what `jm.grad(f, ...)` made)."""

    fn: Any
    argnums: Any
    has_aux: bool
    with_value: bool

    @property
    def positions(self) -> tuple[int, ...]:
        return (self.argnums,) if isinstance(self.argnums, int) else tuple(self.argnums)


def is_gradient(fn: Any) -> bool:
    return isinstance(fn, GradSpec | GradFunction)


def make(cv: FunctionConverter, with_value: bool, args: list[Any], kwargs: dict[str, Any]
         ) -> GradSpec:
    """`jm.grad(f, argnums=0, has_aux=False)` while converting: a GradSpec of static args."""
    import inspect

    maker = value_and_grad if with_value else grad
    try:
        bound = inspect.signature(maker).bind(*args, **kwargs)
    except TypeError as e:
        raise cv.fail(f"TypeError: {e}") from None
    bound.apply_defaults()
    p = bound.arguments
    for name in ("argnums", "has_aux"):
        if is_tensor(p[name]):
            raise cv.fail(f"{maker.__name__}'s {name} must be known before the graph runs")
    return GradSpec(p["fn"], p["argnums"], bool(p["has_aux"]), with_value)


def spec_of(fn: GradSpec | GradFunction) -> GradSpec:
    if isinstance(fn, GradSpec):
        return fn
    return GradSpec(fn.fn, fn.argnums, fn.has_aux, fn.with_value)


def call(cv: FunctionConverter, fn: GradSpec | GradFunction, args: list[Any],
         kwargs: dict[str, Any]) -> Any:
    from .calls import call as call_value

    spec = spec_of(fn)
    args = list(args)
    for p in spec.positions:
        if not -len(args) <= p < len(args):
            raise cv.fail(f"ValueError: argnums {spec.argnums} out of range for {len(args)} "
                          "positional argument(s)")
    trees = []
    for p in spec.positions:
        leaves, rebuild = pytree.flatten(_tree(cv, args[p]))
        trees.append(([_leaf(cv, v) for v in leaves], rebuild, p))
    inputs = [t for leaves, _, _ in trees for t in leaves]
    snapshot = containers([*args, *kwargs.values()])
    staged = Staged(cv.b, [t.spec for t in inputs])
    try:
        with staged:
            stand_ins = iter(Tensor(a, t.spec, t.kind) for a, t in zip(staged.args, inputs))
            for leaves, rebuild, p in trees:
                args[p] = rebuild([next(stand_ins) for _ in leaves])
            cv.conv.differentiating += 1
            try:
                out = call_value(cv, spec.fn, args, kwargs)
            finally:
                cv.conv.differentiating -= 1
            value, aux = _split(cv, out, spec.has_aux)
            aux_leaves, aux_rebuild = pytree.flatten(aux)
            yielded = [value, *[a for a in aux_leaves if is_tensor(a)]]
            yielded_values = [t.value for t in yielded]
        if staged.journal.written() or changed_container(snapshot) is not None:
            raise cv.fail("a differentiated function that writes arrays in place or changes a "
                          "list or dict is not converted")
        _check_differentiable(cv, staged.block)
        results = _build(cv, staged, inputs, yielded, yielded_values, len(yielded) - 1)
    finally:
        staged.discard()
    value_out = Tensor(results[0], value.spec, value.kind)
    aux_iter = iter(Tensor(r, t.spec, t.kind) for r, t in zip(results[1:], yielded[1:]))
    aux_out = aux_rebuild([next(aux_iter) if is_tensor(a) else a for a in aux_leaves])
    grads_iter = iter(results[len(yielded):])
    grads = [rebuild([Tensor(next(grads_iter), t.spec, t.kind) for t in leaves])
             for leaves, rebuild, _ in trees]
    g = grads[0] if isinstance(spec.argnums, int) else tuple(grads)
    if spec.with_value:
        return ((value_out, aux_out), g) if spec.has_aux else (value_out, g)
    return (g, aux_out) if spec.has_aux else g


def _tree(cv: FunctionConverter, v: Any) -> Any:
    """A differentiated argument with the caller's tuples, lists and dicts read element by
    element (each read guarded), as converter containers."""
    from .calls import _unwrapped, subscript
    from .lift import HostObject

    if isinstance(v, HostObject) and type(v.value) is dict:
        return {k: _tree(cv, subscript(cv, v, k)) for k in cv.iterate(v)}
    v = _unwrapped(cv, v)
    if type(v) in (tuple, list):
        return type(v)(_tree(cv, x) for x in v)
    if type(v) is dict:
        return {k: _tree(cv, x) for k, x in v.items()}
    return v


def _leaf(cv: FunctionConverter, v: Any) -> Tensor:
    """A differentiated input as a float tensor (a Python float as a weak rank-0 one)."""
    if type(v) is float:
        return cv.b.constant(v, PY_SCALAR)
    if not is_tensor(v):
        import numpy as np

        if isinstance(v, np.generic | np.ndarray) and v.dtype.kind == "f":
            return cv.b.constant(v, ARRAY if isinstance(v, np.ndarray) else NP_SCALAR)
        raise cv.fail(f"TypeError: grad requires real-valued inputs, got a "
                      f"{type(v).__name__}")
    if v.dtype.kind != "f":
        raise cv.fail(f"TypeError: grad requires real-valued inputs (input dtype that is a "
                      f"sub-dtype of np.floating), but got {v.dtype.name}")
    return v


def _split(cv: FunctionConverter, out: Any, has_aux: bool) -> tuple[Tensor, Any]:
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise cv.fail("TypeError: a function differentiated with has_aux=True must return "
                          "a pair (output, auxiliary data)")
        out, aux = out
    if not is_tensor(out) or out.shape != () or out.dtype.kind != "f":
        raise cv.fail("TypeError: Gradient only defined for scalar-output functions (the "
                      "differentiated function must return a float scalar computed from its "
                      "inputs)")
    return out, aux


def check_symbolic(module: ir.Module, where: str) -> None:
    """A gradient in a graph of a symbolic batch: the lowering (janus-autodiff, then the janus
    ops to linalg) run now, on a copy, so that a derivative rule that needs static shapes gives
    the symbolic dim up at conversion (one graph per shape) instead of failing the
    compilation."""
    from ..passes.pipeline import lower_to_iree_input
    from ..passes.registry import PassError

    text = str(module)
    if janus.VALUE_AND_GRAD.op_name not in text or "?" not in text:
        return
    trial = ir.Module.parse(text, module.context)
    try:
        lower_to_iree_input(trial)
    except PassError as e:
        raise NeedsStaticShape(f"gradients with a symbolic dim: {e}", where) from None


def _check_differentiable(cv: FunctionConverter, block: ir.Block) -> None:
    """janus ops (each with a derivative rule where floats flow) and the control flow the
    janus-autodiff pass differentiates (scf.if, scf.for, scf.while)."""
    from ..dialects.walk import walk

    for o in walk(block.owner):
        if o.name.startswith(janus.PREFIX):
            name = o.name.removeprefix(janus.PREFIX)
            if name in janus.STRUCTURAL:
                continue
            floats = any(_is_float(v) for v in o.operands) and any(
                _is_float(r) for r in o.results)
            if floats and lookup(name).vjp is None:
                raise cv.fail(f"janus.{name} has no derivative rule yet")
        elif o.name not in _CONTROL and any(_is_float(r) for r in o.results):
            raise cv.fail(f"gradients through '{o.name}' are not converted yet")


_CONTROL = {"scf.if", "scf.for", "scf.while", "scf.condition", "scf.yield",
            "util.optimization_barrier", "tensor.empty", "tensor.extract_slice",
            "tensor.insert_slice"}


def _is_float(v: ir.Value) -> bool:
    return isinstance(v.type, ir.RankedTensorType) and spec_of_type(v.type).dtype.kind == "f"


def _build(cv: FunctionConverter, staged: Staged, inputs: list[Tensor], yielded: list[Tensor],
           yielded_values: list[ir.Value], aux: int) -> list[ir.Value]:
    """The janus.value_and_grad op, with the staged ops moved into its region."""
    from ..dialects.types import tensor_type

    b = cv.b
    wrt = [t.value for t in inputs]
    with b.context, b.location(), ir.InsertionPoint(b.block):
        types = [tensor_type(t.spec.shape, t.spec.dtype) for t in yielded] + [
            v.type for v in wrt]
        op = ir.Operation.create(
            janus.VALUE_AND_GRAD.op_name, results=types, operands=wrt,
            attributes={"aux": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), aux)},
            regions=1, loc=b.location())
        block = ir.Block.create_at_start(op.regions[0], [v.type for v in wrt])
        with ir.InsertionPoint(block):
            term = ir.Operation.create(janus.YIELD.op_name, results=[],
                                       operands=yielded_values, loc=b.location())
    staged.move_into(block, term)
    return list(op.results)
