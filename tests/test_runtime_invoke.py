"""The fast call path (runtime/invoke.py, runtime/plan.py): arguments passed without a copy,
reused staging buffers, results that must not alias them, and guard closures that answer exactly
what the guards themselves answer.

Modules are built from MLIR text where the point is what IREE hands back (an argument's own
buffer); everything a user sees goes through `jm.compile` and the equivalence oracle.
"""

from __future__ import annotations

import itertools
import os
import threading

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.speculation.assumptions import Guard
from janus_mlir.speculation.sources import AttrOf, Frame, ItemOf, Param
from janus_mlir.runtime import plan, short_path, waiting
from janus_mlir.runtime.compiler import compile_ir
from janus_mlir.runtime.invoke import COPY_OUT_MAX_BYTES, IMPORT_MIN_BYTES
from janus_mlir.runtime.module import LoadedModule
from janus_mlir.runtime.targets import CPU_BINDING_ALIGNMENT, Target, binding_alignment, get_target

from .equivalence import check, load_source

CPU = get_target("llvm-cpu")
N = 1 << 15  # float32 elements: 128 KiB, above IMPORT_MIN_BYTES and COPY_OUT_MAX_BYTES
_counter = itertools.count()


def aligned(n: int, offset: int = 0) -> np.ndarray:
    """A float32 array of n elements whose data starts `offset` bytes past a 64-byte boundary."""
    raw = np.empty(n * 4 + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + offset
    out = raw[start:start + n * 4].view(np.float32)
    out[:] = np.arange(n, dtype=np.float32)
    return out


def module(text: str, driver: str = "local-sync") -> LoadedModule:
    return LoadedModule(compile_ir(text, CPU, name=f"invoke_{next(_counter)}"), driver=driver)


IDENTITY = f"""
func.func @main(%x: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  return %x : tensor<{N}xf32>
}}"""

DOUBLE = f"""
func.func @main(%x: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  %e = tensor.empty() : tensor<{N}xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                        iterator_types = ["parallel"]}}
      ins(%x : tensor<{N}xf32>) outs(%e : tensor<{N}xf32>) {{
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  }} -> tensor<{N}xf32>
  return %r : tensor<{N}xf32>
}}"""


# ---------------------------------------------------------------- how arguments are passed

def test_routes_follow_size_alignment_and_writeability():
    m = module(DOUBLE)
    direct = m._direct
    assert direct is not None
    ro = aligned(N)
    ro.flags.writeable = False
    assert CPU_BINDING_ALIGNMENT == 16 and binding_alignment(CPU.flags) == 16
    for offset in (0, 16, 32, 48):  # where NumPy's own allocations start
        assert direct.route(0, aligned(N, offset)) == "import"
    assert direct.route(0, aligned(N, offset=4)) == "staging"
    assert direct.route(0, aligned(N, offset=8)) == "staging"
    assert direct.route(0, ro) == "staging"  # IREE cannot import read-only memory
    assert direct.route(0, np.ones(IMPORT_MIN_BYTES // 8, np.float32)) == "copy"
    assert direct.route(0, m.to_device(aligned(N))) == "device"


def test_a_module_built_without_the_alignment_flag_imports_only_64_byte_aligned_arrays():
    """IREE's kernels assume 64-byte aligned bindings unless told otherwise; importing a
    16-byte aligned array into such a module crashed the process."""
    flags = tuple(f for f in CPU.flags if "min-offset-alignment" not in f)
    assert binding_alignment(flags) == 64
    m = LoadedModule(compile_ir(DOUBLE, Target("llvm-cpu", flags, "local-task"),
                                name=f"invoke_{next(_counter)}"), driver="local-task")
    assert m._direct.route(0, aligned(N)) == "import"
    for offset in (16, 32, 48):
        x = aligned(N, offset)
        assert m._direct.route(0, x) == "staging"
        np.testing.assert_array_equal(m(x)[0], 2 * x)


def test_zero_copy_switch_makes_every_numpy_argument_a_fresh_copy(monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_ZERO_COPY", "0")
    m = module(DOUBLE)
    assert m._direct.route(0, aligned(N)) == "copy"
    np.testing.assert_array_equal(m(aligned(N))[0], 2 * aligned(N))


@pytest.mark.parametrize("offset", [0, 16, 8])
def test_identity_result_never_aliases_the_argument_or_staging(offset):
    m = module(IDENTITY)
    x = aligned(N, offset)
    first = m(x)[0]
    assert not np.shares_memory(first, x)
    np.testing.assert_array_equal(first, x)
    y = aligned(N, offset) * 3
    second = m(y)[0]
    np.testing.assert_array_equal(second, y)
    np.testing.assert_array_equal(first, np.arange(N, dtype=np.float32))  # not overwritten


@pytest.mark.parametrize("offset", [0, 16, 8])
def test_argument_changed_in_place_is_seen_by_the_next_call(offset):
    m = module(DOUBLE)
    x = aligned(N, offset)
    before = m(x)[0]
    x[:10] = -1.0
    after = m(x)[0]
    np.testing.assert_array_equal(before, 2 * np.arange(N, dtype=np.float32))
    np.testing.assert_array_equal(after, 2 * x)


def test_results_of_earlier_calls_stay_intact():
    m = module(DOUBLE)
    kept = [m(aligned(N, 16) + i)[0] for i in range(20)]
    for i, r in enumerate(kept):
        np.testing.assert_array_equal(r, 2 * (np.arange(N, dtype=np.float32) + i))
        assert r.flags.writeable


def test_concurrent_calls_each_get_their_own_inputs():
    m = module(DOUBLE, driver="local-task")
    errors: list[str] = []

    def worker(k: int) -> None:
        x = aligned(N, 16) + k
        for _ in range(30):
            if not np.array_equal(m(x)[0], 2 * x):
                errors.append(f"thread {k} saw another thread's input")
                return

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_written_arguments_are_copied_not_imported(tmp_path):
    """A module that writes into its argument buffer (IREE-NOTES trap 2) must never be handed
    the caller's memory."""
    text = f"""
func.func @main(%x: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  %c0 = arith.constant 0 : index
  %v = arith.constant 42.0 : f32
  %r = tensor.insert %v into %x[%c0] : tensor<{N}xf32>
  return %r : tensor<{N}xf32>
}}"""
    m = module(text)
    x = aligned(N)
    if m._direct is not None and 0 in m.compiled.facts.written_args.get("main", ()):
        assert m._direct.route(0, x) == "copy"
    r = m(x)[0]
    assert r[0] == 42.0
    assert x[0] == 0.0


def _scatter_into(dest: str) -> str:
    return f"""
func.func @main(%x: tensor<{N}xf32>, %i: tensor<4x1xi64>, %u: tensor<4xf32>) -> tensor<{N}xf32> {{
  %z = arith.constant dense<0.0> : tensor<{N}xf32>
  %b = util.optimization_barrier %x : tensor<{N}xf32>
  %r = iree_linalg_ext.scatter dimension_map = [0] unique_indices(false)
      ins(%u, %i : tensor<4xf32>, tensor<4x1xi64>) outs({dest} : tensor<{N}xf32>) {{
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    iree_linalg_ext.yield %s : f32
  }} -> tensor<{N}xf32>
  return %r : tensor<{N}xf32>
}}"""


def test_gathers_scatters_and_barriers_are_import_safe_unless_they_write_an_argument():
    from janus_mlir.runtime.ir_checks import analyze

    assert analyze(_scatter_into("%z")).import_safe  # into a fresh constant
    assert not analyze(_scatter_into("%x")).import_safe  # into the argument
    assert not analyze(_scatter_into("%b")).import_safe  # into it, through a barrier


def test_module_that_may_write_an_argument_never_gets_the_callers_memory():
    """A generic whose init is the argument itself may be computed in the argument's buffer;
    such a module gets a staging copy even for an aligned array."""
    text = f"""
func.func @main(%x: tensor<{N}xf32>, %y: tensor<{N}xf32>) -> tensor<{N}xf32> {{
  %r = linalg.generic {{indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                        iterator_types = ["parallel"]}}
      ins(%y : tensor<{N}xf32>) outs(%x : tensor<{N}xf32>) {{
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }} -> tensor<{N}xf32>
  return %r : tensor<{N}xf32>
}}"""
    m = module(text)
    assert not m.compiled.facts.import_safe and module(DOUBLE).compiled.facts.import_safe
    x, y = aligned(N), aligned(N)
    assert m._direct.route(0, x) == "staging"
    for _ in range(3):
        np.testing.assert_array_equal(m(x, y)[0], 2 * np.arange(N, dtype=np.float32))
    np.testing.assert_array_equal(x, np.arange(N, dtype=np.float32))


# ---------------------------------------------------------------- results

SCALED = (DOUBLE.replace(f"(%x: tensor<{N}xf32>)", f"(%x: tensor<{N}xf32>, %k: f32)")
          .replace("arith.addf %a, %a", "arith.mulf %a, %k"))  # 2 * x for k = 2


@pytest.mark.parametrize("text, extra", [(DOUBLE, ()), (SCALED, (2.0,))],
                         ids=["direct call", "function invoker"])
def test_a_slice_of_a_result_outlives_the_result(text, extra):
    """A view of a large result keeps the result's device memory alive after the result itself
    is gone (IREE keeps it alive for the returned array only; runtime.invoke.kept)."""
    m = module(text)
    x = aligned(N)
    result = m(x, *extra)[0]
    assert not result.flags.owndata  # the device buffer's mapping, not a copy of it
    part, want = result[100:200], 2 * x[100:200]
    del result
    for k in range(8):  # later calls reuse freed device memory
        m(x + k, *extra)
    np.testing.assert_array_equal(part, want)


def test_a_slice_of_a_compiled_result_outlives_the_result():
    def scale(x):
        return x * 2.0

    f = jm.compile(scale)
    x = np.arange(128 * 192, dtype=np.float32).reshape(128, 192)
    assert x.nbytes > COPY_OUT_MAX_BYTES
    for _ in range(3):
        part = f(x)[2:4]
    assert f.stats.graph_calls >= 2, f.reasons
    for k in range(8):
        f(x + k)
    np.testing.assert_array_equal(part, 2 * x[2:4])


def test_results_up_to_the_copy_limit_are_arrays_of_their_own_and_larger_ones_mappings():
    """A result of at most COPY_OUT_MAX_BYTES (64 KB: cheaper copied than mapped, measured) is
    copied out of the device buffer; a larger one is the mapping itself. A copied identity
    result of an imported argument skips the aliasing check and still does not alias it."""
    assert COPY_OUT_MAX_BYTES == 1 << 16
    for n, copied in ((8192, True), (COPY_OUT_MAX_BYTES // 4, True), (N, False)):
        assert n * 4 >= IMPORT_MIN_BYTES  # the argument is imported, not copied
        for text, factor in ((DOUBLE, 2), (IDENTITY, 1)):
            m = module(text.replace(f"{N}xf32", f"{n}xf32"))
            x = aligned(n)
            result = m(x)[0]
            np.testing.assert_array_equal(result, factor * x)
            # a mapped identity result aliases the argument: the aliasing check copies it
            own = copied or text is IDENTITY
            assert result.flags.owndata is own and (result.base is None) is own
            assert result.flags.writeable and not np.shares_memory(result, x)


def test_small_and_scalar_results_are_writeable_arrays_of_the_declared_dtype():
    text = """
func.func @main(%x: tensor<4xf32>) -> (tensor<4xi1>, tensor<f32>) {
  %e = tensor.empty() : tensor<4xi1>
  %c = arith.constant 1.5 : f32
  %b = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xi1>) {
  ^bb0(%a: f32, %o: i1):
    %p = arith.cmpf ogt, %a, %c : f32
    linalg.yield %p : i1
  } -> tensor<4xi1>
  %s = tensor.extract %x[%c0] : tensor<4xf32>
  %t = tensor.from_elements %s : tensor<f32>
  return %b, %t : tensor<4xi1>, tensor<f32>
}""".replace("%s = tensor.extract %x[%c0]", "%c0 = arith.constant 0 : index\n  "
             "%s = tensor.extract %x[%c0]")
    m = module(text)
    flags, first = m(np.array([1.0, 2.0, 0.0, 3.0], np.float32))
    assert flags.dtype == np.bool_ and flags.tolist() == [False, True, False, True]
    assert first.shape == () and first.dtype == np.float32 and first == 1.0
    flags[0] = True  # results belong to the caller
    assert flags.flags.writeable and first.flags.writeable


def test_compiled_function_with_large_aligned_and_misaligned_inputs(tmp_path):
    f = jm.compile(load_source(tmp_path, "def f(x, y):\n    return x * 2.0 + y, x.sum()\n").f)
    for offset in (0, 16, 0, 48, 4, 8):
        x, y = aligned(N, offset), aligned(N, (16 - offset) % 64)
        check(f, x, y)
    assert f.stats.graph_calls == 5, f.reasons


def _at(a: np.ndarray, offset: int) -> np.ndarray:
    """`a` copied to `offset` bytes past a 64-byte boundary."""
    raw = np.empty(a.nbytes + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + offset
    out = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


KERNELS = """
def kernels(x, w, v):
    h = np.maximum(x @ w, 0.0)
    return h.sum(axis=1), x.max(axis=0), np.argmax(x, axis=1), v[[3, 1, 2]] * 2, h.mean()


def batched(x, w):
    return np.maximum(x @ w, 0.0) + 1.0


def forward(x, w1, b1, w2):
    return np.maximum(x @ w1 + b1, 0.0) @ w2


def forward3(x, w1, b1, w2):
    return np.maximum(np.maximum(x @ w1 + b1, 0.0) @ w2, 0.0) @ w2.T
"""


@pytest.mark.parametrize("offset", [16, 32, 48])
def test_kernels_read_imported_arrays_at_16_byte_offsets(tmp_path, offset):
    """Matmuls (data-tiled with a dynamic batch, plain when static), reductions and gathers on
    arguments imported without a copy at every 16-byte offset NumPy hands out."""
    rng = np.random.default_rng(offset)
    source = load_source(tmp_path, KERNELS)
    f, g = jm.compile(source.kernels), jm.compile(source.batched)
    w = _at(rng.standard_normal((64, 96)).astype(np.float32), offset)
    v = _at(rng.standard_normal((4096,)), offset)
    x = _at(rng.standard_normal((64, 64)).astype(np.float32), offset)
    for _ in range(3):
        check(f, x, w, v)
    for batch in (64, 80, 96, 72):  # static, then a symbolic batch (data tiling)
        check(g, _at(rng.standard_normal((batch, 64)).astype(np.float32), offset), w)
    assert f.stats.graph_calls == 2 and g.stats.graph_calls == 2, (f.reasons, g.reasons)
    assert "iree-opt-data-tiling" in " ".join(g.graphs[-1].executable.compiled.command)
    direct = g.graphs[-1].executable.module._direct  # (f's gather is not import-safe)
    assert direct is not None and direct.route(1, w) == "import"


def _forward_at(tmp_path, offset: int, name: str = "forward"):
    """KERNELS.forward (or `name`) compiled and checked on arrays `offset` bytes past a 64-byte
    boundary (w1: 2**22 multiply-adds); returns it, its executable and the arguments."""
    rng = np.random.default_rng(offset)
    f = jm.compile(getattr(load_source(tmp_path, KERNELS), name))
    args = [_at(rng.standard_normal(shape).astype(np.float32), offset)
            for shape in ((128, 256), (256, 128), (128,), (128, 10))]
    for _ in range(3):
        check(f, *args)
    assert f.stats.graph_calls == 2, f.reasons
    executable = f.graphs[-1].executable
    direct = executable.module._direct
    assert direct is not None and direct.route(1, args[1]) == "import"
    return f, executable, args


@pytest.mark.parametrize("offset", [16, 32, 48])
def test_data_tiled_static_matmuls_read_imported_arrays_at_16_byte_offsets(tmp_path, offset,
                                                                          monkeypatch):
    """A forward pass of a few large static matmuls is data-tiled (runtime/targets.py) when
    IREE computes them; its weights are imported without a copy at every 16-byte offset NumPy
    hands out."""
    monkeypatch.setenv("JANUS_MLIR_HOST_BLAS", "0")
    _, executable, _ = _forward_at(tmp_path, offset)
    assert "iree-opt-data-tiling" in " ".join(executable.compiled.command)
    assert not executable.compiled.facts.host_calls


@pytest.mark.parametrize("offset", [16, 32, 48])
def test_host_blas_matmuls_read_imported_arrays_at_16_byte_offsets(tmp_path, offset):
    """The matmuls of a three-layer forward pass call NumPy's BLAS (passes/host_matmuls.py) on
    the imported weights' own memory, at every 16-byte offset NumPy hands out; the module runs
    on local-sync, and the product is NumPy's to the bit."""
    f, executable, (x, w1, b1, w2) = _forward_at(tmp_path, offset, "forward3")
    assert executable.compiled.facts.host_calls and executable.module.driver == "local-sync"
    assert "@janus_host.matmul_f32" in executable.lowered_ir
    np.testing.assert_array_equal(f(x, w1, b1, w2), f.fn(x, w1, b1, w2))


def test_returning_an_argument_runs_nothing_and_returns_it(tmp_path):
    f = jm.compile(load_source(tmp_path, "def f(a0):\n    return a0\n").f)
    x = np.ones(4, np.float32)
    check(f, x)
    check(f, x)
    assert f(x) is x
    assert f.stats.graph_calls == 2 and f.graphs[0]._skip


# ---------------------------------------------------------------- how the caller waits

def _batch_allowed() -> bool:
    """Whether this kernel lets a thread switch to SCHED_BATCH (a throwaway thread tries)."""
    if not hasattr(os, "SCHED_BATCH"):
        return False
    allowed = []

    def probe():
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
            allowed.append(True)
        except OSError:
            allowed.append(False)

    t = threading.Thread(target=probe)
    t.start()
    t.join()
    return allowed[0]


needs_batch = pytest.mark.skipif(not _batch_allowed(),
                                 reason="no SCHED_BATCH here (not Linux, or the switch is refused)")


class _PolicySpy:
    """Stands in for what a module calls into IREE through (a VM context's `invoke` or a bound
    function) and records the calling thread's scheduling policy while IREE runs."""

    def __init__(self, target, method=None):
        self.target, self.method, self.seen = target, method, []

    def _record(self):
        self.seen.append(os.sched_getscheduler(0))

    def invoke(self, *args):
        self._record()
        return self.target.invoke(*args)

    def __call__(self, *args):
        self._record()
        return self.target(*args)


def _spied(m: LoadedModule) -> _PolicySpy:
    if m._direct is not None:
        spy = m._direct._context = _PolicySpy(m._direct._context)
    else:
        spy = m._fn = _PolicySpy(m._fn)
    return spy


@needs_batch
@pytest.mark.parametrize("text,args", [(DOUBLE, lambda: [aligned(N)]),
                                       (SCALED, lambda: [aligned(N), 3.0])])
@pytest.mark.parametrize("driver", ["local-sync", "local-task"])
def test_local_task_calls_wait_under_sched_batch_and_give_the_policy_back(text, args, driver):
    """A local-task call's caller waits under SCHED_BATCH, which does not preempt the worker
    that wakes it (runtime/waiting.py), on the fast path and through IREE's FunctionInvoker;
    local-sync runs the kernels on the caller, whose policy stays as it is."""
    m = LoadedModule(compile_ir(text, CPU, name=f"invoke_{next(_counter)}"), driver=driver)
    assert (m._direct is not None) == (text is DOUBLE)
    spy = _spied(m)
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
    first = m(*args())[0]
    m(*args())
    assert spy.seen == [os.SCHED_BATCH if driver == "local-task" else os.SCHED_OTHER] * 2
    assert os.sched_getscheduler(0) == os.SCHED_OTHER
    np.testing.assert_array_equal(first, (2 if text is DOUBLE else 3) * aligned(N))


@needs_batch
def test_a_thread_under_another_policy_keeps_it():
    m = LoadedModule(compile_ir(DOUBLE, CPU, name=f"invoke_{next(_counter)}"),
                     driver="local-task")
    spy = _spied(m)
    policies = []

    def run():
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        np.testing.assert_array_equal(m(aligned(N))[0], 2 * aligned(N))
        policies.append(os.sched_getscheduler(0))

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert policies == [os.SCHED_BATCH] and spy.seen == [os.SCHED_BATCH]


@needs_batch
def test_a_refused_policy_switch_leaves_calls_waiting_as_iree_waits(monkeypatch):
    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(waiting, "_usable", True)
    monkeypatch.setattr(waiting.os, "sched_setscheduler", refuse)
    m = LoadedModule(compile_ir(DOUBLE, CPU, name=f"invoke_{next(_counter)}"),
                     driver="local-task")
    spy = _spied(m)
    for _ in range(2):
        np.testing.assert_array_equal(m(aligned(N))[0], 2 * aligned(N))
    assert spy.seen == [os.SCHED_OTHER] * 2 and waiting._usable is False


# ---------------------------------------------------------------- guard closures

class Box:
    def __init__(self, **kw):
        self.__dict__.update(kw)


GUARD_CASES = [
    Guard(Param("x"), "array", ((3,), np.dtype(np.float32), True)),
    Guard(Param("x"), "array", ((3,), np.dtype(np.float64), True)),
    Guard(Param("x"), "array", ((3,), np.dtype(np.float32), False)),
    Guard(Param("n"), "type", int),
    Guard(Param("n"), "value", 3),
    Guard(Param("n"), "value", 3.0),
    Guard(Param("b"), "identity", None),
    Guard(AttrOf(Param("b"), "w"), "len", 2),
    Guard(AttrOf(Param("b"), "missing"), "type", int),
    Guard(ItemOf(Param("d"), "k"), "value", 1),
    Guard(ItemOf(Param("d"), "absent"), "value", 1),
    Guard(Param("d"), "keys", ("k", "j")),
    Guard(Param("d"), "has", ("k", True)),
    Guard(Param("n"), "len", 1),  # len() of an int: the guard does not hold
    Guard(Param("x"), "same", (Param("y"), True)),
    Guard(Param("x"), "same", (Param("y"), False)),
]


@pytest.mark.parametrize("guard", GUARD_CASES, ids=str)
def test_guard_closures_answer_what_the_guards_answer(guard):
    x = np.zeros(3, np.float32)
    frames = [
        {"x": x, "y": x, "n": 3, "b": Box(w=[1, 2]), "d": {"k": 1, "j": 2}},
        {"x": x.astype(np.float64), "y": x, "n": 3.0, "b": None, "d": {"j": 2, "k": 1}},
        {"x": np.zeros(6, np.float32)[::2], "y": x.copy(), "n": True, "b": Box(w=[1]),
         "d": {"k": 2}},
    ]
    closure = plan.guard_check(guard)
    for params in frames:
        frame = Frame(params, {})
        try:
            want = guard.check(frame)
        except TypeError:
            want = False
        assert closure(frame) == want, params
        assert plan.all_hold([guard])(frame) == want
        assert plan.first_failing([guard])(frame) is (None if want else guard)


def test_all_hold_stops_at_the_first_failing_guard_in_order():
    seen = []

    class Probe:
        @property
        def a(self):
            seen.append("a")
            return 1

    guards = [Guard(Param("n"), "value", 1), Guard(AttrOf(Param("p"), "a"), "value", 1)]
    assert not plan.all_hold(guards)(Frame({"n": 2, "p": Probe()}, {}))
    assert seen == []
    assert plan.all_hold(guards)(Frame({"n": 1, "p": Probe()}, {}))
    assert seen == ["a"]


POSITIONAL = ("x", "y", "n", "b", "d")


@pytest.mark.parametrize("guard", GUARD_CASES, ids=str)
def test_positional_closures_answer_what_the_guards_answer(guard):
    """The short path's guards read a call's positional arguments where all_hold reads its
    Frame (parameters, and their attributes and items): the same answer for every guard."""
    holds = plan.all_hold_over([guard], plan.positional_getter(POSITIONAL, {}), len(POSITIONAL))
    x = np.zeros(3, np.float32)
    calls = [
        (x, x, 3, Box(w=[1, 2]), {"k": 1, "j": 2}),
        (x.astype(np.float64), x, 3.0, None, {"j": 2, "k": 1}),
        (np.zeros(6, np.float32)[::2], x.copy(), True, Box(w=[1]), {"k": 2}),
    ]
    for args in calls:
        want = guard.check(Frame(dict(zip(POSITIONAL, args)), {}))
        assert holds(args) is want, args
        assert holds(args[:-1]) is False  # a call that does not give every argument


def _counted(graph):
    """Count the calls that reach `graph`'s short path (the dispatcher reads `graph.fast`)."""
    seen = []
    fast = graph.fast

    def counting(args):
        result = fast(args)
        seen.append(result is not short_path.MISSED)
        return result
    graph.fast = counting
    return seen


def test_cache_hits_with_positional_array_arguments_take_the_short_path(tmp_path):
    f = jm.compile(load_source(tmp_path, "def f(a, b, c=2.0):\n"
                                         "    return a * c + b, a - b\n").f)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    check(f, a, b, 2.0)
    check(f, a, b, 2.0)
    seen = _counted(f.graphs[0])
    for _ in range(3):
        check(f, a, b, 2.0)
    assert seen == [True] * 3  # each an answer (check calls the compiled function once)
    check(f, a, b=b, c=2.0)  # by keyword: the general path
    assert seen == [True] * 3
    check(f, a, b)  # the default left out: a miss here, the general path answers
    check(f, a[:2], b[:2], 2.0)  # another shape: a miss, then plain Python (a profile)
    check(f, a, b, 3.0)  # another value of a speculated constant: a miss, then a fallback
    assert seen[3:] == [False] * 3
    assert f.stats.graph_calls == 6 and f.stats.fallbacks == 1, (f.stats, f.reasons)


def test_an_in_graph_guard_failing_on_the_short_path_is_handled_by_the_general_path(tmp_path):
    f = jm.compile(load_source(tmp_path, "def f(a):\n"
                                         "    if a.sum() > 0:\n"
                                         "        return a * 2.0\n"
                                         "    return a - 1.0\n").f)
    a = np.ones(8, np.float32)
    for _ in range(3):
        check(f, a)
    graph = f.graphs[0]
    seen = _counted(graph)
    check(f, a)
    check(f, -a)  # the speculated branch goes the other way: the plain call answers
    assert seen == [True, False]
    assert f.stats.fallbacks == 1 and graph not in f.graphs, f.reasons


MODEL = """
SCALE = 2.0


class Model:
    def __init__(self, w):
        self.w = w
        self.calls = 0


def f(m, x):
    m.w -= 0.5 * x
    m.calls += 1
    print(m.w.sum())
    return m.w * SCALE
"""


def test_the_short_path_reads_attributes_and_globals_and_commits_effects(tmp_path):
    mod = load_source(tmp_path, MODEL)
    f = jm.compile(mod.f)
    m, x = mod.Model(np.arange(6.0).reshape(2, 3)), np.ones((2, 3))
    for _ in range(3):
        check(f, m, x)
    graph = f.graphs[0]
    assert graph.tied, "the update is written in place"
    seen = _counted(graph)
    for _ in range(3):
        check(f, m, x)
    assert seen == [True] * 3
    m.w = np.ones((3, 2))  # an attribute of another shape: a miss, the general path answers
    check(f, m, x.T.copy())
    mod.SCALE = 3.0  # a global the graph speculated on
    check(f, mod.Model(np.zeros((2, 3))), x)
    assert seen[3:] == [False, False]
    assert f.stats.fallbacks == 1, f.reasons


@pytest.mark.parametrize("source", [
    "def f(x):\n    return x + np.random.standard_normal(x.shape)\n",  # a random draw
    "def f(x, *rest):\n    return x + 1.0\n",  # a signature other than positional-or-keyword
])
def test_graphs_that_draw_or_take_varargs_have_no_short_path(tmp_path, source):
    f = jm.compile(load_source(tmp_path, source).f)
    x = np.ones(4)
    for _ in range(3):
        check(f, x)
    assert f.stats.graph_calls == 2, f.reasons
    assert f.graphs[0].fast is None
