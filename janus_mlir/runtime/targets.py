"""Compilation targets: the iree-compile flags and the runtime driver for each.

CPU flags follow the measurements in IREE-NOTES.md: host CPU tuning and data tiling (matmul
45 -> 130 GFLOP/s on two threads, and half the compile time of matmul-heavy graphs).
CUDA cross-compiles for sm_80 by default: PTX that newer drivers JIT (sm_90+ targets cannot be
named without a GPU present).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    flags: tuple[str, ...]
    driver: str


CPU_FLAGS = (
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    "--iree-opt-data-tiling",
    # NumPy computes in float64/int64 by default; IREE would silently narrow them.
    "--iree-input-demote-f64-to-f32=false",
    "--iree-input-demote-i64-to-i32=false",
)

TARGETS: dict[str, Target] = {
    "llvm-cpu": Target("llvm-cpu", CPU_FLAGS, "local-task"),
    "cuda": Target("cuda", ("--iree-hal-target-device=cuda", "--iree-cuda-target=sm_80"), "cuda"),
    "vulkan-spirv": Target("vulkan-spirv", ("--iree-hal-target-device=vulkan",), "vulkan"),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        known = ", ".join(sorted(TARGETS))
        raise ValueError(f"unknown target {name!r}; choose one of {known}") from None
