"""The janus dialect: Python op classes derived from the op signatures.

janus ops are generic-form operations of the `janus` namespace (the MLIR in IREE's wheel has no
IRDL, so the dialect cannot be registered natively). Every op has a class here, made from its
`OpSignature`: `AddOp.build(lhs, rhs)` creates one at the current insertion point, `op.lhs`
reads an operand, `op.axes` decodes an attribute, `op.verify()` lists what is wrong with it.

Compute ops come from the op registry (`janus_mlir.ops`), which registers their signatures in
`signatures.py`; structural ops (guards, value_and_grad) are declared below. Op classes are
made on first use, so this module never imports the registry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from iree.compiler import ir

from .opdef import DTYPE, I64, NUMBER, STR, Attr, OpSignature, ShapeError
from .signatures import SIGNATURES, register
from .types import (
    TensorSpec,
    UnsupportedType,
    is_bool,
    scalar_conversion_problem,
    spec_of_type,
    tensor_type,
)

PREFIX = "janus."


# ---------------------------------------------------------------------------------------------
# Structural ops
# ---------------------------------------------------------------------------------------------


def _infer_guard(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    (pred,) = operands
    if pred.shape != () or not is_bool(pred.dtype):
        raise ShapeError(f"predicate must be a rank-0 i1 tensor, got {pred}")
    return []


# What a guard assumes: the closed set of `kind`s a `janus.guard` may carry (the verifier
# rejects any other), each with what it means. The runtime prints the kind of a failed guard.
GUARD_KINDS: dict[str, str] = {
    "branch": "a data-dependent branch goes the way it went when the code was converted",
    "trip_count": "a loop runs as many times as it did when the code was converted",
    "value": "a value equals the one seen when the code was converted",
    "shape": "an array has the shape seen when the code was converted",
    "type": "a value has the type seen when the code was converted",
    "callee": "a call reaches the function seen when the code was converted",
    "bounds": "every index is within the bounds of the axis it indexes",
    "error": "no operation raises where NumPy or Python would (a zero divisor, ...)",
}

GUARD = OpSignature(
    "guard",
    ("predicate",),
    _infer_guard,
    {"id": Attr(I64), "kind": Attr(STR, choices=tuple(GUARD_KINDS)), "where": Attr(STR),
     "message": Attr(STR)},
    doc="An assumption checked at run time: holds iff `predicate` is true. `kind` is one of "
    "GUARD_KINDS, `where` is the user's file:line, `message` says what was assumed.",
)



def _no_infer(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    raise ShapeError("the result types of this op follow from its region")


def _check_value_and_grad(op: ir.Operation) -> list[str]:
    """One block taking the operands' types, ended by a janus.yield of the rank-0 float value
    and `aux` more values; results: the yielded values, then one gradient per operand."""
    blocks = list(op.regions[0].blocks)
    if len(blocks) != 1:
        return [f"expects one block in its region, got {len(blocks)}"]
    block = blocks[0]
    wrt = [v.type for v in op.operands]
    if [a.type for a in block.arguments] != wrt:
        return ["expects its block's arguments to have the operands' types"]
    ops = list(block.operations)
    if not ops or ops[-1].operation.name != YIELD.op_name:
        return [f"expects its block to end in '{YIELD.op_name}'"]
    yielded = [v.type for v in ops[-1].operation.operands]
    aux = ir.IntegerAttr(op.attributes["aux"]).value
    if len(yielded) != 1 + aux:
        return [f"expects the value and {aux} aux value(s) yielded, got {len(yielded)}"]
    value = spec_of_type(yielded[0])
    if value.shape != () or value.dtype.kind != "f":
        return [f"expects a rank-0 float value to differentiate, got {yielded[0]}"]
    for t in wrt:
        if spec_of_type(t).dtype.kind != "f":
            return [f"differentiates with respect to float tensors only, got {t}"]
    if [r.type for r in op.results] != yielded + wrt:
        return ["expects results: the yielded values, then one gradient per operand"]
    return []


def _check_yield(op: ir.Operation) -> list[str]:
    parent = op.parent
    if parent is None or parent.name != VALUE_AND_GRAD.op_name:
        return [f"expects to end the region of '{VALUE_AND_GRAD.op_name}'"]
    return []


VALUE_AND_GRAD = OpSignature(
    "value_and_grad", ("wrt",), _no_infer, {"aux": Attr(I64)}, variadic=True, regions=1,
    check=_check_value_and_grad,
    doc="The value of the function in its region (ended by janus.yield of a rank-0 float and "
    "`aux` more values) at the operands, and its gradient with respect to each operand; "
    "expanded into forward and backward ops by the janus-autodiff pass.")
YIELD = OpSignature("yield", ("values",), _no_infer, variadic=True, check=_check_yield,
                    doc="Ends the region of a janus.value_and_grad: its value, then aux values.")

# What an effect does when the graph has succeeded (runtime/commit.py applies the write plan).
EFFECT_KINDS: dict[str, str] = {
    "write": "the caller's array `target` gets the operand's contents (an in-place write)",
    "setattr": "an attribute `target` is assigned the value made from the operands",
    "setitem": "an item `target` of the caller's list or dict is assigned",
    "setname": "a global or closure variable `target` is assigned",
    "call": "a method `target` changes the length or keys of the caller's list or dict",
    "print": "print() writes the text made from the operands",
}


def _infer_effect(operands: Sequence[TensorSpec], attrs: dict[str, Any]) -> list[TensorSpec]:
    return []


EFFECT = OpSignature(
    "effect", ("values",), _infer_effect,
    {"id": Attr(I64), "kind": Attr(STR, choices=tuple(EFFECT_KINDS)), "target": Attr(STR),
     "where": Attr(STR)},
    variadic=True, variadic_min=0, symbolic=True,
    doc="An effect on the Python heap or on stdout, in program order (its `id`), made from the "
    "operands' values once the whole graph has succeeded; `kind` is one of EFFECT_KINDS. The "
    "janus-lower-state pass turns the operands into results of the function and the effects "
    "into the module's write plan.")

STRUCTURAL: dict[str, OpSignature] = {GUARD.name: GUARD, VALUE_AND_GRAD.name: VALUE_AND_GRAD,
                                      YIELD.name: YIELD, EFFECT.name: EFFECT}


# ---------------------------------------------------------------------------------------------
# Op classes
# ---------------------------------------------------------------------------------------------


class JanusOp:
    """A view of one janus operation; subclasses are generated, one per signature."""

    SIGNATURE: ClassVar[OpSignature]

    def __init__(self, operation: ir.Operation):
        self.operation = operation.operation if hasattr(operation, "operation") else operation

    @classmethod
    def build(
        cls,
        *operands: ir.Value,
        results: Sequence[TensorSpec] | None = None,
        loc: ir.Location | None = None,
        **attrs: Any,
    ) -> JanusOp:
        """Create the op at the current insertion point; result types come from the shape rule."""
        sig = cls.SIGNATURE
        values = dict(_defaults(sig))
        values.update(attrs)
        unknown = set(attrs) - set(sig.attrs)
        if unknown:
            raise TypeError(f"{sig.op_name} has no attribute(s) {sorted(unknown)}")
        if results is None:
            results = sig.infer([spec_of_type(v.type) for v in operands], values)
        ir_attrs = {k: sig.attrs[k].kind.to_ir(v) for k, v in values.items() if v is not None}
        op = ir.Operation.create(
            sig.op_name,
            results=[tensor_type(r.shape, r.dtype) for r in results],
            operands=list(operands),
            attributes=ir_attrs,
            loc=loc,
        )
        return cls(op)

    @classmethod
    def infer(cls, operands: Sequence[TensorSpec], **attrs: Any) -> list[TensorSpec]:
        """The result specs of the op on operands of `operands`' specs (named Dims kept)."""
        sig = cls.SIGNATURE
        values = dict(_defaults(sig))
        values.update(attrs)
        return list(sig.infer(list(operands), values))

    # --- access -----------------------------------------------------------------------------
    @property
    def result(self) -> ir.Value:
        return self.operation.result

    @property
    def results(self) -> list[ir.Value]:
        return list(self.operation.results)

    @property
    def operand_specs(self) -> list[TensorSpec]:
        return [spec_of_type(v.type) for v in self.operation.operands]

    @property
    def result_specs(self) -> list[TensorSpec]:
        return [spec_of_type(v.type) for v in self.operation.results]

    def attributes(self) -> dict[str, Any]:
        """Every declared attribute, decoded (defaults filled in for absent optional ones)."""
        sig = self.SIGNATURE
        out = dict(_defaults(sig))
        attrs = self.operation.attributes
        for name in attrs:
            if name in sig.attrs:
                out[name] = sig.attrs[name].kind.from_ir(attrs[name])
        return out

    # --- verification -----------------------------------------------------------------------
    def verify(self) -> list[str]:
        """What is wrong with this op (empty when it is valid), one message per problem.

        Checked in order, stopping at the first stage with problems: the op's structure (operand
        and region counts, no successors or properties), its attributes (only declared ones,
        besides dialect-prefixed `dialect.name` ones; present, of their kind, one of their
        choices; a number attribute of an op with a `dtype` attribute must convert to that dtype
        as `np.array(value, dtype)` would), then its types against the shape rule.
        """
        problems = self._structure_problems() or self._attribute_problems()
        if problems:
            return problems
        sig = self.SIGNATURE
        if sig.check is not None:
            return sig.check(self.operation)
        try:
            specs = self.operand_specs
            declared = self.result_specs
        except UnsupportedType as e:
            return [str(e)]
        if not sig.symbolic:
            for spec, value in zip([*specs, *declared], [*self.operation.operands,
                                                         *self.operation.results]):
                if not spec.static:
                    return [f"expected a static shape, got {value.type}"]
        try:
            inferred = list(sig.infer(specs, self.attributes()))
        except (ShapeError, UnsupportedType) as e:
            return [str(e)]
        if inferred != declared:
            want = ", ".join(str(s) for s in inferred) or "no results"
            got = ", ".join(str(s) for s in declared) or "no results"
            return [f"result type(s) {got} do not match the inferred {want}"]
        return []

    def _structure_problems(self) -> list[str]:
        """Operand count; no regions, successors or properties, which the lowering would drop."""
        sig = self.SIGNATURE
        op = self.operation
        n = len(op.operands)
        fixed = len(sig.operands) - (1 if sig.variadic else 0)
        least = fixed + sig.variadic_min
        if (sig.variadic and n < least) or (not sig.variadic and n != fixed):
            want = f"at least {least}" if sig.variadic else str(fixed)
            return [f"expects {want} operand(s), got {n}"]
        problems = []
        if len(op.regions) != sig.regions:
            problems.append(f"expects {sig.regions} region(s), got {len(op.regions)}")
        if len(op.successors):
            problems.append(f"expects no successors, got {len(op.successors)}")
        if _has_properties(op):
            problems.append("expects no properties (`<{...}>`): janus ops keep their data in "
                            "attributes")
        return problems

    def _attribute_problems(self) -> list[str]:
        """Undeclared, missing, ill-kinded or out-of-choice attributes, then number values."""
        sig = self.SIGNATURE
        op = self.operation
        problems: list[str] = []
        present = {name: op.attributes[name] for name in op.attributes}
        for name in present:
            if name not in sig.attrs and "." not in name:
                takes = ", ".join(f"'{n}'" for n in sig.attrs) or "none"
                problems.append(f"has no attribute '{name}' (attributes: {takes})")
        for name, spec in sig.attrs.items():
            if name not in present:
                if not spec.optional:
                    problems.append(f"requires attribute '{name}'")
            elif not spec.kind.check(present[name]):
                problems.append(f"attribute '{name}' must be {spec.kind.name}, got {present[name]}")
            elif spec.choices and spec.kind.from_ir(present[name]) not in spec.choices:
                allowed = ", ".join(f"'{c}'" for c in spec.choices)
                problems.append(f"attribute '{name}' must be one of {allowed}, got "
                                f"{present[name]}")
        return problems or self._number_problems()

    def _number_problems(self) -> list[str]:
        """Number attributes that are no value of the op's `dtype` (full's value, arange's start
        and step): NaN or inf for an integer dtype, or an integer out of its range."""
        sig = self.SIGNATURE
        dtype_attr = sig.attrs.get("dtype")
        if dtype_attr is None or dtype_attr.kind is not DTYPE:
            return []
        try:
            attrs = self.attributes()
        except UnsupportedType as e:
            return [str(e)]
        problems = []
        for name, spec in sig.attrs.items():
            if spec.kind is NUMBER and attrs.get(name) is not None:
                why = scalar_conversion_problem(attrs[name], attrs["dtype"])
                if why:
                    problems.append(f"attribute '{name}' = {attrs[name]} is not a value of "
                                    f"dtype {attrs['dtype'].name}: {why}")
        return problems


