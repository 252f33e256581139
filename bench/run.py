"""`make bench`: compiled vs eager NumPy on the issue's workloads, printed as ratios from one run.

Workloads: the W1 MLP forward (batch 128) and a chain of 20 small elementwise ops on (64, 256).
Each is timed as the median of 15 repetitions after warm-up; compile time (profile + convert +
iree-compile, on a cold compile cache) is reported separately.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench.workloads import elementwise_chain, mlp_forward, mlp_params, timings  # noqa: E402


def measure(name: str, fn, args, number: int) -> dict:
    compiled = jm.compile(fn)
    t = time.perf_counter()
    compiled(*args)
    first_call = time.perf_counter() - t
    want, got = fn(*args), compiled(*args)
    assert np.allclose(got, want, rtol=1e-4, atol=1e-5), f"{name}: compiled result differs"
    eager, eager_best = timings(fn, *args, number=number)
    jit, jit_best = timings(compiled, *args, number=number)
    assert compiled.stats.compilations == 1 and compiled.stats.fallbacks == 0
    return {"name": name, "eager_ms": eager * 1e3, "jit_ms": jit * 1e3, "speedup": eager / jit,
            "best_speedup": eager_best / jit_best,
            "first_s": first_call, "iree_s": compiled.graphs[0].compile_seconds}


def main() -> None:
    os.environ.setdefault("JANUS_MLIR_CACHE_DIR", tempfile.mkdtemp(prefix="janus-bench-"))
    rng = np.random.default_rng(0)
    x = rng.random((128, 784), dtype=np.float32)
    rows = [
        measure("W1 MLP forward (b=128)", mlp_forward, [x, *mlp_params(rng)], number=20),
        measure("20-op elementwise chain (64x256)", elementwise_chain,
                [rng.standard_normal((64, 256), dtype=np.float32),
                 rng.standard_normal((64, 256), dtype=np.float32)], number=200),
    ]
    print("median of 15 repetitions; 'best' compares the fastest repetition of each")
    print(f"{'workload':36} {'eager ms':>10} {'janus ms':>10} {'speed-up':>9} {'best':>7} "
          f"{'1st call s':>11} {'iree-compile s':>15}")
    for r in rows:
        print(f"{r['name']:36} {r['eager_ms']:10.3f} {r['jit_ms']:10.3f} {r['speedup']:8.2f}x "
              f"{r['best_speedup']:6.2f}x {r['first_s']:11.2f} {r['iree_s']:15.2f}")
    matmul = Path(__file__).with_name("matmul_gflops.py")
    if matmul.exists():
        print()
        import runpy

        runpy.run_path(str(matmul), run_name="__main__")


if __name__ == "__main__":
    main()
