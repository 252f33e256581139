"""Compiling lowered IR to an IREE VM flatbuffer.

iree-compile runs as a subprocess in its own process group with a timeout (it hangs forever on
recursion, IREE-NOTES.md), behind an on-disk cache. Before compiling, `ir_checks.analyze` looks
for the constructs IREE 3.13 hangs on or silently miscompiles and refuses them with a
CompileError that says why.

Cache layout (`JANUS_MLIR_CACHE_DIR`): `<key>.vmfb` plus `<key>.json` holding the vmfb's SHA-256
and the IR facts. The key hashes the IREE version, the flags, the IR and, when a flag says
`target-cpu=host`, the host CPU's identity. An entry whose sidecar is missing or unreadable, or
whose vmfb does not match the recorded hash (truncated, overwritten), is a miss and is rewritten.

Narrow fusion (NARROW_DISPATCH_FLAGS): IREE's runtime refuses a dispatch with more than 32 buffer
bindings or 64 push constants, but iree-compile does not respect that limit: its elementwise
fusion stops at 32 operands, and the multi-use producer fusion after it then merges those
pieces again (a sum of 40 arrays becomes one 41-binding dispatch). Turning that second fusion
off keeps every dispatch within the limit in the programs measured (sums, products, `np.where`,
reductions and matmuls over 64 arrays). It is applied only to modules that hit the limit
(`runtime.graph` recompiles them), so other modules keep IREE's default fusion and their cache
entries.

Dump switch (`JANUS_MLIR_DUMP_DIR`): every compile_ir call writes `<stem>.mlir` (the IR exactly
as compiled) and `<stem>.iree-compile.sh` (the command line, reading that file); on a cache miss
the compiler really runs from the dumped file and writes `<stem>.vmfb` next to it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import shlex
import signal
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from iree.compiler import version as iree_version
from iree.compiler.tools.binaries import find_tool

from .. import config
from .ir_checks import FACTS_VERSION, IRFacts, analyze
from .targets import Target


NARROW_DISPATCH_FLAGS = ("--iree-dispatch-creation-fuse-multi-use=false",)


class CompileError(RuntimeError):
    """iree-compile rejected the module, crashed, or ran past its timeout; or the IR holds a
    construct IREE mishandles (see ir_checks)."""


@dataclass(frozen=True)
class CompiledModule:
    vmfb: bytes
    target: Target
    seconds: float  # time spent in iree-compile (0 on a cache hit)
    cached: bool
    command: tuple[str, ...]
    key: str = ""
    facts: IRFacts = field(default_factory=IRFacts)


def cache_key(ir_text: str, flags: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    # The cached IR facts (work estimate, trap checks) change when their analysis does.
    parts = [iree_version.VERSION, FACTS_VERSION, "\0".join(flags), ir_text]
    if any(f.endswith("target-cpu=host") for f in flags):
        parts.append(host_cpu_identity())
    for part in parts:
        h.update(part.encode())
        h.update(b"\0\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def host_cpu_identity() -> str:
    """CPU model and feature flags: a vmfb built for `host` must not be reused on another CPU."""
    try:
        text = Path("/proc/cpuinfo").read_text()
        fields = {}
        for line in text.split("\n\n", 1)[0].splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        return " | ".join(fields.get(k, "") for k in ("vendor_id", "model name", "flags"))
    except OSError:
        return f"{platform.machine()} {platform.processor()}"


def compile_ir(ir_text: str, target: Target, extra_flags: tuple[str, ...] = (),
               name: str = "module", *, check: bool = True,
               timeout_s: float | None = None) -> CompiledModule:
    """Compile `ir_text` for `target`, from the cache when the same IR and flags were built.

    check: refuse IR that IREE hangs on or miscompiles (call cycles, rank >= 2 scalar inserts).
    timeout_s: overrides JANUS_MLIR_COMPILE_TIMEOUT for this call.
    """
    cfg = config.current()
    timeout = cfg.compile_timeout_s if timeout_s is None else timeout_s
    flags = (*target.flags, *extra_flags)
    key = cache_key(ir_text, flags)
    tool = find_tool("iree-compile")
    stem = f"{_safe(name)}.{key[:12]}"
    src_path = cfg.dump_dir / f"{stem}.mlir" if cfg.dump_dir else None
    if cfg.dump_dir is not None:
        _dump(cfg.dump_dir, stem, ir_text,
              (tool, str(src_path), "-o", str(cfg.dump_dir / f"{stem}.vmfb"), *flags))
    hit = _cache_read(cfg.cache_dir, key) if cfg.use_cache else None
    facts = hit[1] if hit is not None else analyze(ir_text)
    if check and facts.problems:  # also on a hit: `check=False` builds are cached too
        raise CompileError("refusing to hand this module to iree-compile:\n  "
                           + "\n  ".join(facts.problems))
    if hit is not None:
        return CompiledModule(hit[0], target, 0.0, True, (tool, "<cached>", *flags), key, facts)
    with tempfile.TemporaryDirectory(prefix="janus-compile-") as tmp:
        if src_path is None:
            src = Path(tmp) / f"{stem}.mlir"
            src.write_text(ir_text)
            out = Path(tmp) / f"{stem}.vmfb"
        else:
            src, out = src_path, cfg.dump_dir / f"{stem}.vmfb"
        cmd = (tool, str(src), "-o", str(out), *flags)
        start = time.perf_counter()
        returncode, stderr = _run(cmd, timeout)
        seconds = time.perf_counter() - start
        if returncode != 0:
            raise CompileError(f"iree-compile failed ({returncode}):\n{_summarize(stderr)}")
        vmfb = out.read_bytes()
    if cfg.use_cache:
        _cache_write(cfg.cache_dir, key, vmfb, facts)
    return CompiledModule(vmfb, target, seconds, False, cmd, key, facts)


def _run(cmd: tuple[str, ...], timeout: float) -> tuple[int, str]:
    """Run iree-compile; on timeout (or interruption) kill its whole process group and reap it."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
        return proc.returncode, stderr
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise CompileError(f"iree-compile ran past its timeout of {timeout:g} s and was stopped "
                           f"(set JANUS_MLIR_COMPILE_TIMEOUT to allow longer)") from None
    finally:
        if proc.poll() is None:  # interrupted (KeyboardInterrupt, ...): leave nothing behind
            _kill(proc)


