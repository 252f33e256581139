"""Compilation targets: the iree-compile flags and the runtime driver for each.

CPU flags: host CPU tuning is essential (bench/matmul_gflops.py, 128x784 @ 784x512 f32: ~85
GFLOP/s on one thread, ~145-160 best on two, against 20-25 for generic x86-64; NumPy/OpenBLAS
~85 and ~150). Data tiling is chosen per module (`module_flags`): with IREE 3.13 on this AVX-512
host it makes matmuls with a dynamic dim ~25% faster (MLP forward at batch 16 on a `?x784`
graph: 0.39 vs 0.52 ms), leaves static ones within noise (W1 step 2.9 ms, MLP forward
1.0-1.2 ms either way), and costs a third more compile time (W1 step 3.0-3.4 s vs 2.2-2.4 s,
MLP forward 0.80-0.84 s vs 0.59-0.66 s). So it is on where a matmul has a dynamic dim, and for
a few large static matmuls (a forward pass), which it makes ~20% faster on an Intel Xeon host.
Ukernels (all / mmt4d), O3, tile-size changes and aggressive fusion land within +-5% of one
another. For llvm-cpu the driver below is the default only; `LoadedModule` picks local-sync or
local-task per module (`devices.choose_cpu_driver`).

Every target keeps float64 and int64: IREE by default rewrites f64 to f32, changing the
function's signature and results (IREE-NOTES.md), which would break NumPy's dtype semantics.
On Vulkan's portable baseline target f64 transcendentals do not compile, so such programs fail
loudly there (pass `--iree-vulkan-target=...` in `extra_flags` for a capable GPU).

CUDA cross-compiles for sm_80 by default: PTX that newer drivers JIT (sm_90+ targets cannot be
named without a GPU present).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    flags: tuple[str, ...]
    driver: str


CPU_BINDING_ALIGNMENT = 16  # bytes; what CPU kernels may assume of an argument's address
IREE_BINDING_ALIGNMENT = 64  # what they assume without the flag below (IREE's default)
_ALIGNMENT_FLAG = "--iree-stream-resource-min-offset-alignment="


def binding_alignment(flags: tuple[str, ...]) -> int:
    """The address alignment a module compiled with `flags` assumes of its bindings (the last
    alignment flag wins, as in iree-compile): arguments below it must not be imported."""
    value = IREE_BINDING_ALIGNMENT
    for f in flags:
        if f.startswith(_ALIGNMENT_FLAG):
            value = int(f.removeprefix(_ALIGNMENT_FLAG))
    return value

KEEP_WIDE_TYPES = (
    "--iree-input-demote-f64-to-f32=false",
    "--iree-input-demote-i64-to-i32=false",
)

CPU_FLAGS = (
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    # Constant expressions are still hoisted and computed once when the module loads; only
    # their evaluation inside iree-compile (a JIT compile of its own, ~0.25 s of a W1 step's
    # 2.1 s) is skipped.
    "--iree-opt-const-eval=false",
    # Kernels assume 16-byte aligned bindings (IREE's default is 64), so NumPy arrays, whose
    # data is 16-byte aligned and most often 16 or 48 bytes past a 64-byte boundary, are
    # imported without a copy (runtime/invoke.py). Measured on 1000x1000 f32 with the input
    # 16 past a boundary: sum over rows 202 -> 110 us, sum of all 177 -> 122 us, max over
    # rows 191 -> 97 us (NumPy 167, 152, 112).
    f"{_ALIGNMENT_FLAG}{CPU_BINDING_ALIGNMENT}",
    *KEEP_WIDE_TYPES,
)
DATA_TILING = "--iree-opt-data-tiling"
MAX_TILED_STATIC = 3  # static contractions in a module that data tiling is worth compiling for
TILED_MIN_WORK = 1 << 22  # multiply-adds of a contraction worth it (the forward's: 5e7)
_CONTRACTIONS = ("linalg.matmul", "linalg.batch_matmul")
_TENSOR = re.compile(r"tensor<([^>]*)>")  # a tensor type's dims and element type, x-separated

CUDA_FLAGS = ("--iree-hal-target-device=cuda", "--iree-cuda-target=sm_80", *KEEP_WIDE_TYPES)
VULKAN_FLAGS = ("--iree-hal-target-device=vulkan", *KEEP_WIDE_TYPES)

TARGETS: dict[str, Target] = {
    "llvm-cpu": Target("llvm-cpu", CPU_FLAGS, "local-task"),
    "cuda": Target("cuda", CUDA_FLAGS, "cuda"),
    "vulkan-spirv": Target("vulkan-spirv", VULKAN_FLAGS, "vulkan"),
}


def module_flags(target: Target, ir_text: str) -> tuple[str, ...]:
    """Flags that depend on the module: data tiling for CPU modules with a dynamic matmul, and
    for modules of a few large static ones (a forward pass), unless a matmul contracts over a
    dynamic dim (a weight's gradient over a symbolic batch): IREE 3.13's data tiling fails to
    compile some of those ("'affine.delinearize_index' op no basis element may be statically
    non-positive", a (3, ?) @ (?, 5) matmul).

    Static matmuls measured on an Intel Xeon (AVX-512, two threads, device-resident inputs,
    median): the W1 MLP forward 1380-1700 -> 1140-1160 us with data tiling, compile 0.63 ->
    0.85 s; the W1 training step (8 matmuls) 3390 -> 3120 us but compile 1.5 -> 3.0 s, so a
    module with more than MAX_TILED_STATIC of them is not tiled. A static batch matmul (the
    einsum bhqd,bhkd->bhqk of 8x8x128x64) ran the same (1.79-1.82 ms) and compiled 0.49 ->
    0.73 s: only plain matmuls count. On an AMD EPYC host the static forward was within noise
    either way."""
    if target.name != "llvm-cpu":
        return ()
    lines = [line for line in ir_text.splitlines() if any(op in line for op in _CONTRACTIONS)]
    if not lines:
        return ()
    operands = [_TENSOR.findall(line.split(" ins(", 1)[-1]) for line in lines]
    for lhs in (found[0] for found in operands if found):
        if lhs.split("x")[-2:-1] == ["?"]:
            return ()
    if any("?" in line for line in lines):
        return (DATA_TILING,)
    if len(lines) <= MAX_TILED_STATIC and any(
            "linalg.matmul" in line and _work(found) >= TILED_MIN_WORK
            for line, found in zip(lines, operands)):
        return (DATA_TILING,)
    return ()


def _work(operands: list[str]) -> int:
    """Multiply-adds of a static matmul from its operand types (lhs M x K, rhs K x N); 0 when
    they cannot be read."""
    if len(operands) < 2:
        return 0
    try:
        lhs = [int(d) for d in operands[0].split("x")[:-1]]
        n = int(operands[1].split("x")[-2])
    except ValueError:
        return 0
    return math.prod(lhs) * n


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        known = ", ".join(sorted(TARGETS))
        raise ValueError(f"unknown target {name!r}; choose one of {known}") from None


def device_available(name: str) -> bool:
    """Whether the device that runs target (or driver) `name` exists here; never raises."""
    from .devices import device_available as probe

    return probe(name)
