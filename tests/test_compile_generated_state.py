"""Generated parameter-update programs on a model object's arrays, for the arrays written in
place in the caller's memory (runtime/state.py): writes of the weights and biases among reads of
their old and new contents (copies, views, matmuls), prints, bounds guards that fail on some
calls and branches on array data. Every call is compared with the plain function (values, the
model's arrays afterwards, stdout, exceptions, aliasing); across the sample, some graphs must
have tied their writes. `test_state_program` runs a sample by default;
`test_many_state_programs` (slow) runs JANUS_MLIR_GENERATED_PROGRAMS of them.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

from .equivalence import load_source
from .test_compile_effects import lockstep

SAMPLE_PROGRAMS = 8
SLOW_PROGRAMS = int(os.environ.get("JANUS_MLIR_GENERATED_PROGRAMS", "200"))


class Model:
    def __init__(self):
        rng = np.random.default_rng(0)
        self.w = rng.standard_normal((64, 96)).astype(np.float32)  # 24 KB: imported
        self.b = np.linspace(-1.0, 1.0, 96, dtype=np.float32)


STATEMENTS = [
    "m.w -= 0.1 * g",
    "m.w *= 0.5",
    "m.b += x * 0.01",
    "m.b -= float(m.w.sum()) * 1e-4",
    "m.w[1] = x",
    "m.w[:, 2:5] += 1.0",
    "m.b[idx] = 0.25",  # a bounds guard
    "t = m.w @ x",
    "old = m.w.copy()",
    "keep = m.w[2:4]",
    "m.w = m.w * 1.5",
    'print("b", float(m.b.sum()) > 0)',
]
BRANCH = ["if m.w.sum() > s:", "    m.b *= 2.0", "else:", "    m.b -= 1.0"]
# What a program may return, with the name it needs bound first (None: nothing).
RETURNS = {"float((m.w * m.w).sum())": None, "m.b[idx]": None, "x": None, "m.b": None,
           "t.sum()": "t", "old - m.w": "old", "keep": "keep"}


def state_program(seed: int, tmp_path: Path):
    rng = random.Random(seed)
    lines, bound = [], set()
    for _ in range(rng.randint(2, 6)):
        if rng.random() < 0.15:
            lines += BRANCH
            continue
        stmt = rng.choice(STATEMENTS)
        lines.append(stmt)
        bound.add(stmt.split(" = ")[0])
    returned = [r for r, needs in RETURNS.items() if needs is None or needs in bound]
    picks = rng.sample(returned, rng.randint(1, min(3, len(returned))))
    body = "\n".join(f"    {line}" for line in lines)
    source = f"def case(m, x, g, idx, s):\n{body}\n    return {', '.join(picks)}\n"
    return load_source(tmp_path, source).case, source


def _args(i: int):
    rng = np.random.default_rng(10 + i)
    idx = np.array([3, 7]) if i != 4 else np.array([3, 700])  # the fifth call raises
    return (rng.standard_normal(96).astype(np.float32),
            rng.standard_normal((64, 96)).astype(np.float32), idx,
            [-1e6, -1e6, -1e6, 1e6, -1e6, -1e6][i])


def run_state_program(seed: int, tmp_path: Path):
    fn, source = state_program(seed, tmp_path)
    try:
        return lockstep(fn, (Model(),), calls=6, args=_args)
    except AssertionError as e:
        raise AssertionError(f"program {seed}:\n{source}\n{e}") from None


@pytest.mark.parametrize("seed", range(SAMPLE_PROGRAMS))
def test_state_program(seed, tmp_path):
    run_state_program(seed, tmp_path)


def test_some_generated_programs_write_in_place(tmp_path):
    tied = sum(bool(g.tied) for seed in range(SAMPLE_PROGRAMS, SAMPLE_PROGRAMS + 12)
               for g in run_state_program(seed, tmp_path).graphs)
    assert tied >= 3


@pytest.mark.slow
def test_many_state_programs(tmp_path):
    graphs = tied = calls = 0
    for seed in range(SLOW_PROGRAMS):
        f = run_state_program(seed, tmp_path)
        graphs += len(f.graphs)
        tied += sum(bool(g.tied) for g in f.graphs)
        calls += f.stats.graph_calls
    print(f"\n{SLOW_PROGRAMS} programs: {calls} calls answered by a graph, {graphs} graphs, "
          f"{tied} of them writing in place")
