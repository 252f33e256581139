"""janus-host-matmuls: the large float matmuls of a forward pass -> calls into the host's BLAS.

On CPU hosts where NumPy's BLAS outruns IREE's matmul kernels, a module of a few large matmuls
(a forward pass) is matmul-bound at IREE's speed. This pass, run on IREE input (after
`janus-to-iree-input`), replaces each such `linalg.matmul` by a call to a function of the
`janus_host` VM module that runtime/host_calls.py registers in every context loading the module:
numpy.matmul on the operands' buffers into a fresh device buffer, so the product is the one
NumPy computes for the same operands. The elementwise ops around the calls stay in IREE's
dispatches.

What is rewritten: a 2-D float32/float64 `linalg.matmul` at the top level of a function (not in
a loop or branch: each call waits for the work before it), accumulating into a zero fill, with
at least `min_call` multiply-adds; and only in a module with `min_count` to `max_count`
contractions (linalg.matmul/batch_matmul anywhere), one of them with `min_work` multiply-adds
or more.

Why three, measured on an Intel Xeon host (2 vCPUs, AVX-512, OpenBLAS from NumPy's wheel;
medians, us, IREE data-tiled on local-task against the calls on local-sync):
- one layer relu(x @ w + b), 128x784 @ 784x512: NumPy 501-513, IREE 508, calls 599;
- two layers (then @ 512x512): NumPy 872-923, IREE 879, calls 984;
- three layers (the W1 forward, then @ 512x10): NumPy 909-962, IREE 1167-1518, calls 995-1088;
  with a third 512x512 layer: NumPy 1283-1319, IREE 1930, calls 1400. IREE's third chained
  matmul costs far more than its work (cause not found; calling the host for the 512x10 one
  alone left the module at 1438);
- the W1 training step (8 matmuls, some transposed): IREE 3.9 ms, calls 4.0 ms.
So calls pay off only in modules of three contractions; elsewhere IREE's kernels are as fast.

Operands are cast to `tensor<?x?xT>` for the call (one declaration per element type, the third
argument the TRANSPOSED flags) and the result cast back to the matmul's type, so static shapes
stay static around the call. A dynamic dim (a symbolic batch) counts as DYNAMIC_GUESS in the
work rules; it may be 0 at run time. An operand that is the plain transpose of another tensor
(numpy's `x @ w.T`, a gradient's `x.T @ g`) is passed untransposed with its flag set:
numpy.matmul of the transposed view calls the BLAS with its transpose flag, as NumPy does for
the same expression, instead of IREE first copying the transpose into a new buffer."""

from __future__ import annotations

from dataclasses import dataclass

from iree.compiler import ir
from iree.compiler.dialects import arith, func, tensor

from .registry import Pass, register
from .walk import ops_named

HOST_MODULE = "janus_host"
CALLEES = {"f32": "matmul_f32", "f64": "matmul_f64"}
TRANSPOSED = (1, 2)  # flag bits: operand a, operand b is passed as stored (read it transposed)
_CONTRACTIONS = ("linalg.matmul", "linalg.batch_matmul")
DYNAMIC_GUESS = 64  # as runtime/ir_checks.py estimates work


@register
@dataclass(frozen=True)
class HostMatmuls(Pass):
    name = "janus-host-matmuls"
    summary = "Call the host's BLAS for the large float matmuls of a module of three matmuls"
    min_count: int = 3
    max_count: int = 3
    min_work: int = 1 << 22
    min_call: int = 1 << 16

    def run(self, module: ir.Module) -> None:
        contractions = [op for name in _CONTRACTIONS for op in ops_named(module.operation, name)]
        if not self.min_count <= len(contractions) <= self.max_count:
            return
        candidates = [(op, work) for op in contractions
                      if (work := _callable_work(op)) is not None]
        if not any(work >= self.min_work for _, work in candidates):
            return
        declared: set[str] = set()
        with module.context, ir.Location.unknown():
            for op, work in candidates:
                if work >= self.min_call:
                    _replace(module, op, declared)


