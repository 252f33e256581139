"""The speculation table of `make bench`: how many compilations dynamic programs cost, and what a
call costs compiled vs plain NumPy.

(a) an RNN over Python lists of 41 different lengths (W3's sizes: batch 32, 128 inputs, hidden
256, lengths 10..50); (b) one function called with 100 different Python float values; (c) W4's
TreeRNN over 200 random trees (hidden 128, 5..25 leaves); (d) an MLP forward over
batch sizes 1..128; (e) a `while` loop whose trip count changes on every call. Each workload
runs its calls once through a fresh `jm.compile` (compilations, graph calls and plain calls
counted over those calls), then, for (a) and (c), the same inputs are timed compiled and plain,
interleaved (median and best of `reps` passes over all inputs; microseconds per call): as
janus_mlir runs them (its speed check may send calls to plain Python where the graphs measured
slower) and with every call answered by a graph.

    PYTHONPATH=. .venv/bin/python bench/speculation.py [--reps N]
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import janus_mlir as jm  # noqa: E402
from bench import workloads as w  # noqa: E402


def _calls(rng: np.random.Generator) -> dict[str, tuple[Callable, list[tuple], int]]:
    """name -> (function, the argument tuples of its calls, goal for compilations)."""
    batch, hidden, features = 32, 256, 128  # W3's sizes, lengths 10..50
    W, U = w.rnn_params(rng, features, hidden)
    lengths = rng.permutation(np.arange(10, 51))  # 41 lengths
    rnn_args = [([rng.standard_normal((batch, features)).astype(np.float32) for _ in range(n)],
                 np.zeros((batch, hidden), np.float32), W, U) for n in lengths]
    x = rng.standard_normal(256).astype(np.float32)
    floats = [(x, float(a)) for a in rng.uniform(-3, 3, 100)]
    tree_params = w.tree_params(rng)  # W4: hidden 128, vocab 1000, 5..25 leaves
    trees = [(w.random_tree(rng, int(rng.integers(5, 26))), *tree_params) for _ in range(200)]
    mlp = w.mlp_params(rng)
    batches = [(rng.random((b, 784), dtype=np.float32), *mlp) for b in range(1, 129)]
    whiles = [(rng.standard_normal(64).astype(np.float64) * 10.0 ** rng.uniform(-1, 4), 1e-3)
              for _ in range(50)]
    return {
        "(a) RNN over lists of 41 lengths": (w.rnn_over_list, rnn_args, 3),
        "(b) 100 different Python floats": (w.scale_by, floats, 2),
        "(c) TreeRNN over 200 random trees": (w.tree_rnn, trees, 3),
        "(d) MLP forward, batch 1..128": (w.mlp_forward, batches, 3),
        "(e) while, trip count varies": (w.halve_until, whiles, 3),
    }


def run(reps: int) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for name, (fn, calls, goal) in _calls(rng).items():
        f = _compiled(fn, speed_check=True)
        start = time.perf_counter()
        for args in calls:
            f(*args)
        first_pass = time.perf_counter() - start
        row = {"name": name, "calls": len(calls), "stats": copy.copy(f.stats), "goal": goal,
               "first_pass_s": first_pass, "f": f, "fn": fn, "args": calls}
        if name.startswith(("(a)", "(c)")):
            row["t"] = _timed({"numpy": fn, "janus": f, "graph": _graph_only(fn, calls)}, calls,
                              reps)
        out.append(row)
        print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    return out


def _compiled(fn: Callable, speed_check: bool) -> Any:
    """jm.compile(fn) with the speed check (runtime/speed.py) on, as janus_mlir runs by default,
    or off (its graphs answer every call they match, even where plain Python is faster)."""
    saved = os.environ.get("JANUS_MLIR_SPEED_CHECK")
    os.environ["JANUS_MLIR_SPEED_CHECK"] = "1" if speed_check else "0"
    try:
        return jm.compile(fn)
    finally:
        if saved is None:
            del os.environ["JANUS_MLIR_SPEED_CHECK"]
        else:
            os.environ["JANUS_MLIR_SPEED_CHECK"] = saved


def _graph_only(fn: Callable, calls: list[tuple]) -> Any:
    """`fn` compiled with the speed check off, warmed up on `calls`."""
    f = _compiled(fn, speed_check=False)
    for args in calls:
        f(*args)
    return f


def _timed(variants: dict[str, Callable], calls: list[tuple], reps: int
           ) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(reps):
        for label, g in variants.items():
            start = time.perf_counter()
            for args in calls:
                g(*args)
            times[label].append((time.perf_counter() - start) / len(calls))
    return {k: (statistics.median(v), min(v)) for k, v in times.items()}


def print_table(rows: list[dict], reps: int) -> None:
    print("speculation: compilations over each workload's calls (one fresh jm.compile each)")
    head = (f"{'workload':36} {'calls':>5} {'compiles':>8} {'goal':>5} {'graph':>6} "
            f"{'plain':>6} {'fallbk':>6}  {'numpy us':>9} {'janus us':>9} {'speed-up':>8} "
            f"{'best':>6} {'graph us':>9} {'graph x':>7}")
    print(head)
    print("-" * len(head))
    for r in rows:
        s = r["stats"]
        line = (f"{r['name']:36} {r['calls']:5d} {s.compilations:8d} {'<=' + str(r['goal']):>5} "
                f"{s.graph_calls:6d} {s.imperative_calls:6d} {s.fallbacks:6d}")
        if "t" in r:
            t = r["t"]
            med = t["numpy"][0] / t["janus"][0]
            best = t["numpy"][1] / t["janus"][1]
            line += (f"  {t['numpy'][0] * 1e6:9.1f} {t['janus'][0] * 1e6:9.1f} {med:7.2f}x "
                     f"{best:5.2f}x {t['graph'][0] * 1e6:9.1f} "
                     f"{t['numpy'][0] / t['graph'][0]:6.2f}x")
        print(line)
    print(f"(time per call: median of {reps} interleaved passes over the same inputs; 'best': "
          "the fastest pass; 'graph': the graphs answering every call, the speed check off "
          "(runtime/speed.py), median; the cache-hit host overhead is the 'overhead' column of "
          "the host rows)")
    for r in rows:
        if r["stats"].compilations > r["goal"]:
            why = [x for x in r["f"].reasons if not x.startswith("profiling")][-2:]
            print(f"  {r['name']}: " + " | ".join(str(x)[:160] for x in why))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--reps", type=int, default=5)
    opts = ap.parse_args()
    print_table(run(opts.reps), opts.reps)


if __name__ == "__main__":
    main()
