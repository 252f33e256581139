"""Generated basic indexing on an array whose batch (first) dim varies: slices, ints, newaxis and
Ellipsis on (n, 3) and (n, 2, 4) arrays, called with seven batch sizes (2 among them), two of them
again. Either the batch stays the graph's symbolic dim or the conversion gives it up (one graph
per shape); every call is compared with plain NumPy (values, and which results are views of the
argument). The speed check is off, so graphs answer even where NumPy would be faster.

`test_indexing_program` runs a sample by default; `test_many_indexing_programs` (slow) runs
JANUS_MLIR_GENERATED_PROGRAMS of them.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, load_source

SAMPLE = 6
SLOW_PROGRAMS = int(os.environ.get("JANUS_MLIR_GENERATED_PROGRAMS", "300"))
BATCHES = (4, 7, 5, 9, 3, 2, 6, 4, 7)  # the repeats reach static graphs too
BATCH_ITEMS = [":", "0", "1", "None, :", ":1", ":2", "0:2", "1:2", "-1", "2", "1:", "::2", ":-1",
               "...", "::-1"]
OTHER_ITEMS = [":", "0", "-1", "1:", ":-1", "::2", "None", "1", "...", "0:2", "::-1"]


def subscript(rng: random.Random, rank: int) -> str:
    items = [rng.choice(BATCH_ITEMS if i == 0 else OTHER_ITEMS)
             for i in range(rng.randint(1, rank))]
    if items.count("...") > 1:
        items = [i for i in items if i != "..."] or [":"]
    return "[" + ", ".join(items) + "]"


def program(seed: int) -> tuple[str, int]:
    rng = random.Random(seed)
    rank = rng.choice([2, 3])
    a, b, c = (subscript(rng, rank) for _ in range(3))
    source = (f"def g(x):\n    y = x * 1.5\n    a = x{a}\n    b = y{b}\n"
              f"    return a, b * 2.0, x{c}.sum()\n")
    return source, rank


def run(seed: int, tmp_path: Path) -> jm.JanusFunction:
    source, rank = program(seed)
    f = jm.compile(load_source(tmp_path, source).g)
    rest = (3,) if rank == 2 else (2, 4)
    for n in BATCHES:
        x = np.arange(n * int(np.prod(rest)), dtype=np.float64).reshape((n, *rest))
        try:
            check(f, x)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}, batch {n}:\n{source}\n{e}") from None
    return f


@pytest.fixture(autouse=True)
def _graphs_answer(monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_SPEED_CHECK", "0")


@pytest.mark.parametrize("seed", range(SAMPLE))
def test_indexing_program(seed, tmp_path):
    f = run(seed, tmp_path)
    assert f.stats.graph_calls >= 1, f.reasons


@pytest.mark.slow
def test_many_indexing_programs(tmp_path):
    symbolic = 0
    for seed in range(SAMPLE, SAMPLE + SLOW_PROGRAMS):
        f = run(seed, tmp_path)
        symbolic += f.stats.compilations <= 2
    print(f"\n{SLOW_PROGRAMS} programs, {symbolic} kept one symbolic graph")
