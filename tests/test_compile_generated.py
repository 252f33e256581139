"""Generated straight-line programs: hypothesis writes a NumPy function, jm.compile must match it.

Each program is real Python source (written to a file so the converter can read it) mixing
operators, ufuncs, reductions, broadcasting, Python scalars and shape ops on two inputs.
"""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import janus_mlir as jm

from .equivalence import check

# Statements over names of shape (R, C) -> a new (R, C) value; `{a}`/`{b}` are earlier names.
STEPS = [
    "{a} + {b}", "{a} - {b} * 0.5", "{a} * {b}", "np.tanh({a})", "np.maximum({a}, 0.0)",
    "np.exp(-np.abs({a}))", "{a} / (1.0 + {b} * {b})", "np.where({a} > {b}, {a}, -{b})",
    "{a} - {a}.mean(axis=0)", "{a} * {a}.sum(axis=1, keepdims=True)", "({a} @ {b}.T) @ {b}",
    "np.sqrt({a} * {a} + 1.0)", "{a}[:, ::-1] + {b}", "np.clip({a}, -1, 1) * 2",
    "{a} + {a}.max()", "np.concatenate([{a}[:, :1], {b}[:, 1:]], axis=1)",
    "({a} > 0).astype({a}.dtype) * {b}", "{a}.reshape(-1).reshape({a}.shape) ** 2",
]
_counter = itertools.count()


def program(steps: list[tuple[int, int, int]], tmp_path) -> object:
    names = ["x", "y"]
    lines = ["import numpy as np", "", "", "def generated(x, y):"]
    for step, ia, ib in steps:
        a, b = names[ia % len(names)], names[ib % len(names)]
        name = f"v{len(names)}"
        lines.append(f"    {name} = {STEPS[step].format(a=a, b=b)}")
        names.append(name)
    lines.append(f"    return {names[-1]}, {names[-1]}.sum(), float({names[-2]}.mean())")
    path = tmp_path / f"generated_{next(_counter)}.py"
    path.write_text("\n".join(lines) + "\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generated


step = st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 20), st.integers(0, 20))


@settings(max_examples=15, deadline=None, derandomize=True)
@given(steps=st.lists(step, min_size=1, max_size=8),
       dtype=st.sampled_from([np.float32, np.float64]),
       shape=st.sampled_from([(3, 4), (1, 5), (6, 1)]))
def test_generated_programs_match_numpy(tmp_path_factory, steps, dtype, shape):
    fn = program(steps, tmp_path_factory.mktemp("progs"))
    rng = np.random.default_rng(len(steps))
    x = rng.standard_normal(shape).astype(dtype)
    y = rng.standard_normal(shape).astype(dtype)
    f = jm.compile(fn)
    check(f, x, y)
    check(f, x, y)
    assert f.stats.graph_calls == 1, f.reasons
