"""Generated programs: a generator writes a NumPy function, jm.compile must match it.

Each program is real Python source (written to a file so the converter can read it).

- `test_generated_programs_match_numpy` (hypothesis): straight-line float programs mixing
  operators, ufuncs, reductions, broadcasting and shape ops on two inputs.
- `test_typed_program` (a sample, in the default run) and `test_many_typed_programs` (slow, run
  with `-m slow`; JANUS_MLIR_GENERATED_PROGRAMS sets how many): a seeded generator of typed
  statements over float, int and bool arrays, a large float32 array far from zero, a 0-d
  array, Python ints (values past int64 included) and floats, and the NumPy scalars that
  reductions, indexing and ufuncs on Python scalars return. Programs return several results.
  Each is called CALL_PATTERN.size times with scalar values that repeat and then change, so
  that profiling, a speculated graph, a failed speculation with its fallback, and a graph with
  run-time inputs are all exercised. Every call is compared with the plain function (values,
  dtypes, Python types, aliasing, the inputs afterwards, exceptions); then every returned array
  is written to, in both worlds, and everything is compared again, so that two results sharing
  one buffer, or a result sharing an input's, shows up.
"""

from __future__ import annotations

import copy
import itertools
import os
import random
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import janus_mlir as jm

from .equivalence import aliasing, assert_same, check, load_source, run_captured

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


def load(source: str, tmp_path: Path) -> Any:
    return load_source(tmp_path, source, header="").generated


def program(steps: list[tuple[int, int, int]], tmp_path: Path) -> Any:
    names = ["x", "y"]
    lines = ["import numpy as np", "", "", "def generated(x, y):"]
    for step, ia, ib in steps:
        a, b = names[ia % len(names)], names[ib % len(names)]
        name = f"v{len(names)}"
        lines.append(f"    {name} = {STEPS[step].format(a=a, b=b)}")
        names.append(name)
    lines.append(f"    return {names[-1]}, {names[-1]}.sum(), float({names[-2]}.mean())")
    return load("\n".join(lines) + "\n", tmp_path)


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


# ---------------------------------------------------------------- typed programs

