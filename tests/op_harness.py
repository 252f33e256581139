"""Checking registered janus ops against NumPy through the compiled path.

A `Case` is one op applied to concrete NumPy inputs with decoded attributes, plus the NumPy
expression it must reproduce. `check_cases` puts every case of a batch into ONE MLIR module (one
`func.func @caseN` per case), lowers it with the janus pipeline, compiles it once with iree-compile
for llvm-cpu (a compile costs about a second, a function in a batch far less), calls each function
and compares values, dtypes and shapes with NumPy. Batches are deterministic so the on-disk compile
cache makes reruns fast.

The module also holds the pieces the hypothesis tests share: value generation (seeded NumPy, so
hypothesis only chooses shapes, dtypes, attributes and a seed) and the attribute normalisation
the frontend performs (negative axes, axis=None, Python slices).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from iree.compiler import ir
from iree.compiler.dialects import func

from janus_mlir.dialects import janus
from janus_mlir.dialects.context import make_context
from janus_mlir.dialects.opdef import ShapeError
from janus_mlir.dialects.types import TensorSpec, tensor_type
from janus_mlir.ops import lookup
from janus_mlir.passes import PassError, lower_to_iree_input
from janus_mlir.runtime.compiler import CompiledModule, CompileError, compile_ir
from janus_mlir.runtime.module import LoadedModule
from janus_mlir.runtime.targets import get_target

BOOL, I8, I32, I64 = np.dtype(bool), np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64)
F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
U8, U16, U32, U64 = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.uint32),
                     np.dtype(np.uint64))
# The unsigned dtypes, for the families whose ops convert them (an op that does not must
# refuse them in its shape rule).
UNSIGNED = (U8, U16, U32, U64)
# float16 is in every family's dtypes: the lowerings compute f16 math in f32 and round, as NumPy
# does, and it matches within TOLERANCE.
DTYPES = (BOOL, I32, I64, F16, F32, F64)

# (rtol, atol) per result dtype; the float32 row is the API contract.
TOLERANCE: dict[np.dtype, tuple[float, float]] = {
    F16: (2e-3, 2e-3),
    F32: (1e-4, 1e-5),
    F64: (1e-9, 1e-12),
}

# Cases per compiled module: big enough to amortise iree-compile's start-up, small enough that
# the modules of one batch compile in parallel.
CHUNK = 40


def compiled(max_examples: int) -> settings:
    """Hypothesis settings for compiled-path tests: deterministic (the compile cache then makes
    reruns cheap), few examples (each one is a batch of compiled functions), no deadline."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One op on concrete inputs; `reference(*inputs)` is the NumPy call it must match.

    `attrs` are the janus attributes exactly as the frontend would emit them. Without a
    `reference` the op's own registry rule `numpy(*inputs, **attrs)` is the reference.
    """

    op: str
    inputs: tuple[np.ndarray, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    reference: Callable[..., Any] | None = None
    tol: tuple[float, float] | None = None
    label: str = ""
    registry_agrees: bool = True  # the registry reference must match `reference` too

    def expected(self) -> list[np.ndarray]:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice" and the like
            if self.reference is None:
                out = lookup(self.op).numpy(*self.inputs, **self.attrs)
            else:
                out = self.reference(*self.inputs)
        return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else [out])]

    def describe(self) -> str:
        ins = ", ".join(str(TensorSpec(a.shape, a.dtype)) for a in self.inputs)
        extra = f" [{self.label}]" if self.label else ""
        return f"{self.op}({ins}) {self.attrs}{extra}"


def covered(cases_or_names: Iterable[Any]) -> frozenset[str]:
    return frozenset(c.op if isinstance(c, Case) else c for c in cases_or_names)


# ---------------------------------------------------------------------------------------------
# Building, compiling and running one module per batch
# ---------------------------------------------------------------------------------------------


def build_module_text(cases: Sequence[Case]) -> str:
    """Lowered MLIR for `cases`, one `func.func @case<i>` each (inputs in, op results out)."""
    with make_context(), ir.Location.unknown():
        module = ir.Module.create()
        for i, case in enumerate(cases):
            arg_types = [tensor_type(a.shape, a.dtype) for a in case.inputs]
            with ir.InsertionPoint(module.body):
                fn = func.FuncOp(f"case{i}", ir.FunctionType.get(arg_types, []))
            block = fn.add_entry_block()
            with ir.InsertionPoint(block), ir.Location.file(f"case{i}", 1, 1):
                op = janus.op_class(case.op).build(*block.arguments, **case.attrs)
                func.ReturnOp(op.results)
            fn.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [r.type for r in op.results]))
        lower_to_iree_input(module)
        return str(module)


def run_cases(cases: Sequence[Case]) -> list[list[np.ndarray]]:
    """Compile the cases (in modules of at most CHUNK functions, compiled in parallel, one
    iree-compile per core) and return each case's results."""
    chunks = [list(cases[i:i + CHUNK]) for i in range(0, len(cases), CHUNK)]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        compiled = list(pool.map(_compile_chunk, chunks))
    results = []
    for chunk, module in zip(chunks, compiled, strict=True):
        results.extend(LoadedModule(module, entry=f"case{i}")(*case.inputs)
                       for i, case in enumerate(chunk))
    return results