# The generic form of an op with properties: `"janus.name"(operands) <{...}>`.
_PROPERTIES = re.compile(r'^[^"]*"[^"]*"\([^)]*\) <\{')


def _has_properties(op: ir.Operation) -> bool:
    """Whether the op carries properties. MLIR keeps an unregistered op's properties apart from
    its attributes and the Python API does not show them, so this reads the op's generic form
    (printed alone, large constants elided: cheap)."""
    text = op.get_asm(print_generic_op_form=True, use_local_scope=True, assume_verified=True,
                      large_elements_limit=1)
    return _PROPERTIES.match(text) is not None


def _defaults(sig: OpSignature) -> dict[str, Any]:
    return {k: a.default for k, a in sig.attrs.items() if a.optional}


def _make_class(sig: OpSignature) -> type[JanusOp]:
    ns: dict[str, Any] = {"SIGNATURE": sig, "__doc__": sig.doc or f"`{sig.op_name}`"}
    for i, name in enumerate(sig.operands):
        variadic_tail = sig.variadic and i == len(sig.operands) - 1
        ns[name] = property(
            (lambda self, i=i: list(self.operation.operands)[i:]) if variadic_tail
            else (lambda self, i=i: self.operation.operands[i])
        )
    for name in sig.attrs:
        ns[name] = property(lambda self, name=name: self.attributes()[name])
    return type(sig.class_name, (JanusOp,), ns)