# Value types: F float array broadcastable to (R, C); I int64 array (R, C); B bool array (R, C);
# Z large float32 array far from zero; T 0-d float array; N Python int; S Python float;
# G NumPy scalar; O any other array (returned, never an operand). A hole `{F0}` takes a value of
# type F; holes with the same name take the same value.
RULES: dict[str, list[str]] = {
    "F": [
        "{F0} + {F1}", "{F0} * {F1} - 0.5", "np.tanh({F0})", "np.maximum({F0}, 0.0)",
        "{F0} / (1.0 + {F1} * {F1})", "np.where({F0} > {F1}, {F0}, -{F1})",
        "{F0} - {F0}.mean(axis=0)", "{F0} * {F0}.sum(axis=1, keepdims=True)",
        "({F0} @ {F1}.T) @ {F1}", "{F0}[:, ::-1] + {F1}", "np.clip({F0}, -1, 1) * 2",
        "{F0} * {N0}", "{F0} + {S0}", "{F0} * ({N0} * {N0})", "{F0} - ({N0} + 1)",
        "{F0} * {G0}", "{F0} + np.add({N0}, 1)", "{F0} * np.multiply({S0}, 2)",
        "{F0} + np.add({S0}, {N0})", "{F0} * {I0}", "np.where({B0}, {F0}, {S0})",
        "{F0} + {Z0}.mean()", "{F0} * {T0}", "{F0} * 1", "{F0} + 0", "{F0}.copy()",
        "{F0}.reshape(-1).reshape({F0}.shape) * 1", "{F0}[()]", "{F0}.T.T", "{F0}[:]",
    ],
    "I": [
        "{I0} + {I1}", "{I0} * {N0}", "{I0} * ({N0} * {N0})", "{I0} - {N0}", "{I0} % 5",
        "{I0}.astype(np.int64)", "np.floor({I0})", "np.abs({I0})", "{I0} + {B0}",
        "({F0} * 10).astype(np.int64)", "{I0} * 1", "{I0} // 3",
    ],
    "B": [
        "~{B0}", "np.logical_not({B0})", "{F0} > {F1}", "{I0} % 2 == 0", "{B0} & ({F0} > 0)",
        "{B0} | {B1}", "np.greater({F0}, {S0})", "{F0} > {N0}",
    ],
    "N": [
        "{N0} + {N1}", "{N0} * {N1}", "{N0} * {N0}", "{N0} - {N1}", "{N0} + 1", "-{N0}",
        "{N0} * 3", "{N0} // 7", "{N0} % 5", "abs({N0})", "{F0}.shape[0] + {N0}",
        "max({N0}, {N1})",
    ],
    "S": [
        "{S0} * 2.0", "{S0} + {N0}", "float({F0}.sum())", "float({Z0}.mean())", "{S0} / 3",
        "{N0} / 2",
    ],
    "G": [
        "np.add({N0}, {N1})", "np.multiply({N0}, {S0})", "np.subtract({S0}, 1)",
        "np.greater({N0}, {N1})", "np.maximum({N0}, 3)", "np.add({N0}, 1) * {F0}.dtype.type(2)",
        "{F0}.sum()", "{F0}.mean()", "np.take({F0}, 2)", "{F0}.take(1)", "{F0}.sum().T",
        "{F0}[0, 0]", "np.var({F0}, ddof={F0}.size)", "np.var({F0}, ddof={F0}.size + 1)",
        "np.std({F0}, ddof=1)", "{T0}[()]", "{T0} + 1", "{T0}.sum()", "{G0} * 2",
        "{G0} + {N0}", "{Z0}.sum()", "{Z0}.mean()", "np.var({Z0})", "np.std({Z0})",
        "{Z0}.max() - {Z0}.min()",
    ],
    "O": [
        "{Z0}.sum(axis=0)", "{Z0}.mean(axis=-1)", "{Z0}.mean(axis=0)", "np.var({Z0}, axis=0)",
        "np.var({Z0}, axis=-1)", "np.std({Z0}, axis=0)", "np.std({Z0}, axis=-1)",
        "{F0}.T", "{F0}.reshape(-1)", "{F0}[0]", "np.take({F0}, [0, 2])", "{F0}.sum(axis=0)",
        "{I0}.reshape(-1)", "{B0}.T",
    ],
}
# Parameters, in signature order, with their types; a program takes those it uses.
PARAMS = {"x": "F", "y": "F", "i": "I", "b": "B", "z": "Z", "t": "T", "n": "N", "m": "N",
          "s": "S"}
# Python ints: mostly small, some at and past the int64 range (`n * n` overflows from 2**32).
INTS = [0, 1, 2, 3, 5, -7, 12, 100, 2**31, 2**40, 2**62, 2**63 - 1, -(2**63), 2**63, 2**64 + 1,
        10**20]
INT_WEIGHTS = [3, 4, 4, 4, 3, 3, 3, 3, 2, 2, 1, 2, 1, 2, 1, 1]
FLOATS = [0.5, -1.25, 2.0, 3.75, 1e10, -1e-3, 1e200]
SHAPES = [(3, 4), (1, 5), (6, 1), (2, 3)]
# Large float32 arrays whose sums a sequential float32 accumulation gets visibly wrong.
BIG_SHAPES = [(1000, 1000), (200_000,), (4096, 16), (16, 4096)]
BIG_OFFSETS = [100.1, 1000.3, -250.7, 3.0]
# Spread around the offset; never 0, where var/std are pure rounding noise in NumPy too.
BIG_NOISE = [0.01, 0.25]
REPEAT = 0.15  # chance that a statement repeats an earlier one's expression
# Which of the four calls see which scalar value: a, a (graph hit), b (speculation fails), c.
CALL_PATTERN = np.array([0, 0, 1, 2])
SAMPLE_PROGRAMS = 40
SLOW_PROGRAMS = int(os.environ.get("JANUS_MLIR_GENERATED_PROGRAMS", "2000"))
_HOLE = re.compile(r"\{([A-Z])(\d)\}")


@dataclass
class TypedProgram:
    seed: int
    source: str
    calls: list[tuple[Any, ...]]


