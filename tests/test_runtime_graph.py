"""The runtime's side of one graph call (runtime/graph.py): IREE's per-dispatch limits, results
that must not share memory, and arguments that cannot be passed as declared.

Each program is written to a file, so the converter can read its source, and called through
`jm.compile` with the equivalence oracle; the lower-level cases build modules from MLIR text.
"""

from __future__ import annotations


import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.runtime import graph as graph_module
from janus_mlir.runtime.compiler import NARROW_DISPATCH_FLAGS, CompileError, compile_ir
from janus_mlir.runtime.graph import Executable
from janus_mlir.runtime.values import unshared
from janus_mlir.runtime.module import ArgumentMismatch, DispatchLimitExceeded, LoadedModule
from janus_mlir.runtime.targets import get_target

from .equivalence import check, load_source

CPU = get_target("llvm-cpu")


# ---------------------------------------------------------------- IREE's dispatch limits

@pytest.mark.parametrize("n", [40, 64])
def test_many_array_arguments_run_compiled(tmp_path, n):
    names = [f"a{i}" for i in range(n)]
    fn = load_source(tmp_path, f"def f({', '.join(names)}):\n    return {' + '.join(names)}\n").f
    f = jm.compile(fn)
    args = [np.full(4, i, np.float32) for i in range(n)]
    for _ in range(3):
        check(f, *args)
    assert f.stats.graph_calls == 2, f.reasons
    assert f.graphs[0].executable.narrowed


def test_many_arguments_with_reductions_and_broadcasts(tmp_path):
    n = 36
    names = [f"a{i}" for i in range(n)]
    body = " + ".join(f"np.tanh({a}) * {a}.sum()" for a in names)
    fn = load_source(tmp_path, f"def f({', '.join(names)}):\n    return ({body}).sum(axis=0)\n").f
    f = jm.compile(fn)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((3, 4) if i % 2 else (4,)) for i in range(n)]
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 1, f.reasons


def chain_ir(n: int, dynamic: bool) -> str:
    """`x + b0 + ... + b{n-1}` as one chain of elementwise generics; x is ?x4 when dynamic."""
    x_type = "tensor<?x4xf32>" if dynamic else "tensor<3x4xf32>"
    args = ", ".join([f"%x: {x_type}"] + [f"%b{i}: tensor<4xf32>" for i in range(n)])
    maps = ("[affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, "
            "affine_map<(i, j) -> (i, j)>]")
    lines = [f"func.func @main({args}) -> {x_type} {{"]
    if dynamic:
        lines += ["  %c0 = arith.constant 0 : index",
                  f"  %d = tensor.dim %x, %c0 : {x_type}",
                  f"  %e = tensor.empty(%d) : {x_type}"]
    else:
        lines.append(f"  %e = tensor.empty() : {x_type}")
    prev = "%x"
    for i in range(n):
        lines += [
            f"  %r{i} = linalg.generic {{indexing_maps = {maps}, iterator_types = "
            f"[\"parallel\", \"parallel\"]}} ins({prev}, %b{i} : {x_type}, tensor<4xf32>) "
            f"outs(%e : {x_type}) {{",
            "  ^bb0(%p: f32, %q: f32, %o: f32):",
            "    %s = arith.addf %p, %q : f32",
            "    linalg.yield %s : f32",
            f"  }} -> {x_type}"]
        prev = f"%r{i}"
    lines += [f"  return {prev} : {x_type}", "}"]
    return "\n".join(lines) + "\n"


def chain_args(n: int) -> list[np.ndarray]:
    return [np.ones((3, 4), np.float32), *(np.full(4, i, np.float32) for i in range(n))]