class _OpClasses(dict):
    """`janus.<name>` -> its op class, made on first use from the registered signature (the
    op registry registers its families after this module is imported)."""

    def __missing__(self, key: str) -> type[JanusOp]:
        sig = SIGNATURES.get(key.removeprefix(PREFIX)) if key.startswith(PREFIX) else None
        if sig is None:
            raise KeyError(key)
        cls = self[key] = _make_class(sig)
        return cls

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def _all(self) -> None:
        for name in SIGNATURES:
            self[PREFIX + name]  # noqa: B018 (makes the class)

    def __iter__(self):
        self._all()
        return super().__iter__()

    def __len__(self) -> int:
        self._all()
        return super().__len__()

    def items(self):
        self._all()
        return super().items()

    def values(self):
        self._all()
        return super().values()

    def keys(self):
        self._all()
        return super().keys()


for _sig in STRUCTURAL.values():
    register(_sig)
OP_CLASSES: dict[str, type[JanusOp]] = _OpClasses()


def __getattr__(name: str) -> type[JanusOp]:
    """`janus.AddOp` and the like: the op class of the signature whose class name it is."""
    for sig in SIGNATURES.values():
        if sig.class_name == name:
            return OP_CLASSES[sig.op_name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_janus(op: ir.Operation | ir.OpView) -> bool:
    return op.operation.name.startswith(PREFIX)


def wrap(op: ir.Operation | ir.OpView) -> JanusOp:
    """The op-class view of a janus operation; KeyError for an unknown janus op."""
    return OP_CLASSES[op.operation.name](op.operation)


def op_class(name: str) -> type[JanusOp]:
    return OP_CLASSES[name if name.startswith(PREFIX) else PREFIX + name]