def typed_program(seed: int) -> TypedProgram:
    """The program for `seed`: 1-6 typed statements, 1-4 results, and the arguments of each
    call (the same arrays every call; scalar values following CALL_PATTERN)."""
    rng = random.Random(seed)
    names: dict[str, list[str]] = {t: [] for t in RULES}
    for param, kind in PARAMS.items():
        names.setdefault(kind, []).append(param)
    lines: list[str] = []
    made_exprs: list[tuple[str, str]] = []
    repeated: list[str] = []  # the last statement repeated and its original, both returned
    for _ in range(rng.randint(1, 6)):
        if made_exprs and rng.random() < REPEAT:
            k = rng.randrange(len(made_exprs))  # the same value twice: one SSA value after CSE
            kind, expr = made_exprs[k]
            repeated = [f"v{k}", f"v{len(lines)}"]
        else:
            kind = rng.choice(list(RULES))
            template = rng.choice(RULES[kind])
            holes = sorted(set(_HOLE.findall(template)))
            if any(not names[t] for t, _ in holes):
                continue
            expr = template.format(**{f"{t}{d}": _pick(rng, names[t]) for t, d in holes})
        name = f"v{len(lines)}"
        lines.append(f"    {name} = {expr}")
        names[kind].append(name)
        made_exprs.append((kind, expr))
    made = [f"v{k}" for k in range(len(lines))] or ["x"]
    pool = made + ["x", "n"]
    results = [made[-1]] + [rng.choice(made if rng.random() < 0.7 else pool)
                            for _ in range(rng.randint(0, 3))] + repeated
    body = "\n".join(lines)
    used = [p for p in PARAMS if re.search(rf"\b{p}\b", body + "\n" + " ".join(results))]
    source = (f"import numpy as np\n\n\ndef generated({', '.join(used)}):\n"
              + (body + "\n" if body else "") + f"    return {', '.join(results)}\n")
    values = _values(rng, seed)
    calls = [tuple(values[p][k] if isinstance(values[p], list) else values[p] for p in used)
             for k in CALL_PATTERN]
    return TypedProgram(seed, source, calls)


def _pick(rng: random.Random, candidates: list[str]) -> str:
    return rng.choice(candidates[-2:] if rng.random() < 0.5 else candidates)


def _values(rng: random.Random, seed: int) -> dict[str, Any]:
    """Arrays (one per parameter) and, for scalars, the three values the calls draw from."""
    np_rng = np.random.default_rng(seed)
    shape, dtype = rng.choice(SHAPES), rng.choice([np.float32, np.float64])
    noise = np_rng.standard_normal(rng.choice(BIG_SHAPES)) * rng.choice(BIG_NOISE)
    big = rng.choice(BIG_OFFSETS) + noise
    return {
        "x": np_rng.standard_normal(shape).astype(dtype),
        "y": (np_rng.standard_normal(shape) + 0.5).astype(dtype),
        "i": np_rng.integers(-5, 6, shape),
        "b": np_rng.random(shape) > 0.5,
        "z": big.astype(np.float32),
        "t": np.array(rng.choice([1.5, -2.0, 0.0]), dtype),
        "n": rng.choices(INTS, INT_WEIGHTS, k=3),
        "m": rng.choices(INTS, INT_WEIGHTS, k=3),
        "s": [rng.choice(FLOATS) for _ in range(3)],
    }


