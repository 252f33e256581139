"""Matmul and MLP-forward throughput of IREE-compiled code under different iree-compile flags.

    PYTHONPATH=. .venv/bin/python bench/matmul_gflops.py [--calls N] [--threads 1,2] [--only NAMES]

What it measures (one table per worker thread count, every number from the same run):
- `matmul`: 128x784 @ 784x512 float32 as janus lowers numpy.matmul (linalg.fill + linalg.matmul,
  built from janus ops by janus_mlir.passes.lower_to_iree_input), compiled with each flag set
  below, called on local-task with DeviceArray inputs (no copy) and with NumPy inputs (IREE
  copies them every call), and on local-sync (always one thread). NumPy/OpenBLAS on the same
  arrays with the same number of threads is the reference.
- `mlp`: relu(relu(x@W1+b1)@W2+b2)@W3+b3 with x 128x784, W1 784x512, W2 512x512, W3 512x10, as one
  module (same lowering), against the same expression in NumPy.

The worker thread count of local-task is fixed when IREE first creates the driver, so each
thread count runs in its own process (JANUS_MLIR_TASK_THREADS, OPENBLAS_NUM_THREADS). Shared
2-core machines are noisy: single calls of all configurations are interleaved round-robin and the
table shows the best call and the median call; compare rows of one run only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

M, K, N = 128, 784, 512
MLP_SHAPES = [(128, 784), (784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]
MATMUL_FLOP = 2 * M * K * N
MLP_FLOP = 2 * 128 * (784 * 512 + 512 * 512 + 512 * 10)

BASE = (
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-input-demote-f64-to-f32=false",
    "--iree-input-demote-i64-to-i32=false",
)
HOST = "--iree-llvmcpu-target-cpu=host"
DT = "--iree-opt-data-tiling"
FLAG_SETS: dict[str, tuple[str, ...]] = {
    "generic-x86": (*BASE,),
    "host": (*BASE, HOST),
    "host+dt": (*BASE, HOST, DT),
    "host+dt+uk=all": (*BASE, HOST, DT, "--iree-llvmcpu-enable-ukernels=all"),
    "host+dt+uk=mmt4d": (*BASE, HOST, DT, "--iree-llvmcpu-enable-ukernels=mmt4d"),
    "host+dt+O3": (*BASE, HOST, DT, "--iree-opt-level=O3"),
    "host+dt+inner-tiled": (*BASE, HOST, DT, "--iree-llvmcpu-enable-inner-tiled"),
    "host+dt+tile64k": (*BASE, HOST, DT, "--iree-llvmcpu-matmul-tile-bytes=65536"),
    "host+dt+tile1M": (*BASE, HOST, DT, "--iree-llvmcpu-matmul-tile-bytes=1048576"),
    "host+dt+aggr-fusion": (*BASE, HOST, DT, "--iree-dispatch-creation-enable-aggressive-fusion"),
}


def janus_ir(kind: str) -> str:
    """The lowered module for `kind`, produced by janus's own lowering of janus ops."""
    from iree.compiler import ir

    from janus_mlir.dialects.context import make_context
    from janus_mlir.passes.pipeline import lower_to_iree_input

    def t(shape: tuple[int, ...]) -> str:
        return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"

    if kind == "matmul":
        src = f"""func.func @main(%a: {t((M, K))}, %b: {t((K, N))}) -> {t((M, N))} {{
  %0 = "janus.matmul"(%a, %b) : ({t((M, K))}, {t((K, N))}) -> {t((M, N))}
  return %0 : {t((M, N))}
}}"""
    else:
        h, o = (128, 512), (128, 10)
        args = ", ".join(f"%a{i}: {t(s)}" for i, s in enumerate(MLP_SHAPES))
        src = f"""func.func @main({args}) -> {t(o)} {{
  %z = "janus.constant"() {{value = dense<0.0> : tensor<f32>}} : () -> tensor<f32>
  %0 = "janus.matmul"(%a0, %a1) : ({t(MLP_SHAPES[0])}, {t(MLP_SHAPES[1])}) -> {t(h)}
  %1 = "janus.add"(%0, %a2) : ({t(h)}, {t((512,))}) -> {t(h)}
  %2 = "janus.maximum"(%1, %z) : ({t(h)}, tensor<f32>) -> {t(h)}
  %3 = "janus.matmul"(%2, %a3) : ({t(h)}, {t(MLP_SHAPES[3])}) -> {t(h)}
  %4 = "janus.add"(%3, %a4) : ({t(h)}, {t((512,))}) -> {t(h)}
  %5 = "janus.maximum"(%4, %z) : ({t(h)}, tensor<f32>) -> {t(h)}
  %6 = "janus.matmul"(%5, %a5) : ({t(h)}, {t(MLP_SHAPES[5])}) -> {t(o)}
  %7 = "janus.add"(%6, %a6) : ({t(o)}, {t((10,))}) -> {t(o)}
  return %7 : {t(o)}
}}"""
    with make_context() as ctx, ir.Location.unknown(ctx):
        module = ir.Module.parse(src)
        lower_to_iree_input(module)
        return str(module)


# ---------------------------------------------------------------- worker (one thread count)

def interleaved(cases: dict[str, Callable[[], object]],
                calls: int) -> dict[str, tuple[float, float]]:
    """(best, median) seconds per call of each case, calls interleaved round-robin.

    Alternating single calls (rather than timing blocks of one case) spreads the bursts of a
    shared machine evenly over all cases, which makes A/B comparisons of close flag sets fair.
    """
    for fn in cases.values():
        for _ in range(3):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    clock = time.perf_counter
    for _ in range(calls):
        for name, fn in cases.items():
            start = clock()
            fn()
            samples[name].append(clock() - start)
    return {n: (min(s), statistics.median(s)) for n, s in samples.items()}


