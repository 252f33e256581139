"""Configuration: every environment variable janus reads, read here and nowhere else.

JANUS_MLIR_DUMP_DIR      dump every stage (janus IR, lowered IR, iree-compile command line) there
JANUS_MLIR_CACHE_DIR     on-disk compile cache (default ~/.cache/janus_mlir)
JANUS_MLIR_NO_CACHE      set to 1 to bypass the compile cache
JANUS_MLIR_COMPILE_TIMEOUT  seconds iree-compile may run before it is killed (default 300)
JANUS_MLIR_PROFILE_CALLS imperative profiling calls before a graph is built (default 1)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Config:
    dump_dir: Path | None
    cache_dir: Path
    use_cache: bool
    compile_timeout_s: float
    profile_calls: int


def load() -> Config:
    env = os.environ
    dump = env.get("JANUS_MLIR_DUMP_DIR")
    return Config(
        dump_dir=Path(dump) if dump else None,
        cache_dir=Path(env.get("JANUS_MLIR_CACHE_DIR", Path.home() / ".cache" / "janus_mlir")),
        use_cache=env.get("JANUS_MLIR_NO_CACHE", "0") not in ("1", "true", "yes"),
        compile_timeout_s=float(env.get("JANUS_MLIR_COMPILE_TIMEOUT", "300")),
        profile_calls=max(1, int(env.get("JANUS_MLIR_PROFILE_CALLS", "1"))),
    )


def current() -> Config:
    """The configuration as the environment says now (tests change it with monkeypatch)."""
    return load()