def compare_call(f: jm.JanusFunction, args: tuple) -> None:
    """One call compared with the plain function, then each returned array written to in both
    worlds and everything compared again."""
    plain_in, jit_in = copy.deepcopy(args), copy.deepcopy(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, exp_exc, _ = run_captured(f.fn, plain_in, {})
        got, got_exc, _ = run_captured(f, jit_in, {})
    if exp_exc is not None or got_exc is not None:
        assert type(got_exc) is type(exp_exc), f"raised {got_exc!r}, plain raised {exp_exc!r}"
        assert str(got_exc) == str(exp_exc), f"message {got_exc} != {exp_exc}"
        return
    scale = _float32_scale(f.fn, args)
    assert_same(got, expected, "result", scale)
    assert aliasing(got, jit_in) == aliasing(expected, plain_in), (
        f"results and inputs share memory differently: {aliasing(got, jit_in)} vs "
        f"{aliasing(expected, plain_in)}")
    assert_same(jit_in, plain_in, "inputs after the call")
    for (path, g), (_, e) in zip(_arrays(got, "result"), _arrays(expected, "result")):
        assert g.flags.writeable == e.flags.writeable, f"{path}: writeable differs"
        if e.flags.writeable and e.size:
            _poke(g)
            _poke(e)
            assert_same((got, jit_in), (expected, plain_in), f"after writing {path}", scale)


def _float32_scale(fn: Any, args: tuple) -> float:
    """The magnitude of the large float32 argument `z` when the program reads it: its sums and
    moments may differ from NumPy's by summation order (NumPy adds strided axes one element at
    a time, janus in blocks), so they are compared relative to the data, not to the result."""
    if "z" not in fn.__code__.co_varnames[:fn.__code__.co_argcount]:
        return 0.0
    z = args[fn.__code__.co_varnames.index("z")]
    return float(np.max(np.abs(z))) if isinstance(z, np.ndarray) and z.size else 0.0


def _arrays(value: Any, path: str) -> list[tuple[str, np.ndarray]]:
    if isinstance(value, np.ndarray):
        return [(path, value)]
    if isinstance(value, (tuple, list)):
        return [a for k, v in enumerate(value) for a in _arrays(v, f"{path}[{k}]")]
    return []


def _poke(array: np.ndarray) -> None:
    first = (0,) * array.ndim
    array[first] = ~array[first] if array.dtype == np.bool_ else 77


def run_typed_program(seed: int, tmp_path: Path) -> jm.JanusFunction:
    """Compile the program for `seed` and compare each of its calls; AssertionError names the
    seed, the call and the source."""
    return _run_calls(typed_program(seed), tmp_path, [])


def _run_calls(prog: TypedProgram, tmp_path: Path, out: list[jm.JanusFunction]
               ) -> jm.JanusFunction:
    f = jm.compile(load(prog.source, tmp_path))
    out.append(f)
    seed = prog.seed
    for k, args in enumerate(prog.calls):
        try:
            compare_call(f, args)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}, call {k} of {len(prog.calls)}: {e}\n"
                                 f"{prog.source}scalars: {_scalars(args)}\n"
                                 f"reasons: {f.reasons[-3:]}") from None
    return f


def _scalars(args: tuple) -> list[Any]:
    return [a for a in args if not isinstance(a, np.ndarray)]


@pytest.mark.parametrize("seed", range(SAMPLE_PROGRAMS))
def test_typed_program(tmp_path, seed):
    run_typed_program(seed, tmp_path)


def test_typed_programs_reach_compiled_code(tmp_path):
    """The generator is only as good as the share of its calls that really run compiled."""
    made: list[jm.JanusFunction] = []
    for seed in range(10):
        try:
            _run_calls(typed_program(seed), tmp_path, made)
        except AssertionError:
            pass  # reported by test_typed_program
    graph_calls = sum(f.stats.graph_calls for f in made)
    assert graph_calls >= 10, [f.reasons[-1:] for f in made]


@pytest.mark.slow
def test_many_typed_programs(tmp_path):
    """SLOW_PROGRAMS programs; fails listing every mismatch, grouped by what differed."""
    failures: dict[str, list[int]] = {}
    calls = Counter()
    for seed in range(SLOW_PROGRAMS):
        try:
            stats = run_typed_program(seed, tmp_path).stats
            calls.update(graph=stats.graph_calls, all=stats.calls)
        except AssertionError as e:
            failures.setdefault(failure_kind(str(e)), []).append(seed)
    summary = "\n".join(f"{len(seeds):5d}  {kind}  (seeds {seeds[:8]})"
                        for kind, seeds in sorted(failures.items(), key=lambda i: -len(i[1])))
    print(f"\n{SLOW_PROGRAMS} programs, {sum(map(len, failures.values()))} mismatching; "
          f"passing programs: {calls['graph']} of {calls['all']} calls compiled\n{summary}")
    assert not failures, summary


def failure_kind(message: str) -> str:
    """What differed, without the numbers and names that vary from program to program."""
    line = re.sub(r"^seed \d+, (call \d+) of \d+", r"\1", message.split("\n", 1)[0])
    line = re.sub(r"array\(.*", "array(...)", line)
    return re.sub(r"(?<![\w#])-?\d+(\.\d+)?(e[-+]?\d+)?", "#", line)[:160]
