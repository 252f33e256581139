"""Demo: an ordinary NumPy MLP forward pass, compiled by janus_mlir.

Run `make demo`. The first call runs as plain Python while janus profiles it, converts the
function to the janus dialect, lowers it to linalg and compiles it with IREE; later calls run the
compiled graph. Prints eager vs compiled time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench.workloads import mlp_forward, mlp_params, timeit  # noqa: E402


def main() -> None:
    rng = np.random.default_rng(0)
    params = mlp_params(rng)
    x = rng.random((128, 784), dtype=np.float32)
    forward = jm.compile(mlp_forward)

    t = time.perf_counter()
    forward(x, *params)  # profile + convert + compile
    first = time.perf_counter() - t
    got, want = forward(x, *params), mlp_forward(x, *params)
    assert np.allclose(got, want, rtol=1e-4, atol=1e-5), "compiled result differs from NumPy"

    graph = forward.graphs[0]
    print("janus IR of the compiled graph:")
    print(graph.ir("janus"))
    for line in graph.signature + graph.assumptions:
        print("  guard:", line)
    eager = timeit(mlp_forward, x, *params)
    compiled = timeit(forward, x, *params)
    print("MLP 784-512-512-10 forward, batch 128, float32")
    print(f"  first call (profile + compile): {first:8.3f} s   "
          f"(iree-compile {graph.compile_seconds:.2f} s)")
    print(f"  eager NumPy:                    {eager * 1e3:8.3f} ms")
    print(f"  janus_mlir compiled:            {compiled * 1e3:8.3f} ms")
    print(f"  speed-up:                       {eager / compiled:8.2f}x")
    print(f"  stats: {forward.stats}")


if __name__ == "__main__":
    main()
