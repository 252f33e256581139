"""The runtime layer: configuration, compile cache and dump switch, argument/result conversion,
driver choice, guard-failure decoding.

Modules are tiny and batched (several functions per module) so that the whole file costs a few
iree-compile runs on a cold cache and none on a warm one.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import iree.runtime as rt
import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir import config
from janus_mlir.speculation.guard_messages import encode_guard_message
from janus_mlir.runtime import devices
from janus_mlir.runtime.compiler import CompileError, cache_key, compile_ir
from janus_mlir.runtime.ir_checks import CONTRACTION_FLOPS_PER_S, analyze
from janus_mlir.runtime.module import (
    GuardFailure,
    LoadedModule,
    decode_guard,
    parse_declaration,
)
from janus_mlir.runtime.targets import get_target

CPU = get_target("llvm-cpu")
ID1 = "affine_map<(d0) -> (d0)>"
ID0 = "affine_map<() -> ()>"

SMALL = f"""
func.func @add(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {{
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {{indexing_maps = [{ID1}, {ID1}, {ID1}], iterator_types = ["parallel"]}}
      ins(%a, %b : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {{
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }} -> tensor<4xf32>
  return %r : tensor<4xf32>
}}
"""


def mlir_string(text: str) -> str:
    """`text` as an MLIR string literal (quotes, backslashes and non-ASCII escaped as \\XX)."""
    out = []
    for ch in text:
        if ch.isascii() and ch.isprintable() and ch not in '"\\':
            out.append(ch)
        else:
            out.extend(f"\\{b:02X}" for b in ch.encode())
    return '"' + "".join(out) + '"'


# ---------------------------------------------------------------- configuration

def test_config_defaults_and_overrides(monkeypatch, tmp_path):
    for var in ("JANUS_MLIR_DUMP_DIR", "JANUS_MLIR_CACHE_DIR", "JANUS_MLIR_NO_CACHE",
                "JANUS_MLIR_COMPILE_TIMEOUT", "JANUS_MLIR_CPU_DRIVER", "JANUS_MLIR_TASK_THREADS"):
        monkeypatch.delenv(var, raising=False)
    cfg = config.current()
    assert cfg.dump_dir is None and cfg.use_cache and cfg.compile_timeout_s == 300
    assert cfg.cache_dir == Path.home() / ".cache" / "janus_mlir"
    assert cfg.cpu_driver == "auto" and cfg.task_threads == 0
    monkeypatch.setenv("JANUS_MLIR_DUMP_DIR", str(tmp_path))
    monkeypatch.setenv("JANUS_MLIR_NO_CACHE", "1")
    monkeypatch.setenv("JANUS_MLIR_COMPILE_TIMEOUT", "2.5")
    monkeypatch.setenv("JANUS_MLIR_CPU_DRIVER", "local-sync")
    cfg = config.current()
    assert cfg.dump_dir == tmp_path and not cfg.use_cache and cfg.compile_timeout_s == 2.5
    assert cfg.cpu_driver == "local-sync"
    monkeypatch.setenv("JANUS_MLIR_CPU_DRIVER", "gpu-please")
    with pytest.raises(ValueError, match="JANUS_MLIR_CPU_DRIVER"):
        config.current()
    monkeypatch.setenv("JANUS_MLIR_CPU_DRIVER", "auto")
    monkeypatch.setenv("JANUS_MLIR_COMPILE_TIMEOUT", "0")
    with pytest.raises(ValueError, match="positive"):
        config.current()


# ---------------------------------------------------------------- compile cache

@pytest.fixture
def cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("JANUS_MLIR_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("JANUS_MLIR_NO_CACHE", raising=False)
    monkeypatch.delenv("JANUS_MLIR_DUMP_DIR", raising=False)
    return tmp_path


def test_cache_miss_then_hit(cache_dir):
    first = compile_ir(SMALL, CPU)
    assert not first.cached and first.seconds > 0
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".json", ".vmfb"]
    second = compile_ir(SMALL, CPU)
    assert second.cached and second.seconds == 0 and second.vmfb == first.vmfb
    assert second.key == first.key and second.facts == first.facts
    other = compile_ir(SMALL, CPU, extra_flags=("--iree-opt-level=O1",))
    assert not other.cached and other.key != first.key
    np.testing.assert_array_equal(LoadedModule(second, "add")(np.ones(4, np.float32),
                                                              np.ones(4, np.float32))[0], 2)


def test_cache_key_covers_ir_flags_version_and_host_cpu(monkeypatch):
    k = cache_key("ir", ("--a",))
    assert k == cache_key("ir", ("--a",))
    assert k != cache_key("ir2", ("--a",)) and k != cache_key("ir", ("--b",))
    host = ("--iree-llvmcpu-target-cpu=host",)
    before = cache_key("ir", host)
    from janus_mlir.runtime import compiler

    monkeypatch.setattr(compiler, "host_cpu_identity", lambda: "another cpu")
    assert cache_key("ir", host) != before
    assert cache_key("ir", ("--a",)) == k  # no host tuning: the CPU does not matter
    monkeypatch.setattr(compiler.iree_version, "VERSION", "99.0")
    assert cache_key("ir", ("--a",)) != k


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "missing"])
def test_corrupt_cached_vmfb_is_recompiled(cache_dir, damage):
    good = compile_ir(SMALL, CPU)
    vmfb_path = cache_dir / f"{good.key}.vmfb"
    if damage == "garbage":
        vmfb_path.write_bytes(b"not a flatbuffer at all")
    elif damage == "truncated":
        vmfb_path.write_bytes(good.vmfb[: len(good.vmfb) // 2])
    elif damage == "flipped":
        vmfb_path.write_bytes(good.vmfb[:-8] + b"\0" * 8)
    else:
        vmfb_path.unlink()
    again = compile_ir(SMALL, CPU)
    assert not again.cached
    assert vmfb_path.read_bytes() == again.vmfb  # repaired
    hit = compile_ir(SMALL, CPU)
    assert hit.cached
    np.testing.assert_array_equal(LoadedModule(hit, "add")(np.ones(4, np.float32),
                                                           np.ones(4, np.float32))[0], 2)


@pytest.mark.parametrize("damage", ["{not json", '{"facts": 3}', None])
def test_damaged_cache_sidecar_is_a_miss(cache_dir, damage):
    good = compile_ir(SMALL, CPU)
    meta = cache_dir / f"{good.key}.json"
    if damage is None:
        meta.unlink()
    else:
        meta.write_text(damage)
    again = compile_ir(SMALL, CPU)
    assert not again.cached and again.facts == good.facts
    assert json.loads(meta.read_text())["facts"]["parsed"] is True
    assert compile_ir(SMALL, CPU).cached


def test_no_cache_switch(cache_dir, monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_NO_CACHE", "1")
    assert not compile_ir(SMALL, CPU).cached
    assert not compile_ir(SMALL, CPU).cached
    assert not list(cache_dir.iterdir())


def test_unwritable_cache_warns_and_still_compiles(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("JANUS_MLIR_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("JANUS_MLIR_NO_CACHE", raising=False)
    with pytest.warns(RuntimeWarning, match="not writable"):
        compiled = compile_ir(SMALL, CPU)
    assert not compiled.cached
    np.testing.assert_array_equal(LoadedModule(compiled, "add")(np.ones(4, np.float32),
                                                                np.ones(4, np.float32))[0], 2)


def test_compile_error_carries_diagnostics(cache_dir):
    bad = SMALL.replace("arith.addf %x, %y : f32", "arith.addi %x, %y : f32")
    with pytest.raises(CompileError, match="iree-compile failed"):
        compile_ir(bad, CPU)


def test_short_timeout_stops_a_normal_compile(cache_dir):
    with pytest.raises(CompileError, match="timeout of 0.001 s"):
        compile_ir(SMALL, CPU, timeout_s=0.001)


# ---------------------------------------------------------------- dump switch

def test_dump_dir_holds_the_ir_and_a_command_that_reruns(monkeypatch, tmp_path):
    dump = tmp_path / "dump"
    monkeypatch.setenv("JANUS_MLIR_DUMP_DIR", str(dump))
    monkeypatch.setenv("JANUS_MLIR_CACHE_DIR", str(tmp_path / "cache"))
    compiled = compile_ir(SMALL, CPU, name="my step")
    (ir_file,) = dump.glob("*.mlir")
    (sh_file,) = dump.glob("*.iree-compile.sh")
    assert ir_file.name.startswith("my_step.") and ir_file.read_text() == SMALL
    cmd = shlex.split(sh_file.read_text())
    assert cmd[1] == str(ir_file) and tuple(cmd[4:]) == CPU.flags
    assert (dump / Path(cmd[3]).name).read_bytes() == compiled.vmfb  # the file really compiled
    rerun = tmp_path / "by-hand.vmfb"
    cmd[3] = str(rerun)
    subprocess.run(cmd, check=True, capture_output=True)
    assert rerun.read_bytes() == compiled.vmfb  # iree-compile is deterministic
    # A cache hit still dumps what would be compiled.
    for f in dump.iterdir():
        f.unlink()
    assert compile_ir(SMALL, CPU, name="my step").cached
    assert (dump / ir_file.name).read_text() == SMALL and (dump / sh_file.name).exists()


# ---------------------------------------------------------------- calling convention

CALLS = f"""
func.func @rank0(%a: tensor<f32>, %b: tensor<i64>, %c: tensor<i1>) -> (tensor<f32>, tensor<i64>, tensor<i1>) {{
  %ef = tensor.empty() : tensor<f32>
  %f = linalg.generic {{indexing_maps = [{ID0}, {ID0}], iterator_types = []}}
      ins(%a : tensor<f32>) outs(%ef : tensor<f32>) {{
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  }} -> tensor<f32>
  %ei = tensor.empty() : tensor<i64>
  %i = linalg.generic {{indexing_maps = [{ID0}, {ID0}], iterator_types = []}}
      ins(%b : tensor<i64>) outs(%ei : tensor<i64>) {{
  ^bb0(%x: i64, %o: i64):
    %y = arith.addi %x, %x : i64
    linalg.yield %y : i64
  }} -> tensor<i64>
  %eb = tensor.empty() : tensor<i1>
  %t = arith.constant true
  %n = linalg.generic {{indexing_maps = [{ID0}, {ID0}], iterator_types = []}}
      ins(%c : tensor<i1>) outs(%eb : tensor<i1>) {{
  ^bb0(%x: i1, %o: i1):
    %y = arith.xori %x, %t : i1
    linalg.yield %y : i1
  }} -> tensor<i1>
  return %f, %i, %n : tensor<f32>, tensor<i64>, tensor<i1>
}}
func.func @logical_not(%a: tensor<5xi1>) -> tensor<5xi1> {{
  %e = tensor.empty() : tensor<5xi1>
  %t = arith.constant true
  %r = linalg.generic {{indexing_maps = [{ID1}, {ID1}], iterator_types = ["parallel"]}}
      ins(%a : tensor<5xi1>) outs(%e : tensor<5xi1>) {{
  ^bb0(%x: i1, %o: i1):
    %y = arith.xori %x, %t : i1
    linalg.yield %y : i1
  }} -> tensor<5xi1>
  return %r : tensor<5xi1>
}}
func.func @scalars(%a: i64, %b: f32, %c: i1) -> (i64, f32, i1) {{
  return %a, %b, %c : i64, f32, i1
}}
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {{
  %e = tensor.empty() : tensor<3x2xf32>
  %r = linalg.transpose ins(%a : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %r : tensor<3x2xf32>
}}
func.func @dynamic(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {{
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%n) : tensor<?x3xf32>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                        iterator_types = ["parallel", "parallel"]}}
      ins(%a : tensor<?x3xf32>) outs(%e : tensor<?x3xf32>) {{
  ^bb0(%x: f32, %o: f32):
    %y = arith.negf %x : f32
    linalg.yield %y : f32
  }} -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}}
func.func @nothing(%a: tensor<3xf32>) {{
  return
}}
"""


@pytest.fixture(scope="module")
def calls():
    return compile_ir(CALLS, CPU)


def check(result: np.ndarray, expect, dtype, shape=None) -> None:
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.dtype(dtype), (result.dtype, dtype)
    assert result.shape == (np.shape(expect) if shape is None else shape)
    np.testing.assert_array_equal(result, expect)


@pytest.mark.parametrize("driver", ["local-sync", "local-task"])
def test_rank0_tensors_in_and_out(calls, driver):
    mod = LoadedModule(calls, "rank0", driver=driver)
    for args in [(np.array(1.5, np.float32), np.array(3), np.array(True)),
                 (np.float32(1.5), np.int64(3), np.bool_(True)),
                 (1.5, 3, True)]:  # Python scalars take the declared dtype
        f, i, b = mod(*args)
        check(f, 3.0, np.float32)
        check(i, 6, np.int64)
        check(b, False, np.bool_)


def test_bool_arrays_cross_as_i1(calls):
    mod = LoadedModule(calls, "logical_not")
    x = np.array([True, False, True, True, False])
    check(mod(x)[0], ~x, np.bool_)
    check(mod(x.astype(np.int8))[0], ~x, np.bool_)  # i1 is stored as i8: int8 0/1 is accepted


def test_scalar_arguments_take_numpy_scalars_and_bools(calls):
    mod = LoadedModule(calls, "scalars")
    for args in [(7, 2.5, 1), (np.int64(7), np.float32(2.5), np.bool_(True)),
                 (np.array(7), np.array(2.5), True), (7, 2, True)]:
        a, b, c = mod(*args)
        check(a, 7, np.int64)
        check(b, 2.5 if args[1] != 2 else 2.0, np.float32)
        check(c, True, np.bool_)


def test_non_contiguous_and_byte_swapped_inputs(calls):
    mod = LoadedModule(calls, "transpose")
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    view = base[:2, :3]  # not contiguous
    check(mod(view)[0], view.T, np.float32)
    swapped = view.astype(">f4")
    check(mod(swapped)[0], view.T, np.float32)
    fortran = np.asfortranarray(view)
    check(mod(fortran)[0], view.T, np.float32)


def test_dynamic_dims_and_no_results(calls):
    mod = LoadedModule(calls, "dynamic")
    for n in (0, 1, 5):
        x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
        check(mod(x)[0], -x, np.float32)
    assert LoadedModule(calls, "nothing")(np.zeros(3, np.float32)) == []


def test_argument_errors_name_the_argument(calls):
    mod = LoadedModule(calls, "transpose")
    with pytest.raises(TypeError, match=r"argument 0 of @transpose: expected float32 array "
                                        r"of shape \(2, 3\), got float64 array"):
        mod(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"got shape \(3, 2\)"):
        mod(np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="takes 1 arguments, got 2"):
        mod(np.zeros((2, 3), np.float32), 1)
    with pytest.raises(TypeError, match="got float"):
        LoadedModule(calls, "rank0")(1.5, 2.5, True)  # a float into an i64 tensor
    with pytest.raises(KeyError, match="no function @missing"):
        LoadedModule(calls, "missing")


def test_device_arrays_stay_on_device(calls):
    mod = LoadedModule(calls, "transpose")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (dev,) = mod.call_device(mod.to_device(x))
    assert isinstance(dev, rt.DeviceArray)
    check(dev.to_host(), x.T, np.float32)
    back = LoadedModule(calls, "transpose", driver=mod.driver)
    check(mod(mod.to_device(x))[0], x.T, np.float32)
    assert back.device is mod.device  # one device per driver for the process
    (scalar_out, _, _) = LoadedModule(calls, "scalars").call_device(1, 2.0, 0)
    check(scalar_out, 1, np.int64)


def test_parse_declaration():
    args, results = parse_declaration(
        "sync func @f(%input0: tensor<2x?xf32>, %input1: i64, %input2: tensor<i1>) "
        "-> (%output0: tensor<f64>, %output1: tensor<3xbf16>)")
    assert [(a.tensor, a.dtype, a.shape) for a in args] == [
        (True, np.float32, (2, None)), (False, np.int64, None), (True, np.bool_, ())]
    assert results[0].dtype == np.float64 and results[1].dtype is None
    assert parse_declaration("sync func @g() -> ()") == ([], [])


# ---------------------------------------------------------------- drivers and threads

MATMUL = """
func.func @main(%a: tensor<128x784xf32>, %b: tensor<784x512xf32>) -> tensor<128x512xf32> {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %f = linalg.fill ins(%cst : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %r = linalg.matmul ins(%a, %b : tensor<128x784xf32>, tensor<784x512xf32>)
                     outs(%f : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %r : tensor<128x512xf32>
}
"""


def test_work_estimate():
    facts = analyze(MATMUL)
    flop = 2 * 128 * 784 * 512
    assert facts.seconds == pytest.approx(flop / CONTRACTION_FLOPS_PER_S, rel=0.05)
    assert analyze(SMALL).seconds < 1e-6
    looped = """
func.func @main(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %r = scf.for %i = %c0 to %c10 step %c1 iter_args(%t = %a) -> (tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %u = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]} ins(%t : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%x: f32, %o: f32):
      %y = arith.addf %x, %x : f32
      linalg.yield %y : f32
    } -> tensor<4xf32>
    scf.yield %u : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
"""
    one = analyze(looped.replace("%c10 = arith.constant 10", "%c10 = arith.constant 1"))
    assert analyze(looped).seconds == pytest.approx(10 * one.seconds)
    assert not analyze("func.func @broken(").parsed


def test_driver_choice(monkeypatch):
    monkeypatch.delenv("JANUS_MLIR_CPU_DRIVER", raising=False)
    monkeypatch.setattr(devices, "task_threads", lambda: 2)
    assert devices.choose_cpu_driver(1e-6) == "local-sync"
    assert devices.choose_cpu_driver(analyze(MATMUL).seconds) == "local-task"
    assert devices.choose_cpu_driver(None) == "local-task"
    monkeypatch.setattr(devices, "task_threads", lambda: 1)
    assert devices.choose_cpu_driver(1.0) == "local-sync"
    monkeypatch.setenv("JANUS_MLIR_CPU_DRIVER", "local-task")
    assert devices.choose_cpu_driver(1e-9) == "local-task"


def test_loaded_module_picks_driver_from_work(monkeypatch, calls):
    monkeypatch.delenv("JANUS_MLIR_CPU_DRIVER", raising=False)
    monkeypatch.setattr(devices, "task_threads", lambda: 2)
    assert LoadedModule(calls, "transpose").driver == "local-sync"
    big = compile_ir(MATMUL, CPU)
    mod = LoadedModule(big)
    assert mod.driver == "local-task"
    a = np.random.default_rng(0).standard_normal((128, 784), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((784, 512), dtype=np.float32)
    sync = LoadedModule(big, driver="local-sync")(a, b)[0]
    np.testing.assert_allclose(mod(a, b)[0], a @ b, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(sync, a @ b, rtol=1e-4, atol=1e-3)


def test_task_threads_bounded_by_usable_cpus(monkeypatch):
    assert 1 <= devices.usable_cpus() <= (os.cpu_count() or 1)
    devices.runtime_config("local-task")  # flags are fixed from here on
    threads = devices.task_threads()
    assert 1 <= threads
    if config.current().task_threads == 0:
        assert threads == devices.usable_cpus()
    monkeypatch.setenv("JANUS_MLIR_TASK_THREADS", "7")
    assert devices.task_threads() == threads  # too late to change: the driver exists


# ---------------------------------------------------------------- guard failures

GUARDS = [
    {"id": 7, "kind": "shape", "where": "model.py:12", "message": "x.shape == (3,)"},
    {"id": 8, "kind": "value", "where": "train.py:40",
     "message": 'odd text }; "quoted" \\ é; janus.guard{ ' + "z" * 300},
]


def guard_module() -> str:
    asserts = "\n".join(
        f"  %p{i} = tensor.extract %g{i}[] : tensor<i1>\n"
        f"  cf.assert %p{i}, {mlir_string(encode_guard_message(g))}"
        for i, g in enumerate(GUARDS))
    return f"""
func.func @main(%g0: tensor<i1>, %g1: tensor<i1>, %x: tensor<3xf32>) -> tensor<3xf32> {{
{asserts}
  return %x : tensor<3xf32>
}}
func.func @plain(%g: tensor<i1>) {{
  %p = tensor.extract %g[] : tensor<i1>
  cf.assert %p, "an ordinary assertion"
  return
}}
"""


@pytest.fixture(scope="module")
def guards():
    return compile_ir(guard_module(), CPU)


@pytest.mark.parametrize("driver", ["local-sync", "local-task"])
def test_guard_failure_is_decoded(guards, driver):
    mod = LoadedModule(guards, driver=driver)
    x = np.arange(3, dtype=np.float32)
    check(mod(True, True, x)[0], x, np.float32)
    for flags, guard in [((False, True), GUARDS[0]), ((True, False), GUARDS[1])]:
        with pytest.raises(GuardFailure) as info:
            mod(*flags, x)
        failed = info.value.guard
        assert (failed.id, failed.kind, failed.where, failed.message) == tuple(guard.values())
        assert str(info.value).startswith(f"{guard['where']}: {guard['kind']} assumption failed")
    with pytest.raises(RuntimeError, match="an ordinary assertion") as info:
        LoadedModule(guards, "plain", driver=driver)(False)
    assert not isinstance(info.value, GuardFailure)


def rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_thousands_of_guard_failures_leave_the_context_usable(guards):
    mod = LoadedModule(guards, driver="local-sync")
    x = mod.to_device(np.arange(3, dtype=np.float32))
    yes, no = mod.to_device(np.array(True)), mod.to_device(np.array(False))

    def fail(n: int) -> None:
        for _ in range(n):
            try:
                mod(no, yes, x)
            except GuardFailure:
                continue
            raise AssertionError("the guard should have failed")

    fail(300)  # warm up allocator pools
    before = rss_bytes()
    fail(2000)
    grown = rss_bytes() - before
    check(mod(yes, yes, x)[0], np.arange(3, dtype=np.float32), np.float32)
    assert grown < 8 * 2**20, f"RSS grew {grown / 2**20:.1f} MiB over 2000 failures"


def test_decode_guard_round_trip():
    for g in GUARDS:
        text = f"Error invoking function: <vm>:0: FAILED_PRECONDITION; {encode_guard_message(g)}; "
        failed = decode_guard(text)
        assert failed is not None and failed.message == g["message"]
    assert decode_guard("FAILED_PRECONDITION; something else; ") is None
    assert decode_guard("janus.guard{broken json; ") is None
    assert decode_guard('janus.guard{"id": 1}; ') is None  # fields missing


def _shaped(x):
    return np.cumsum(x) * 2.0  # (cumsum takes no symbolic dims: one graph per shape)


def test_past_the_graph_cap_calls_run_as_plain_python_with_a_warning(monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_MAX_GRAPHS", "2")
    f = jm.compile(_shaped)
    with pytest.warns(RuntimeWarning, match="compiled 2 times"):
        for n in (1, 2, 3, 4, 1, 2, 3):
            np.testing.assert_array_equal(f(np.ones(n, np.float32)), np.arange(1, n + 1) * 2.0)
    assert f.stats.compilations == 2
    assert f.stats.graph_calls == 2  # shapes 1 and 2 hit their graphs; 3 and 4 run plain
    assert "the cap" in f.explanation()