def test_iree_fuses_past_its_binding_limit_and_narrow_flags_avoid_it():
    """IREE 3.13 regression check: default fusion builds a 42-binding dispatch that its own
    runtime refuses at load; NARROW_DISPATCH_FLAGS keep dispatches within the limit."""
    text = chain_ir(40, dynamic=False)
    with pytest.raises(DispatchLimitExceeded, match="binding count"):
        LoadedModule(compile_ir(text, CPU))
    (out,) = LoadedModule(compile_ir(text, CPU, NARROW_DISPATCH_FLAGS))(*chain_args(40))
    np.testing.assert_array_equal(out, np.full((3, 4), 1 + sum(range(40)), np.float32))


def test_executable_narrows_at_load_and_at_call_time():
    static = Executable(chain_ir(40, dynamic=False), CPU, "static_chain")
    assert static.narrowed
    dynamic = Executable(chain_ir(40, dynamic=True), CPU, "dynamic_chain")
    assert not dynamic.narrowed  # the dispatch is recorded only when it is called
    (out,) = dynamic(chain_args(40))
    assert dynamic.narrowed
    np.testing.assert_array_equal(out, np.full((3, 4), 1 + sum(range(40)), np.float32))
    (again,) = dynamic(chain_args(40))
    np.testing.assert_array_equal(again, out)


def test_limits_that_narrowing_cannot_fix_are_reported(monkeypatch):
    monkeypatch.setattr(graph_module, "NARROW_DISPATCH_FLAGS", ())  # "narrowing" changes nothing
    with pytest.raises(CompileError, match="even with"):
        Executable(chain_ir(40, dynamic=False), CPU, "static_chain")
    dynamic = Executable(chain_ir(40, dynamic=True), CPU, "dynamic_chain")
    for _ in range(2):  # a CannotRun each time: the call runs as plain Python
        with pytest.raises(DispatchLimitExceeded, match="binding count"):
            dynamic(chain_args(40))
    assert dynamic.narrowed


def test_executable_turns_argument_errors_into_argument_mismatch():
    small = Executable(chain_ir(1, dynamic=False), CPU, "small_chain")
    x, b = chain_args(1)
    (out,) = small([x, b])
    np.testing.assert_array_equal(out, x + b)
    with pytest.raises(ArgumentMismatch, match="expected float32 array"):
        small([x.astype(np.float64), b])
    with pytest.raises(ArgumentMismatch, match="got shape"):
        small([x[:2], b])


# ---------------------------------------------------------------- results never share memory

SHARED_PAIRS = {
    "twice": ("def f(x):\n    return x + 1, x + 1\n", np.arange(5.0)),
    "floor_and_astype": ("def f(i):\n    return np.floor(i), i.astype(np.int64)\n",
                         np.arange(5)),
    "invert_and_not": ("def f(b):\n    return ~b, np.logical_not(b)\n",
                       np.array([True, False, True])),
}


@pytest.mark.parametrize("case", sorted(SHARED_PAIRS))
def test_distinct_results_do_not_share_a_buffer(tmp_path, case):
    source, x = SHARED_PAIRS[case]
    f = jm.compile(load_source(tmp_path, source).f)
    check(f, x)
    a, b = check(f, x)
    assert f.stats.graph_calls == 1, f.reasons
    before = b.copy()
    a[0] = 100
    np.testing.assert_array_equal(b, before)
    assert not np.shares_memory(a, b)


@pytest.mark.parametrize("body", ["x.reshape(-1) * 1", "x * 1", "x + 0", "x.T * 1"])
def test_results_do_not_share_memory_with_inputs(tmp_path, body):
    f = jm.compile(load_source(tmp_path, f"def f(x):\n    return {body}\n").f)
    x = np.arange(6.0).reshape(2, 3)
    check(f, x)
    y = check(f, x)
    assert f.stats.graph_calls == 1, f.reasons
    y[0] = 100
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(2, 3))


