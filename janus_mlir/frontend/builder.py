"""GraphBuilder: emits the janus IR of one converted call.

It owns the module and the entry function, adds a function argument the first time a source is
read, stamps every op with the user's file:line, and records the in-graph guards (assumptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from iree.compiler import ir
from iree.compiler.dialects import func

from ..dialects import janus
from ..dialects.context import make_context
from ..dialects.opdef import ShapeError
from ..dialects.types import TensorSpec, UnsupportedType, is_supported_dtype, tensor_type
from .errors import Unconvertible
from .sources import Source
from .values import ARRAY, Tensor


@dataclass(frozen=True)
class GraphInput:
    source: Source
    spec: TensorSpec
    kind: str


@dataclass(frozen=True)
class InGraphGuard:
    id: int
    kind: str
    where: str
    message: str

    def describe(self) -> str:
        return f"{self.where}: {self.message} (checked in the graph)"

    __str__ = describe


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
        with self.context, ir.Location.unknown():
            self.module = ir.Module.create()
            with ir.InsertionPoint(self.module.body):
                ftype = ir.FunctionType.get([], [])
                self.func = func.FuncOp(self.ENTRY, ftype)
            self.block = self.func.add_entry_block()

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
    def input(self, source: Source, shape: tuple[int, ...], dtype: np.dtype, kind: str) -> Tensor:
        """The function argument carrying `source` (added on first use)."""
        if source in self._input_values:
            return self._input_values[source]
        if not is_supported_dtype(dtype):
            raise Unconvertible(f"{source} has dtype {np.dtype(dtype).name}, which janus does "
                                "not compile", self.where)
        spec = TensorSpec(tuple(shape), np.dtype(dtype))
        with self.context, self.location():
            arg = self.block.add_argument(tensor_type(spec.shape, spec.dtype), self.location())
        t = Tensor(arg, spec, kind, fresh=False, source=source)
        self.inputs.append(GraphInput(source, spec, kind))
        self._input_values[source] = t
        return t

    # --- ops --------------------------------------------------------------------------------
    def emit(self, name: str, operands: Sequence[Tensor], kind: str = ARRAY,
             **attrs: Any) -> Tensor:
        """Emit `janus.<name>` at the current line; one result, wrapped as a Tensor of `kind`."""
        (value,) = self.emit_values(name, [t.value for t in operands], **attrs)
        return Tensor(value, janus.wrap(value.owner).result_specs[0], kind)

    def emit_values(self, name: str, operands: Sequence[ir.Value], **attrs: Any) -> list[ir.Value]:
        cls = janus.op_class(name)
        with self.context, self.location(), ir.InsertionPoint(self.block):
            try:
                op = cls.build(*operands, loc=self.location(), **attrs)
            except (ShapeError, UnsupportedType) as e:
                raise Unconvertible(f"numpy would reject this: {e}", self.where) from None
        return op.results

    def constant(self, value: Any, kind: str) -> Tensor:
        arr = np.asarray(value)
        if not is_supported_dtype(arr.dtype):
            raise Unconvertible(f"constant of dtype {arr.dtype} is not supported", self.where)
        return self.emit("constant", [], kind, value=arr)

    def guard(self, predicate: Tensor, kind: str, message: str) -> InGraphGuard:
        """Assume `predicate` (rank-0 bool) holds; checked when the graph runs."""
        g = InGraphGuard(len(self.guards), kind, self.where, message)
        with self.context, self.location(), ir.InsertionPoint(self.block):
            janus.GuardOp.build(predicate.value, loc=self.location(), id=g.id, kind=kind,
                                where=g.where, message=message)
        self.guards.append(g)
        return g

    # --- finishing --------------------------------------------------------------------------
    def finish(self, outputs: Sequence[Tensor]) -> ir.Module:
        with self.context, self.location(), ir.InsertionPoint(self.block):
            func.ReturnOp([t.value for t in outputs])
            arg_types = [a.type for a in self.block.arguments]
            ftype = ir.FunctionType.get(arg_types, [t.value.type for t in outputs])
            self.func.attributes["function_type"] = ir.TypeAttr.get(ftype)
        return self.module