def _summarize(stderr: str, limit: int = 4000) -> str:
    """The diagnostics' `error:` lines first (IREE follows them with pages of IR), then the tail."""
    errors = [line[:500] for line in stderr.splitlines() if "error:" in line][:20]
    if not errors or len(stderr) <= limit:
        return stderr[-limit:]
    return "\n".join(errors) + f"\n--- last {limit // 2} characters of the output ---\n" + (
        stderr[-limit // 2:])


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


# ---------------------------------------------------------------- cache

def _cache_read(cache_dir: Path, key: str) -> tuple[bytes, IRFacts] | None:
    """(vmfb, facts) of a sound cache entry; None for a miss or anything damaged."""
    try:
        meta = json.loads((cache_dir / f"{key}.json").read_text())
        vmfb = (cache_dir / f"{key}.vmfb").read_bytes()
        if meta["vmfb_sha256"] != hashlib.sha256(vmfb).hexdigest():
            return None
        return vmfb, IRFacts.from_json(meta["facts"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _cache_write(cache_dir: Path, key: str, vmfb: bytes, facts: IRFacts) -> None:
    meta = {"vmfb_sha256": hashlib.sha256(vmfb).hexdigest(), "iree": iree_version.VERSION,
            "facts": facts.to_json()}
    try:
        _atomic_write(cache_dir / f"{key}.vmfb", vmfb)
        _atomic_write(cache_dir / f"{key}.json", json.dumps(meta).encode())
    except OSError as e:
        warnings.warn(f"janus_mlir: compile cache {cache_dir} is not writable ({e}); "
                      "modules will be recompiled", RuntimeWarning, stacklevel=3)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- dump

def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "module"


def _dump(dump_dir: Path, stem: str, ir_text: str, cmd: tuple[str, ...]) -> None:
    dump_dir.mkdir(parents=True, exist_ok=True)
    (dump_dir / f"{stem}.mlir").write_text(ir_text)
    (dump_dir / f"{stem}.iree-compile.sh").write_text(shlex.join(cmd) + "\n")