def test_unshared_copies_results_that_alias_earlier_results_or_inputs():
    x = np.arange(6.0)
    buf = np.arange(10.0)
    same, view, own, empty = buf, buf[2:5], np.ones(3), np.ones(0)
    scalar = np.array(1.0)
    kinds = ["array", "array", "array", "array", "npscalar", "array"]
    out = unshared([same, view, own, empty, scalar, x[1:]], kinds, [x, 3])
    assert out[0] is same and out[2] is own and out[3] is empty and out[4] is scalar
    assert not np.shares_memory(out[1], out[0])
    np.testing.assert_array_equal(out[1], view)
    assert not np.shares_memory(out[5], x)  # handed back the argument's buffer
    np.testing.assert_array_equal(out[5], x[1:])


# ---------------------------------------------------------------- arguments that do not fit

def scalar_graph(tmp_path, x: np.ndarray) -> jm.JanusFunction:
    f = jm.compile(load_source(tmp_path, "def f(x, n):\n    return x * n\n").f)
    f(x, 1)
    f(x, 2)  # the value varied: n becomes a run-time int64 input
    f(x, 3)
    assert f.graphs and f.stats.graph_calls == 1, f.reasons
    return f


@pytest.mark.parametrize("n", [2**63, -(2**63) - 1, 10**30, 2.5])
def test_unconvertible_argument_raises_argument_mismatch(tmp_path, n):
    x = np.arange(3.0)
    graph = scalar_graph(tmp_path, x).graphs[-1]
    with pytest.raises(ArgumentMismatch, match="n: "):
        graph.run(graph.frame({"x": x, "n": n}))


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_huge_python_int_argument_runs_as_plain_python(tmp_path, dtype):
    """Needs the dispatcher to treat ArgumentMismatch (a CannotRun) as a failed guard."""
    x = np.arange(3, dtype=dtype)
    f = scalar_graph(tmp_path, x)
    check(f, x, 2**63)  # float64: a float result; int64: NumPy raises OverflowError
    check(f, x, 4)


def test_data_tiling_is_on_for_dynamic_matmuls_and_a_few_large_static_ones():
    from janus_mlir.runtime.targets import (DATA_TILING, MAX_TILED_STATIC, get_target,
                                            module_flags)

    cpu = get_target("llvm-cpu")
    static = "%2 = linalg.matmul ins(%0, %1 : tensor<8x4xf32>, tensor<4x3xf32>) outs(%e : ...)"
    dynamic = "%2 = linalg.matmul ins(%0, %1 : tensor<?x4xf32>, tensor<4x3xf32>) outs(%e : ...)"
    elementwise = "%2 = linalg.generic ins(%0 : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>)"
    assert module_flags(cpu, static) == () and module_flags(cpu, elementwise) == ()
    assert module_flags(cpu, dynamic) == (DATA_TILING,)
    assert module_flags(get_target("cuda"), dynamic) == ()
    # a contraction over the dynamic dim (a weight's gradient): IREE's data tiling fails on some
    contracted = "%3 = linalg.matmul ins(%t, %g : tensor<3x?xf32>, tensor<?x5xf32>) outs(%e : ...)"
    assert module_flags(cpu, dynamic + "\n" + contracted) == ()
    # a forward pass: a few large static matmuls; a training step has more
    large = "%2 = linalg.matmul ins(%0, %1 : tensor<128x784xf32>, tensor<784x512xf32>) outs(%e)"
    batched = ("%2 = linalg.batch_matmul ins(%0, %1 : tensor<64x128x64xf32>, "
               "tensor<64x64x128xf32>) outs(%e : tensor<64x128x128xf32>)")
    assert module_flags(cpu, large) == (DATA_TILING,)
    assert module_flags(cpu, batched) == ()  # measured no faster
    assert module_flags(cpu, "\n".join([large] + [static] * (MAX_TILED_STATIC - 1))) == (
        DATA_TILING,)
    assert module_flags(cpu, "\n".join([large] * (MAX_TILED_STATIC + 1))) == ()
    assert module_flags(cpu, "\n".join([static] * MAX_TILED_STATIC)) == ()  # all small