def _callable_work(op: ir.Operation) -> int | None:
    """Multiply-adds of a matmul the host may compute, or None when it may not."""
    if op.name != "linalg.matmul" or op.parent.name != "func.func" or len(op.operands) != 3:
        return None
    types = [v.type for v in op.operands if isinstance(v.type, ir.RankedTensorType)]
    if len(types) != 3 or any(t.rank != 2 for t in types):
        return None
    if len({str(t.element_type) for t in types}) != 1 or str(types[0].element_type) not in CALLEES:
        return None
    if not _zero_fill(op.operands[2]):
        return None
    (m, k), n = (_guess(d) for d in types[0].shape), _guess(types[1].shape[1])
    return m * k * n


def _guess(dim: int) -> int:
    """A dim's size; a dynamic one (a symbolic batch) counted as DYNAMIC_GUESS."""
    return DYNAMIC_GUESS if dim == ir.ShapedType.get_dynamic_size() else dim


def _zero_fill(init: ir.Value) -> bool:
    """Whether `init` is a linalg.fill of +0 (a matmul's fresh accumulator)."""
    fill = _producer(init)
    if fill is None or fill.name != "linalg.fill":
        return False
    constant = _producer(fill.operands[0])
    if constant is None or constant.name != "arith.constant":
        return False
    attr = constant.attributes["value"]
    return isinstance(attr, ir.FloatAttr) and str(attr.value) == "0.0"


def _producer(value: ir.Value) -> ir.Operation | None:
    if isinstance(value, ir.BlockArgument):
        return None
    return value.owner.operation


def _replace(module: ir.Module, op: ir.Operation, declared: set[str]) -> None:
    a, b, init = op.operands
    result_type = op.results[0].type
    element = str(ir.RankedTensorType(result_type).element_type)
    dynamic = ir.RankedTensorType.get([ir.ShapedType.get_dynamic_size()] * 2,
                                      ir.RankedTensorType(result_type).element_type)
    callee = f"{HOST_MODULE}.{CALLEES[element]}"
    if callee not in declared:
        _declare(module, callee, dynamic)
        declared.add(callee)
    # An operand IREE would transpose into a new buffer is passed as it is, with a flag.
    sources = [_transposed(v) for v in (a, b)]
    flags = sum(TRANSPOSED[i] for i, s in enumerate(sources) if s is not None)
    with ir.InsertionPoint(op), op.location:
        operands = [tensor.CastOp(dynamic, s if s is not None else v).result
                    for v, s in zip((a, b), sources)]
        flag = arith.ConstantOp(ir.IntegerType.get_signless(32), flags).result
        call = func.CallOp([dynamic], ir.FlatSymbolRefAttr.get(callee), [*operands, flag])
        product = tensor.CastOp(result_type, call.result).result
    op.results[0].replace_all_uses_with(product)
    op.erase()
    for value in (init, a, b):  # the zero fill, a transpose nothing else reads, their inits
        _erase_unused(value, ("linalg.fill", "linalg.generic", "tensor.empty"))


def _erase_unused(value: ir.Value, names: tuple[str, ...]) -> None:
    producer = _producer(value)
    if producer is None or producer.name not in names or list(value.uses):
        return
    operands = list(producer.operands)
    producer.erase()
    for operand in operands:
        _erase_unused(operand, ("tensor.empty",))


def _transposed(value: ir.Value) -> ir.Value | None:
    """The 2-D tensor `value` is the transpose of, when a plain transposing linalg.generic
    (the lowering of numpy's `.T`) computes it; else None."""
    generic = _producer(value)
    if generic is None or generic.name != "linalg.generic" or len(generic.operands) != 2:
        return None
    maps = [str(m) for m in generic.attributes["indexing_maps"]]
    if maps != ["affine_map<(d0, d1) -> (d1, d0)>", "affine_map<(d0, d1) -> (d0, d1)>"]:
        return None
    body = generic.regions[0].blocks[0]
    ops = list(body.operations)
    if len(ops) != 1 or ops[0].name != "linalg.yield" or ops[0].operands[0] != body.arguments[0]:
        return None
    source = generic.operands[0]
    return source if str(source.type).endswith(f"x{_element(value)}>") else None


def _element(value: ir.Value) -> str:
    return str(ir.RankedTensorType(value.type).element_type)


def _declare(module: ir.Module, callee: str, dynamic: ir.Type) -> None:
    flags = ir.IntegerType.get_signless(32)
    with ir.InsertionPoint.at_block_begin(module.body):
        func.FuncOp(callee, ir.FunctionType.get([dynamic, dynamic, flags], [dynamic]),
                    visibility="private")
