"""What the runtime needs to know about lowered IR before IREE sees it.

`analyze(ir_text)` parses the module once (MLIR Python bindings, no IREE compilation) and returns:

- **problems**: constructs that IREE 3.13 mishandles without a diagnostic (IREE-NOTES.md, "Traps"):
  a call-graph cycle (iree-compile spins forever) and a scalar `tensor.insert` into a tensor of
  rank >= 2 outside a linalg body (writes a whole row-major run of elements instead of one).
  `compile_ir` refuses such modules at once rather than hanging or returning wrong numbers.
- **written_args**: per function, the arguments that a `tensor.insert`/`tensor.insert_slice`
  writes in place. IREE elides the copies between an argument and the insert (linalg.copy, an
  identity linalg.generic, reshapes, casts), so the caller's DeviceArray would be modified;
  `LoadedModule` copies exactly those DeviceArray arguments before the call.
- **import_safe**: no op can write into an argument's buffer at all (`_never_writes_arguments`,
  conservative), so runtime.invoke may hand IREE the caller's NumPy memory without a copy.
- **seconds**: an estimate of one call's single-thread compute time, used to pick the CPU driver
  (`devices.choose_cpu_driver`). Rates measured on this 2-core AVX-512 machine: a data-tiled
  contraction runs at ~80 GFLOP/s; other linalg ops at ~1/60 ns per element per body op
  (vectorized and fused: the 20-op elementwise chain of bench/ on 64x256 takes ~60 us on one
  thread, and the packed argmax of 1000x1000 float32 ~190 us; at 1/20 ns they were estimated
  at ~185 and ~750 us, which sent both to local-task, where on a loaded 2-core machine they
  took 2-6x longer at the median and no less at best). `scf.for` bodies with constant
  bounds count once per trip; `scf.while` bodies once. A dynamic dimension counts as
  DYNAMIC_DIM_GUESS.
- **host_calls**: the module calls into the host (passes/host_matmuls.py): `LoadedModule` adds
  runtime/host_calls.py's module to its context and runs it on local-sync.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from iree.compiler import ir

from ..dialects.walk import walk
from ..passes.host_matmuls import HOST_MODULE

CONTRACTION_FLOPS_PER_S = 80e9
ELEMENT_OPS_PER_S = 60e9
FACTS_VERSION = "6"  # bump when the analysis below changes: cached facts are keyed by it
DYNAMIC_DIM_GUESS = 64

# Ops whose result aliases (after IREE folds it away) the first tensor operand.
_ALIAS_OF_OPERAND0 = frozenset({
    "linalg.copy", "tensor.cast", "tensor.expand_shape", "tensor.collapse_shape",
    "tensor.reshape", "tensor.extract_slice", "tensor.bitcast", "flow.tensor.clone",
    "flow.tensor.reshape", "flow.tensor.bitcast",
})
# Inserts: the destination is operand 1 (tensor.insert: scalar, dest; insert_slice: source, dest).
_INSERTS = frozenset({"tensor.insert", "tensor.insert_slice"})
# Destination-style ops of IREE's linalg_ext whose one init (the buffer written) is their last
# operand: gather(source, indices) into init; scatter(updates, indices) into original.
_INIT_LAST = frozenset({"iree_linalg_ext.gather", "iree_linalg_ext.scatter"})
_CONTRACTIONS = frozenset({
    "linalg.matmul", "linalg.batch_matmul", "linalg.matvec", "linalg.vecmat", "linalg.dot",
    "linalg.batch_matvec", "linalg.batch_vecmat", "linalg.contract", "linalg.mmt4d",
    "linalg.batch_mmt4d", "linalg.matmul_transpose_a", "linalg.matmul_transpose_b",
    "linalg.batch_reduce_matmul",
})
_NOT_COMPUTE = frozenset({"linalg.yield", "linalg.index"})
_FUNCTIONS = frozenset({"func.func", "util.func"})
_LOCAL = threading.local()


@dataclass(frozen=True)
class IRFacts:
    """What `analyze` found; `parsed` is False when the bindings could not read the module."""

    parsed: bool = False
    seconds: float | None = None
    written_args: dict[str, tuple[int, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    import_safe: bool = False
    host_calls: bool = False  # calls into runtime/host_calls.py's module

    def to_json(self) -> dict:
        return {"parsed": self.parsed, "seconds": self.seconds,
                "written_args": {k: list(v) for k, v in self.written_args.items()},
                "problems": list(self.problems), "import_safe": self.import_safe,
                "host_calls": self.host_calls}

    @staticmethod
    def from_json(data: dict) -> IRFacts:
        seconds = data["seconds"]
        return IRFacts(
            parsed=bool(data["parsed"]),
            seconds=None if seconds is None else float(seconds),
            written_args={str(k): tuple(int(i) for i in v)
                          for k, v in dict(data["written_args"]).items()},
            problems=tuple(str(p) for p in data["problems"]),
            import_safe=bool(data.get("import_safe", False)),
            host_calls=bool(data.get("host_calls", False)),
        )


def analyze(ir_text: str) -> IRFacts:
    """Parse `ir_text` and collect the facts above; an unparsable module yields IRFacts()."""
    with _context():
        try:
            module = ir.Module.parse(ir_text)
        except Exception:  # noqa: BLE001 -- iree-compile reports the syntax error with its own diagnostics
            return IRFacts()
        return _facts(module)


def _context() -> ir.Context:
    """One parsing context per thread: creating one costs ~10-30 ms (dialect registration)."""
    ctx = getattr(_LOCAL, "ctx", None)
    if ctx is None:
        ctx = _LOCAL.ctx = ir.Context()
        ctx.allow_unregistered_dialects = True
    return ctx


def _facts(module: ir.Module) -> IRFacts:
    funcs = [op for op in _ops(module.body) if op.name in _FUNCTIONS]
    problems = [*_call_cycles(funcs), *_wide_scalar_inserts(funcs)]
    written = {}
    for f in funcs:
        args = _written_args(f)
        if args:
            written[_symbol(f)] = args
    seconds = sum(_region_seconds(f.regions[0], 1) for f in funcs if f.regions[0].blocks)
    safe = not written and all(_never_writes_arguments(f) for f in funcs)
    host = any(_symbol(f).startswith(HOST_MODULE + ".") for f in funcs)
    return IRFacts(True, seconds, written, tuple(problems), safe, host)


# ---------------------------------------------------------------- traversal helpers

def _ops(block: ir.Block) -> Iterator[ir.Operation]:
    for op in block.operations:
        yield op.operation


def _symbol(op: ir.Operation) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def _shape(value_type: ir.Type) -> list[int] | None:
    if not isinstance(value_type, ir.ShapedType) or not ir.ShapedType(value_type).has_rank:
        return None
    dyn = ir.ShapedType.get_dynamic_size()
    return [DYNAMIC_DIM_GUESS if d == dyn else d for d in ir.ShapedType(value_type).shape]


# ---------------------------------------------------------------- call-graph cycles

def _call_cycles(funcs: list[ir.Operation]) -> list[str]:
    names = {_symbol(f) for f in funcs}
    edges: dict[str, list[str]] = {}
    for f in funcs:
        callees = []
        for op in walk(f):
            if "callee" in op.attributes:
                callee = ir.FlatSymbolRefAttr(op.attributes["callee"]).value
                if callee in names:
                    callees.append(callee)
        edges[_symbol(f)] = callees
    problems, state, stack = [], {}, []

    def visit(name: str) -> None:
        state[name] = "open"
        stack.append(name)
        for callee in edges.get(name, []):
            if state.get(callee) == "open":
                cycle = stack[stack.index(callee):] + [callee]
                problems.append(
                    "call-graph cycle " + " -> ".join(f"@{n}" for n in cycle)
                    + ": iree-compile (IREE 3.13) never finishes on recursion; "
                    "unroll it or turn it into a loop over an explicit schedule")
            elif callee not in state:
                visit(callee)
        stack.pop()
        state[name] = "done"

    for f in funcs:
        if _symbol(f) not in state:
            visit(_symbol(f))
    return problems


# ---------------------------------------------------------------- scalar inserts, rank >= 2

def _wide_scalar_inserts(funcs: list[ir.Operation]) -> list[str]:
    problems = []
    for f in funcs:
        for op in walk(f):
            if op.name != "tensor.insert" or _inside_linalg(op):
                continue
            shape = _shape(op.operands[1].type)
            if shape is not None and len(shape) >= 2:
                problems.append(
                    f"{op.location}: scalar tensor.insert into {op.operands[1].type} in "
                    f"@{_symbol(f)}: IREE 3.13 writes a whole run of elements, not one; "
                    "insert a 1x..x1 tensor.insert_slice or select with a linalg.generic")
    return problems


def _inside_linalg(op: ir.Operation) -> bool:
    parent = op.parent
    while parent is not None and parent.name not in _FUNCTIONS:
        if parent.name.startswith(("linalg.", "flow.dispatch", "iree_linalg_ext.")):
            return True
        parent = parent.parent
    return False


# ---------------------------------------------------------------- in-place writes to arguments

def _written_args(func: ir.Operation) -> tuple[int, ...]:
    entry = func.regions[0].blocks[0] if func.regions[0].blocks else None
    if entry is None:
        return ()
    written = set()
    for op in walk(func):
        if op.name in _INSERTS:
            index = _argument_behind(op.operands[1], entry)
            if index is not None:
                written.add(index)
    return tuple(sorted(written))


# Ops that read their operands and write only fresh results (or nothing), in any dialect the
# lowering emits; a linalg op also qualifies when none of its inits is an argument's buffer.
_PURE_DIALECTS = ("arith.", "math.", "complex.")
_PURE_OPS = frozenset({
    "func.return", "util.return", "tensor.empty", "tensor.extract", "tensor.dim",
    "tensor.from_elements", "tensor.splat", "tensor.generate", "tensor.yield", "tensor.pad",
    "tensor.concat", "cf.assert", "func.call", "linalg.yield", "linalg.index",
    "iree_linalg_ext.yield", "util.optimization_barrier",
    *_ALIAS_OF_OPERAND0,
})


def _never_writes_arguments(func: ir.Operation) -> bool:
    """Whether no op of `func` can write into the buffer of one of its arguments, so that the
    caller's memory may be passed to it without a copy (runtime.invoke). Conservative: inserts,
    loops, and ops outside the known pure ones count as writes; a linalg op counts when one of
    its inits (the buffers it writes) is an argument or aliases one."""
    if not func.regions[0].blocks:
        return True
    entry = func.regions[0].blocks[0]
    for op in walk(func):
        name = op.name
        if op is func or name.startswith(_PURE_DIALECTS) or name in _PURE_OPS:
            continue
        if name in _INIT_LAST:
            inits = [op.operands[len(op.operands) - 1]]
        elif not name.startswith("linalg.") or "operandSegmentSizes" not in op.attributes:
            return False
        else:
            n_inputs, n_inits = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
            inits = list(op.operands)[n_inputs:n_inputs + n_inits]
        if any(_argument_behind(v, entry) is not None for v in inits):
            return False
    return True


def _argument_behind(value: ir.Value, entry: ir.Block) -> int | None:
    """The entry-block argument `value` aliases once IREE has elided copies, if any."""
    for _ in range(10_000):  # chains are short; the bound only guards against malformed IR
        if isinstance(value, ir.BlockArgument):
            return value.arg_number if value.owner == entry else None
        op = value.owner
        op = op.operation if hasattr(op, "operation") else op
        if op.name in _ALIAS_OF_OPERAND0 or _is_identity_generic(op):
            value = op.operands[0]
        elif op.name == "util.optimization_barrier":  # result i is operand i
            value = op.operands[ir.OpResult(value).result_number]
        elif op.name in _INSERTS:
            value = op.operands[1]
        else:
            return None
    return None


def _is_identity_generic(op: ir.Operation) -> bool:
    if op.name != "linalg.generic" or len(op.operands) != 2 or "indexing_maps" not in op.attributes:
        return False
    maps = [ir.AffineMapAttr(m).value for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    if not all(m.is_permutation and m == ir.AffineMap.get_identity(m.n_dims) for m in maps):
        return False
    if op.operands[0].type != op.results[0].type:
        return False
    body = op.regions[0].blocks[0]
    body_ops = list(_ops(body))
    return (len(body_ops) == 1 and body_ops[0].name == "linalg.yield"
            and body_ops[0].operands[0] == body.arguments[0])


# ---------------------------------------------------------------- work estimate

def _region_seconds(region: ir.Region, trips: int) -> float:
    total = 0.0
    for block in region.blocks:
        for op in _ops(block):
            if op.name.startswith("linalg.") and op.name not in _NOT_COMPUTE:
                total += trips * _linalg_seconds(op)
                continue
            inner_trips = trips * (_constant_trip_count(op) if op.name == "scf.for" else 1)
            for inner in op.regions:
                total += _region_seconds(inner, inner_trips)
    return total


def _linalg_seconds(op: ir.Operation) -> float:
    shapes = [s for s in (_shape(v.type) for v in [*op.operands, *op.results]) if s is not None]
    largest = max((math.prod(s) for s in shapes), default=1)
    domain = _iteration_domain(op) or largest
    if op.name in _CONTRACTIONS:
        return 2 * domain / CONTRACTION_FLOPS_PER_S
    body_ops = sum(1 for r in op.regions for b in r.blocks for o in _ops(b)
                   if o.name not in ("linalg.yield", "linalg.index"))
    if op.name == "linalg.generic" and domain > largest and _has_reduction(op):
        return 2 * domain / CONTRACTION_FLOPS_PER_S  # a contraction written as a generic
    return domain * max(1, body_ops) / ELEMENT_OPS_PER_S


def _iteration_domain(op: ir.Operation) -> int | None:
    if "indexing_maps" not in op.attributes:
        return None
    maps = [ir.AffineMapAttr(m).value for m in ir.ArrayAttr(op.attributes["indexing_maps"])]
    operands = list(op.operands)
    if not maps or len(maps) != len(operands):
        return None
    sizes: dict[int, int] = {}
    for amap, value in zip(maps, operands):
        shape = _shape(value.type)
        if shape is None:
            continue
        for dim, expr in zip(shape, amap.results):
            if isinstance(expr, ir.AffineDimExpr):
                sizes.setdefault(expr.position, dim)
    return math.prod(sizes.get(d, 1) for d in range(maps[0].n_dims))


def computes_afresh(op: ir.Operation) -> bool:
    """Whether IREE always computes `op`'s result into a buffer of its own, never folding it
    into an alias of an operand: a contraction, or a reduction over more elements than it
    produces (a "sum" over a dim of size 1 is a reshape once folded)."""
    if op.name in _CONTRACTIONS:
        return True
    if op.name != "linalg.generic" or not _has_reduction(op):
        return False
    domain = _iteration_domain(op)
    outs = [_shape(r.type) for r in op.results]
    return (domain is not None and all(s is not None for s in outs)
            and all(domain > math.prod(s) for s in outs))


def _has_reduction(op: ir.Operation) -> bool:
    return "iterator_types" in op.attributes and "reduction" in str(op.attributes["iterator_types"])


def _constant_trip_count(op: ir.Operation) -> int:
    bounds = []
    for value in list(op.operands)[:3]:
        owner = None if isinstance(value, ir.BlockArgument) else value.owner
        owner = owner.operation if owner is not None and hasattr(owner, "operation") else owner
        if owner is None or owner.name != "arith.constant":
            return 1
        attr = owner.attributes["value"]
        if not isinstance(attr, ir.IntegerAttr):
            return 1
        bounds.append(ir.IntegerAttr(attr).value)
    lo, hi, step = bounds
    return max(1, -(-(hi - lo) // step)) if step > 0 else 1
