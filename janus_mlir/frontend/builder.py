"""GraphBuilder: emits the janus IR of one converted call.

It owns the module and the entry function, adds a function argument the first time a source is
read, stamps every op with the user's file:line, and records the in-graph guards (assumptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import func

from ..dialects import janus
from . import heap
from ..dialects.context import make_context
from ..dialects.opdef import NotConverted, ShapeError
from ..dialects.types import (CountDim, SymbolicShape, TensorSpec, UnsupportedType,
                              is_supported_dtype, tensor_type)
from .errors import NeedsStaticShape, Unconvertible
from ..speculation.graph_spec import GraphInput, InGraphGuard
from ..speculation.sources import Source
from .values import ARRAY, Tensor


class GraphBuilder:
    ENTRY = "main"

    def __init__(self, filename: str):
        self.context = make_context()
        self.filename = filename
        self.line = 0
        self.col = 0
        self.inputs: list[GraphInput] = []
        self._input_values: dict[Source, Tensor] = {}
        self.guards: list[InGraphGuard] = []
        # The draw sites of the run-time loops being converted, innermost last; None for a
        # loop whose draws are refused (frontend/loop_draws.py).
        self.loop_draws: list[Any] = []
        with self.context, ir.Location.unknown():
            self.module = ir.Module.create()
            with ir.InsertionPoint(self.module.body):
                ftype = ir.FunctionType.get([], [])
                self.func = func.FuncOp(self.ENTRY, ftype)
            self.entry = self.func.add_entry_block()
        self._blocks: list[ir.Block] = [self.entry]  # where ops go: innermost region last

    @property
    def block(self) -> ir.Block:
        """The block ops are emitted into (the entry block, or the region being converted)."""
        return self._blocks[-1]

    @contextmanager
    def into(self, block: ir.Block):
        """Emit into `block` (a region of a control-flow op) inside the `with`."""
        self._blocks.append(block)
        try:
            yield block
        finally:
            self._blocks.pop()

    # --- locations --------------------------------------------------------------------------
    @property
    def where(self) -> str:
        return f"{self.filename}:{self.line}"

    @contextmanager
    def at(self, filename: str, line: int, col: int = 0):
        saved = (self.filename, self.line, self.col)
        self.filename, self.line, self.col = filename, line, col
        try:
            yield
        finally:
            self.filename, self.line, self.col = saved

    def location(self) -> ir.Location:
        return ir.Location.file(self.filename, self.line, self.col + 1, context=self.context)

    # --- inputs -----------------------------------------------------------------------------
    def input(self, source: Source, shape: tuple[int, ...], dtype: np.dtype, kind: str,
              c_order: bool = True) -> Tensor:
        """The function argument carrying `source` (added on first use); `c_order`: whether the
        caller's array is C-contiguous (an entry guard checks it)."""
        if source in self._input_values:
            return self._input_values[source]
        if not is_supported_dtype(dtype):
            raise Unconvertible(f"{source} has dtype {np.dtype(dtype).name}, which janus does "
                                "not compile", self.where)
        spec = TensorSpec(tuple(shape), np.dtype(dtype))
        with self.context, self.location():
            arg = self.entry.add_argument(tensor_type(spec.shape, spec.dtype), self.location())
        t = Tensor(arg, spec, kind, fresh=False, source=source, c_order=c_order)
        # An argument of the function exists before every region, even when first read inside
        # one (an attribute a loop body reads and writes): its changes there are journaled.
        t.serial = -1
        self.inputs.append(GraphInput(source, spec, kind))
        self._input_values[source] = t
        return t

    def input_tensors(self) -> list[Tensor]:
        """The inputs read so far, as the tensors that stand for them (in reading order)."""
        return list(self._input_values.values())

    # --- ops --------------------------------------------------------------------------------
    def emit(self, name: str, operands: Sequence[Tensor], kind: str = ARRAY, copy: bool = False,
             **attrs: Any) -> Tensor:
        """Emit `janus.<name>` at the current line; one result, wrapped as a Tensor of `kind`.

        A view op (heap.VIEW_OPS) on an array gives a view of it, as in NumPy, unless `copy`.
        """
        results = self._symbolic_results(name, operands, attrs)
        (value,) = self.emit_values(name, [t.value for t in operands], results=results, **attrs)
        spec = results[0] if results else janus.wrap(value.owner).result_specs[0]
        out = Tensor(value, spec, kind, c_order=_c_order(spec, operands))
        if name in heap.VIEW_OPS and not copy:
            heap.link_view(self, out, operands[0], name, attrs)
        return out

    def _symbolic_results(self, name: str, operands: Sequence[Tensor], attrs: dict[str, Any]
                          ) -> list[TensorSpec] | None:
        """The result specs with the frontend's named Dims, for operands with symbolic dims
        (the types in the IR only say `?`); None for static operands."""
        if all(t.spec.static for t in operands):
            return None
        cls = janus.op_class(name)
        if not cls.SIGNATURE.symbolic:
            raise NeedsStaticShape(f"janus.{name} does not take symbolic dims", self.where)
        try:
            results = cls.infer([t.spec for t in operands], **attrs)
        except SymbolicShape as e:
            raise NeedsStaticShape(str(e), self.where) from None
        except NotConverted as e:
            raise Unconvertible(str(e), self.where) from None
        except (ShapeError, UnsupportedType) as e:
            raise Unconvertible(f"numpy would reject this: {e}", self.where) from None
        dims = {d for s in [*(t.spec for t in operands), *results] for d in s.shape
                if type(d) is not int}
        if len(dims) > 1 and any(isinstance(d, CountDim) for d in dims):
            # The lowering sizes every `?` from the first one among the operands.
            raise NeedsStaticShape(f"janus.{name} on a data-dependent size and another "
                                   "symbolic size", self.where)
        return results

    def emit_values(self, name: str, operands: Sequence[ir.Value],
                    results: Sequence[TensorSpec] | None = None, **attrs: Any
                    ) -> list[ir.Value]:
        cls = janus.op_class(name)
        with self.context, self.location(), ir.InsertionPoint(self.block):
            try:
                op = cls.build(*operands, results=results, loc=self.location(), **attrs)
            except NotConverted as e:
                raise Unconvertible(str(e), self.where) from None
            except (ShapeError, UnsupportedType) as e:
                raise Unconvertible(f"numpy would reject this: {e}", self.where) from None
        return op.results

    def constant(self, value: Any, kind: str) -> Tensor:
        arr = np.asarray(value)
        if not is_supported_dtype(arr.dtype):
            raise Unconvertible(f"constant of dtype {arr.dtype} is not supported", self.where)
        return self.emit("constant", [], kind, value=arr)

    def guard(self, predicate: Tensor, kind: str, message: str, site: Any = None
              ) -> InGraphGuard:
        """Assume `predicate` (rank-0 bool) holds; checked when the graph runs. `site`: the
        speculation it checks, relaxed by the runtime when the guard fails."""
        g = InGraphGuard(len(self.guards), kind, self.where, message, site)
        with self.context, self.location(), ir.InsertionPoint(self.block):
            janus.GuardOp.build(predicate.value, loc=self.location(), id=g.id, kind=kind,
                                where=g.where, message=message)
        self.guards.append(g)
        return g

    def effect(self, id: int, kind: str, target: str, where: str,
               operands: Sequence[Tensor]) -> None:
        """A `janus.effect` at the end of the entry block (effects are committed in `id`
        order once the graph has succeeded; janus-lower-state lowers them)."""
        with self.context, self.location(), ir.InsertionPoint(self.entry):
            janus.EffectOp.build(*[t.value for t in operands], loc=self.location(), id=id,
                                 kind=kind, target=target, where=where)

    # --- finishing --------------------------------------------------------------------------
    def finish(self, outputs: Sequence[Tensor]) -> ir.Module:
        with self.context, self.location(), ir.InsertionPoint(self.entry):
            func.ReturnOp([t.value for t in outputs])
            arg_types = [a.type for a in self.entry.arguments]
            ftype = ir.FunctionType.get(arg_types, [t.value.type for t in outputs])
            self.func.attributes["function_type"] = ir.TypeAttr.get(ftype)
        return self.module


def _c_order(spec: TensorSpec, operands: Sequence[Tensor]) -> bool:
    """Whether NumPy would lay the result out C-contiguous: always for rank <= 1; otherwise
    when every array operand is C-contiguous (NumPy's 'K' order keeps other layouts)."""
    if len(spec.shape) <= 1:
        return True
    return all(_is_c_layout(t) for t in operands if t.kind == ARRAY and t.ndim >= 2)


def _is_c_layout(t: Tensor) -> bool:
    if t.view is None:
        return t.c_order
    v = t.view
    return v.root.c_order and not v.ambiguous and bool(v.layout.flags.c_contiguous)
