"""GPU targets: cross-compilation works on a CPU-only machine; running needs a device.

The compile tests always run (IREE-NOTES.md: `cuda` with sm_80 and `vulkan-spirv` compile without
a GPU; sm_90+ does not). The run tests carry `@pytest.mark.gpu` and skip cleanly when
`device_available` finds no CUDA or Vulkan device here.
"""

from __future__ import annotations

import numpy as np
import pytest

from janus_mlir.runtime.compiler import CompileError, compile_ir
from janus_mlir.runtime.module import LoadedModule
from janus_mlir.runtime.targets import KEEP_WIDE_TYPES, Target, device_available, get_target

GPU_TARGETS = ["cuda", "vulkan-spirv"]


def dense_tanh(dtype: str) -> str:
    """tanh(a @ b + c) on 64x32 @ 32x16: a matmul dispatch and a fused elementwise one."""
    return f"""
func.func @main(%a: tensor<64x32x{dtype}>, %b: tensor<32x16x{dtype}>, %c: tensor<16x{dtype}>)
    -> tensor<64x16x{dtype}> {{
  %zero = arith.constant 0.0 : {dtype}
  %e = tensor.empty() : tensor<64x16x{dtype}>
  %f = linalg.fill ins(%zero : {dtype}) outs(%e : tensor<64x16x{dtype}>) -> tensor<64x16x{dtype}>
  %m = linalg.matmul ins(%a, %b : tensor<64x32x{dtype}>, tensor<32x16x{dtype}>)
                     outs(%f : tensor<64x16x{dtype}>) -> tensor<64x16x{dtype}>
  %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                        affine_map<(d0, d1) -> (d1)>,
                                        affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%m, %c : tensor<64x16x{dtype}>, tensor<16x{dtype}>) outs(%e : tensor<64x16x{dtype}>) {{
  ^bb0(%x: {dtype}, %y: {dtype}, %o: {dtype}):
    %s = arith.addf %x, %y : {dtype}
    %t = math.tanh %s : {dtype}
    linalg.yield %t : {dtype}
  }} -> tensor<64x16x{dtype}>
  return %r : tensor<64x16x{dtype}>
}}
"""


def dense_inputs(dtype) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(dtype) for s in [(64, 32), (32, 16), (16,)]]


def dense_reference(a, b, c) -> np.ndarray:
    return np.tanh(a @ b + c)


# ---------------------------------------------------------------- compile without a GPU

@pytest.mark.parametrize("name", GPU_TARGETS)
def test_gpu_target_compiles_on_this_machine(name):
    target = get_target(name)
    assert set(KEEP_WIDE_TYPES) <= set(target.flags)
    compiled = compile_ir(dense_tanh("f32"), target, name=f"gpu-{name}")
    assert compiled.target is target and len(compiled.vmfb) > 1000
    assert compiled.facts.parsed and not compiled.facts.problems


def test_cuda_defaults_to_sm80_and_sm90_needs_a_gpu():
    assert "--iree-cuda-target=sm_80" in get_target("cuda").flags
    flags = tuple(f for f in get_target("cuda").flags if not f.startswith("--iree-cuda-target"))
    sm90 = Target("cuda", (*flags, "--iree-cuda-target=sm_90"), "cuda")
    with pytest.raises(CompileError, match="missing GPU target"):
        compile_ir(dense_tanh("f32"), sm90, name="gpu-cuda-sm90")


def test_f64_on_gpu_targets():
    # CUDA keeps f64; Vulkan's portable baseline has no f64 transcendentals and says so
    # (rather than demoting to f32 behind the caller's back).
    compile_ir(dense_tanh("f64"), get_target("cuda"), name="gpu-cuda-f64")
    with pytest.raises(CompileError, match=r"error: .*f64"):
        compile_ir(dense_tanh("f64"), get_target("vulkan-spirv"), name="gpu-vulkan-f64")


@pytest.mark.parametrize("name", [*GPU_TARGETS, "llvm-cpu", "local-sync", "no-such-driver"])
def test_device_available_answers_without_raising(name):
    answer = device_available(name)
    assert isinstance(answer, bool)
    assert device_available(name) == answer  # cached and stable
    if name in ("llvm-cpu", "local-sync"):
        assert answer
    if name == "no-such-driver":
        assert not answer


# ---------------------------------------------------------------- run on a GPU, when one exists

def require_device(name: str) -> None:
    if not device_available(name):
        pytest.skip(f"no {name} device here")


@pytest.mark.gpu
@pytest.mark.parametrize("name", GPU_TARGETS)
def test_gpu_runs_matmul_and_elementwise(name):
    require_device(name)
    mod = LoadedModule(compile_ir(dense_tanh("f32"), get_target(name), name=f"gpu-{name}"))
    assert mod.driver == get_target(name).driver
    args = dense_inputs(np.float32)
    (out,) = mod(*args)
    assert out.dtype == np.float32 and out.shape == (64, 16)
    np.testing.assert_allclose(out, dense_reference(*args), rtol=1e-4, atol=1e-5)
    dev_args = [mod.to_device(a) for a in args]
    (again,) = mod.call_device(*dev_args)
    np.testing.assert_allclose(again.to_host(), out, rtol=1e-6, atol=1e-7)


@pytest.mark.gpu
def test_cuda_runs_f64():
    require_device("cuda")
    mod = LoadedModule(compile_ir(dense_tanh("f64"), get_target("cuda"), name="gpu-cuda-f64"))
    args = dense_inputs(np.float64)
    (out,) = mod(*args)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, dense_reference(*args), rtol=1e-12, atol=1e-12)