def _compile_chunk(cases: list[Case]) -> CompiledModule:
    try:
        return compile_ir(build_module_text(cases), get_target("llvm-cpu"), name="op_cases")
    except (CompileError, PassError) as e:
        raise AssertionError(_isolate_failures(cases, e)) from None


def _isolate_failures(cases: Sequence[Case], error: Exception) -> str:
    """Lower and compile the cases one by one to name those that fail."""
    bad = []
    for case in cases:
        try:
            compile_ir(build_module_text([case]), get_target("llvm-cpu"),
                       ("--mlir-print-op-on-diagnostic=false",), name="op_case")
        except PassError as e:
            bad.append(f"  {case.describe()}\n      lowering: {e}")
        except CompileError as e:
            lines = [ln for ln in str(e).splitlines() if "error" in ln][:3] or [str(e)[-600:]]
            bad.append(f"  {case.describe()}\n      iree-compile: " + "\n      ".join(lines))
    if not bad:
        return f"the batch failed but every case lowers and compiles alone:\n{error}"
    return f"{len(bad)} of {len(cases)} cases fail to lower or compile:\n" + "\n".join(bad)


def check_cases(cases: Sequence[Case]) -> None:
    """Every case's compiled results equal NumPy's (values, dtypes, shapes), and so do the op's
    shape rule and its registry reference; every problem is listed."""
    expected = [case.expected() for case in cases]
    problems = [p for case, want in zip(cases, expected) for p in _check_rules(case, want)]
    if problems:
        raise AssertionError("\n".join(problems))
    for case, want, got in zip(cases, expected, run_cases(cases), strict=True):
        problems.extend(compare(case, got, want))
    if problems:
        shown = problems[:40] + ([f"... and {len(problems) - 40} more"] if len(problems) > 40 else [])
        raise AssertionError(f"{len(problems)} of {len(cases)} cases differ from NumPy:\n"
                             + "\n".join(shown))


def _check_rules(case: Case, want: list[np.ndarray]) -> list[str]:
    """The shape rule gives NumPy's shapes and dtypes; the registry's NumPy reference (used by
    eager execution) gives NumPy's values."""
    attrs = {**_defaults(case.op), **case.attrs}
    try:
        specs = list(lookup(case.op).signature.infer(
            [TensorSpec(a.shape, a.dtype) for a in case.inputs], attrs))
    except ShapeError as e:
        return [f"{case.describe()}: infer raised ShapeError ({e}) but NumPy accepts it"]
    want_specs = [TensorSpec(w.shape, w.dtype) for w in want]
    if not _specs_match(specs, want_specs):
        return [f"{case.describe()}: infer gives {[str(s) for s in specs]}, "
                f"NumPy gives {[str(s) for s in want_specs]}"]
    if case.reference is None or not case.registry_agrees:
        return []
    registry = Case(case.op, case.inputs, case.attrs, tol=case.tol, label="registry reference")
    return compare(registry, registry.expected(), want)


