"""Configuration: every environment variable janus reads, read here and nowhere else.

JANUS_MLIR_DUMP_DIR         dump every stage there (janus IR, lowered IR, iree-compile command)
JANUS_MLIR_CACHE_DIR        on-disk compile cache (default ~/.cache/janus_mlir)
JANUS_MLIR_NO_CACHE         set to 1 to bypass the compile cache
JANUS_MLIR_COMPILE_TIMEOUT  seconds iree-compile may run before it is killed (default 300)
JANUS_MLIR_PROFILE_CALLS    imperative profiling calls before a graph is built (default 1)
JANUS_MLIR_MAX_GRAPHS       compilations per function after which calls no graph answers run
                            as plain Python, with a warning (default 16)
JANUS_MLIR_CPU_DRIVER       IREE driver for llvm-cpu modules: auto (default; chosen per module
                            from its estimated work), local-sync (one thread, cheapest calls) or
                            local-task
JANUS_MLIR_ZERO_COPY        set to 0 to copy every NumPy argument into a fresh device buffer on
                            every call (IREE's own behaviour) instead of importing aligned arrays
                            and reusing aligned staging buffers (runtime/invoke.py)
JANUS_MLIR_IN_PLACE         set to 0 to have graphs return the new contents of the caller's arrays
                            they write, copied into the arrays after every call, instead of
                            writing the arrays' own memory (runtime/state.py)
JANUS_MLIR_HOST_BLAS        set to 0 to keep every matmul in IREE's kernels instead of calling
                            NumPy's BLAS for the large ones of a forward pass
                            (passes/host_matmuls.py)
JANUS_MLIR_SPEED_CHECK      set to 0 to let graphs answer every call they match, even where
                            plain Python measured faster (runtime/speed.py)
JANUS_MLIR_TASK_THREADS     worker threads of the local-task driver (default: the CPUs this
                            process may use, after affinity and cgroup quota); read once, before
                            the first device
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CPU_DRIVERS = ("auto", "local-sync", "local-task")


@dataclass(frozen=True)
class Config:
    dump_dir: Path | None
    cache_dir: Path
    use_cache: bool
    compile_timeout_s: float
    profile_calls: int
    cpu_driver: str
    task_threads: int  # 0: decided from the CPUs available
    zero_copy: bool = True
    max_graphs: int = 16
    speed_check: bool = True
    in_place: bool = True
    host_blas: bool = True


def load() -> Config:
    env = os.environ
    dump = env.get("JANUS_MLIR_DUMP_DIR")
    driver = env.get("JANUS_MLIR_CPU_DRIVER", "auto").strip() or "auto"
    if driver not in CPU_DRIVERS:
        choices = ", ".join(CPU_DRIVERS)
        raise ValueError(f"JANUS_MLIR_CPU_DRIVER={driver!r}: choose one of {choices}")
    return Config(
        dump_dir=Path(dump) if dump else None,
        cache_dir=Path(env.get("JANUS_MLIR_CACHE_DIR", Path.home() / ".cache" / "janus_mlir")),
        use_cache=env.get("JANUS_MLIR_NO_CACHE", "0").lower() not in ("1", "true", "yes"),
        compile_timeout_s=_positive_float(env, "JANUS_MLIR_COMPILE_TIMEOUT", 300.0),
        profile_calls=max(1, int(env.get("JANUS_MLIR_PROFILE_CALLS", "1"))),
        cpu_driver=driver,
        task_threads=max(0, int(env.get("JANUS_MLIR_TASK_THREADS", "0"))),
        zero_copy=env.get("JANUS_MLIR_ZERO_COPY", "1").lower() not in ("0", "false", "no"),
        max_graphs=max(1, int(env.get("JANUS_MLIR_MAX_GRAPHS", "16"))),
        speed_check=env.get("JANUS_MLIR_SPEED_CHECK", "1").lower() not in ("0", "false", "no"),
        in_place=env.get("JANUS_MLIR_IN_PLACE", "1").lower() not in ("0", "false", "no"),
        host_blas=env.get("JANUS_MLIR_HOST_BLAS", "1").lower() not in ("0", "false", "no"),
    )


def _positive_float(env: os._Environ[str] | dict[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    value = float(text)
    if value <= 0:
        raise ValueError(f"{name}={text!r} must be a positive number of seconds")
    return value


def current() -> Config:
    """The configuration as the environment says now (tests change it with monkeypatch)."""
    return load()