def worker(threads: int, calls: int, only: list[str]) -> None:
    import numpy as np

    from janus_mlir.runtime import devices
    from janus_mlir.runtime.compiler import CompileError, compile_ir
    from janus_mlir.runtime.module import LoadedModule
    from janus_mlir.runtime.targets import Target

    assert devices.task_threads() == threads, (devices.task_threads(), threads)
    rng = np.random.default_rng(0)
    for kind, flop in (("matmul", MATMUL_FLOP), ("mlp", MLP_FLOP)):
        shapes = [(M, K), (K, N)] if kind == "matmul" else MLP_SHAPES
        args = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
        text = janus_ir(kind)
        if kind == "matmul":
            def ref(a=args):
                return a[0] @ a[1]
        else:
            def ref(a=args):
                h = np.maximum(a[0] @ a[1] + a[2], 0)
                h = np.maximum(h @ a[3] + a[4], 0)
                return h @ a[5] + a[6]
        expect = ref()
        cases: dict[str, Callable[[], object]] = {"numpy": ref}
        compile_s = {}
        for name, flags in FLAG_SETS.items():
            if only and name not in only:
                continue
            try:
                compiled = compile_ir(text, Target("llvm-cpu", flags, "local-task"), name=name)
            except CompileError as e:
                error = next((ln.split("error:", 1)[1] for ln in str(e).splitlines()
                              if "error:" in ln), str(e)[:200])
                print(json.dumps({"threads": threads, "kind": kind, "case": name,
                                  "error": error.strip()}), flush=True)
                continue
            compile_s[name] = compiled.seconds
            for driver in ("local-task", "local-sync"):
                mod = LoadedModule(compiled, driver=driver)
                got = mod(*args)[0]
                np.testing.assert_allclose(got, expect, rtol=2e-3, atol=2e-3)
                dev_args = [mod.to_device(a) for a in args]
                tag = "task" if driver == "local-task" else "sync"
                fn = mod._fn
                cases[f"{name}|{tag}|device"] = lambda f=fn, a=dev_args: f(*a).to_host()
                if driver == "local-task":
                    cases[f"{name}|{tag}|numpy"] = lambda m=mod, a=args: m(*a)
        for name, (best, median) in interleaved(cases, calls).items():
            print(json.dumps({"threads": threads, "kind": kind, "case": name, "best_s": best,
                              "median_s": median, "gflops": flop / best / 1e9,
                              "gflops_median": flop / median / 1e9,
                              "compile_s": compile_s.get(name.split("|")[0])}), flush=True)


# ---------------------------------------------------------------- driver + table

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma-separated worker thread counts")
    ap.add_argument("--calls", type=int, default=200, help="timed calls per case (interleaved)")
    ap.add_argument("--only", default="", help="comma-separated flag-set names (default: all)")
    ap.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    opts = ap.parse_args()
    only = [s for s in opts.only.split(",") if s]
    if opts.worker:
        worker(opts.worker, opts.calls, only)
        return
    rows = []
    for threads in [int(t) for t in opts.threads.split(",")]:
        env = dict(os.environ, JANUS_MLIR_TASK_THREADS=str(threads),
                   OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
                   JANUS_MLIR_CPU_DRIVER="auto", PYTHONPATH=str(ROOT))
        cmd = [sys.executable, __file__, "--worker", str(threads), "--calls", str(opts.calls),
               "--only", opts.only]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if out.returncode:
            sys.exit(f"worker ({threads} threads) failed:\n{out.stderr[-3000:]}")
        rows += [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    print_table(rows)


def print_table(rows: list[dict]) -> None:
    for kind in ("matmul", "mlp"):
        shape = (f"{M}x{K} @ {K}x{N} f32, {MATMUL_FLOP / 1e6:.0f} MFLOP" if kind == "matmul"
                 else f"MLP 128x784-512-512-10 f32, {MLP_FLOP / 1e6:.0f} MFLOP")
        print(f"\n== {kind}: {shape}; GFLOP/s best [median]; x = time / NumPy's time")
        for threads in sorted({r["threads"] for r in rows}):
            sel = [r for r in rows if r["kind"] == kind and r["threads"] == threads]
            if not sel:
                continue
            numpy = next(r for r in sel if r["case"] == "numpy")
            print(f"-- {threads} thread(s): NumPy/OpenBLAS {numpy['gflops']:6.1f} "
                  f"[{numpy['gflops_median']:6.1f}] GFLOP/s, {numpy['best_s'] * 1e6:7.0f} us")
            print(f"   {'flags':22} {'compile':>8}  {'task+device':>22} {'task+numpy':>22} "
                  f"{'sync+device':>22}")
            by_flags: dict[str, dict[str, dict]] = {}
            for r in sel:
                if "error" in r:
                    by_flags[r["case"]] = {"error": r}
                elif r["case"] != "numpy":
                    flags, drv, inp = r["case"].split("|")
                    by_flags.setdefault(flags, {})[f"{drv}+{inp}"] = r
            for flags, cells in by_flags.items():
                if "error" in cells:
                    print(f"   {flags:22} compile failed: {cells['error']['error'][:70]}")
                    continue
                comp = next(iter(cells.values()))["compile_s"]
                line = f"   {flags:22} {comp:7.1f}s " if comp else f"   {flags:22} {'cached':>8} "
                for col in ("task+device", "task+numpy", "sync+device"):
                    r = cells.get(col)
                    ratio = r['best_s'] / numpy['best_s']
                    line += (f" {r['gflops']:6.1f} [{r['gflops_median']:6.1f}] x{ratio:4.2f}"
                             if r else f" {'-':>22}")
                print(line)


if __name__ == "__main__":
    main()