def _specs_match(specs: Sequence[TensorSpec], want: Sequence[TensorSpec]) -> bool:
    """The inferred specs are NumPy's; a `?` dim (a count the graph computes) matches any size."""
    return len(specs) == len(want) and all(
        s.dtype == w.dtype and s.rank == w.rank
        and all(type(d) is not int or d == v for d, v in zip(s.shape, w.shape))
        for s, w in zip(specs, want))


def _defaults(op: str) -> dict[str, Any]:
    return {k: a.default for k, a in lookup(op).signature.attrs.items() if a.optional}


def compare(case: Case, got: Sequence[np.ndarray], want: Sequence[np.ndarray]) -> list[str]:
    """What differs between compiled results and NumPy's (empty when they match)."""
    if len(got) != len(want):
        return [f"{case.describe()}: {len(got)} results, NumPy gives {len(want)}"]
    out = []
    for k, (g, w) in enumerate(zip(got, want)):
        where = f"{case.describe()} result {k}"
        if g.shape != w.shape or g.dtype != w.dtype:
            out.append(f"{where}: got {g.dtype}{list(g.shape)}, NumPy {w.dtype}{list(w.shape)}")
            continue
        if not values_match(g, w, case.tol):
            bad = ~_close(g, w, case.tol)
            idx = tuple(int(i[0]) for i in np.nonzero(bad)) if g.ndim else ()
            msg = (f"{where}: {int(bad.sum())} of {w.size} values differ; first at {idx}: "
                   f"got {g[idx]!r}, NumPy {w[idx]!r}")
            if sum(a.size for a in case.inputs) <= 48:
                msg += "; inputs:\n" + "\n".join(f"      {a!r}" for a in case.inputs)
            elif all(a.shape == w.shape for a in case.inputs):
                msg += f"; inputs there: {[a[idx] for a in case.inputs]}"
            out.append(msg)
    return out


def _close(g: np.ndarray, w: np.ndarray, tol: tuple[float, float] | None) -> np.ndarray:
    if w.dtype.kind != "f":
        return np.asarray(g == w)
    rtol, atol = tol or TOLERANCE[w.dtype]
    g64, w64 = g.astype(np.float64), w.astype(np.float64)
    same_nan = np.isnan(g64) & np.isnan(w64)
    with np.errstate(invalid="ignore"):
        return same_nan | (g64 == w64) | (np.abs(g64 - w64) <= atol + rtol * np.abs(w64))


def values_match(g: np.ndarray, w: np.ndarray, tol: tuple[float, float] | None = None) -> bool:
    """Exact for ints and bools; allclose with NaN positions equal (inf exact) for floats."""
    return bool(np.all(_close(g, w, tol)))


