"""Compiling lowered IR to an IREE VM flatbuffer: iree-compile as a subprocess with a timeout,
behind an on-disk cache keyed by IR, flags and IREE version."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from iree.compiler import version as iree_version
from iree.compiler.tools.binaries import find_tool

from .. import config
from .targets import Target


class CompileError(RuntimeError):
    """iree-compile rejected the module, crashed, or ran past its timeout."""


@dataclass(frozen=True)
class CompiledModule:
    vmfb: bytes
    target: Target
    seconds: float  # time spent in iree-compile (0 on a cache hit)
    cached: bool
    command: tuple[str, ...]


def cache_key(ir_text: str, flags: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for part in (iree_version.VERSION, "\0".join(flags), ir_text):
        h.update(part.encode())
        h.update(b"\0\0")
    return h.hexdigest()


def compile_ir(ir_text: str, target: Target, extra_flags: tuple[str, ...] = (),
               name: str = "module") -> CompiledModule:
    """Compile `ir_text` for `target`, from the cache when the same IR and flags were built."""
    cfg = config.current()
    flags = (*target.flags, *extra_flags)
    key = cache_key(ir_text, flags)
    cached_path = cfg.cache_dir / f"{key}.vmfb"
    if cfg.use_cache and cached_path.exists():
        return CompiledModule(cached_path.read_bytes(), target, 0.0, True,
                              (find_tool("iree-compile"), *flags))
    with tempfile.TemporaryDirectory(prefix="janus-compile-") as tmp:
        src, out = Path(tmp) / f"{name}.mlir", Path(tmp) / f"{name}.vmfb"
        src.write_text(ir_text)
        cmd = (find_tool("iree-compile"), str(src), "-o", str(out), *flags)
        _dump_command(cfg.dump_dir, name, cmd)
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=cfg.compile_timeout_s)
        except subprocess.TimeoutExpired:
            raise CompileError(f"iree-compile ran past {cfg.compile_timeout_s:.0f} s and was "
                               f"stopped (set JANUS_MLIR_COMPILE_TIMEOUT to allow longer)") from None
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise CompileError(f"iree-compile failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        vmfb = out.read_bytes()
    if cfg.use_cache:
        _atomic_write(cached_path, vmfb)
    return CompiledModule(vmfb, target, seconds, False, cmd)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _dump_command(dump_dir: Path | None, name: str, cmd: tuple[str, ...]) -> None:
    if dump_dir is None:
        return
    dump_dir.mkdir(parents=True, exist_ok=True)
    (dump_dir / f"{name}.iree-compile.sh").write_text(" ".join(cmd) + "\n")