def check_rejected(op: str, specs: Sequence[TensorSpec], attrs: dict[str, Any],
                   numpy_call: Callable[[], Any]) -> None:
    """NumPy raises on these inputs, and the op's shape rule raises ShapeError."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            numpy_call()
    except Exception:  # noqa: BLE001 (any NumPy error counts)
        pass
    else:
        raise AssertionError(f"NumPy accepts {op} on {[str(s) for s in specs]} {attrs}; "
                             "the case is not an invalid input")
    try:
        lookup(op).signature.infer(list(specs), {**_defaults(op), **attrs})
    except ShapeError:
        return
    raise AssertionError(f"{op} infer accepts {[str(s) for s in specs]} {attrs}, NumPy raises")


# ---------------------------------------------------------------------------------------------
# Values: seeded NumPy arrays
# ---------------------------------------------------------------------------------------------

SPECIALS = (np.nan, np.inf, -np.inf, 0.0, -0.0)


def make_array(rng: np.random.Generator, shape: Sequence[int], dtype: np.dtype, *,
               low: float = -8, high: float = 8, grid: bool = True, specials: bool = False,
               full_range: bool = False) -> np.ndarray:
    """An array of `dtype`: floats on a 1/8 grid in [low, high] (sums stay exact) or uniform,
    optionally sprinkled with NaN/inf/zeros; ints in [low, high] or over the whole dtype range
    (with `specials`, sprinkled with MIN, MAX, 0, -1, 1); unsigned ints likewise, in
    [max(low, 0), high] when not over the whole range."""
    dtype = np.dtype(dtype)
    shape = tuple(shape)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = (info.min, info.max) if full_range else (max(int(low), info.min),
                                                          min(int(high), info.max))
        arr = rng.integers(lo, hi, size=shape, dtype=dtype, endpoint=True)
        if specials and full_range and arr.size:
            edges = np.array([info.min, info.max, 0, info.max - 1 if dtype.kind == "u" else -1,
                              1], dtype=dtype)
            arr = np.where(rng.random(shape) < 0.25, rng.choice(edges, size=shape), arr)
        return np.asarray(arr, dtype=dtype)
    if grid:
        vals = rng.integers(int(low * 8), int(high * 8), size=shape, endpoint=True) / 8.0
    else:
        vals = rng.uniform(low, high, size=shape)
    arr = np.asarray(vals).astype(dtype)
    if specials and arr.size:
        mask = rng.random(shape) < 0.25
        picks = rng.choice(np.array(SPECIALS), size=shape)
        arr = np.where(mask, picks, arr).astype(dtype)
    return arr


# ---------------------------------------------------------------------------------------------
# Strategies: shapes, broadcasting, dtypes, axes
# ---------------------------------------------------------------------------------------------

# Mostly small non-empty dims; one draw in twelve is a zero-size dim.
_DIMS = (0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 1, 2)
dims = st.integers(0, len(_DIMS) - 1).map(lambda i: _DIMS[i])
nonzero_dims = st.integers(1, 5)
seeds = st.integers(0, 2**32 - 1)


def shapes(min_rank: int = 0, max_rank: int = 3, *, allow_zero: bool = True) -> st.SearchStrategy:
    dim = dims if allow_zero else nonzero_dims
    return st.lists(dim, min_size=min_rank, max_size=max_rank).map(tuple)


@st.composite
def broadcast_shapes(draw: st.DrawFn, n: int, max_rank: int = 3,
                     allow_zero: bool = True) -> list[tuple[int, ...]]:
    """`n` shapes that broadcast together: a common shape, each operand dropping leading
    dims and setting some dims to 1."""
    out = draw(shapes(0, max_rank, allow_zero=allow_zero))
    result = []
    for _ in range(n):
        rank = draw(st.integers(0, len(out)))
        tail = out[len(out) - rank:]
        result.append(tuple(1 if draw(st.integers(0, 3)) == 0 else d for d in tail))
    return result


def axes_for(rank: int) -> st.SearchStrategy:
    """A user-level `axis` argument: None, an int (maybe negative) or a tuple of distinct axes."""
    if rank == 0:
        return st.sampled_from([None, ()])
    one = st.integers(-rank, rank - 1)
    many = st.lists(one, max_size=rank, unique_by=lambda a: a % rank).map(tuple)
    return st.one_of(st.none(), one, many)


def normalize_axes(axis: int | Sequence[int] | None, rank: int) -> tuple[int, ...]:
    """What the frontend emits for `axis=`: None -> all axes; negatives wrapped; sorted."""
    if axis is None:
        return tuple(range(rank))
    items = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted({a % rank if rank else a for a in items}))


def normalize_slice(s: slice, n: int) -> tuple[int, int, int]:
    """(start, size, step) of a Python slice over a dim of length n, as the frontend emits it."""
    start, stop, step = s.indices(n)
    return start, len(range(start, stop, step)), step
