"""Generated programs with effects among data-dependent control flow: prints, in-place writes to
the caller's array, attribute writes, appends and random draws on a state object the caller
passes, inside branches on array data, loops over run-time lengths and early returns. In every other program
the state object holds the caller's array itself (`st.ref is x`), so writes through one name must
be seen through the other.

The programs are the control-flow programs of test_compile_generated_control.py with effect
statements mixed in; every call is compared with the plain function (values, the inputs and the
state object afterwards, stdout, exceptions), so a guard failing after an effect, a fallback and
the relaxed forms all have to leave exactly the plain call's heap and output. Printed numbers are
rounded to one decimal (the graph's float sums may differ from NumPy's in the last bits).
`test_effect_program` runs a sample by default; `test_many_effect_programs` (slow) runs
JANUS_MLIR_GENERATED_PROGRAMS of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from .test_compile_generated_control import (SAMPLE_PROGRAMS, TESTS, Writer, control_program,
                                             run_many, run_program)

SLOW_PROGRAMS = int(os.environ.get("JANUS_MLIR_GENERATED_PROGRAMS", "2000"))


class State:
    def __init__(self, ref):
        self.total = 0.0
        self.best = 1e9
        self.steps = 0
        self.log: list = []
        self.ref = ref
        self.rng = np.random.default_rng(5)


def state_for(seed: int):
    """The state argument of a program's calls: holding the call's own array x (odd seeds)
    or an array of its own."""
    return lambda args: (State(args[0] if seed % 2 else np.linspace(0.0, 1.0, 4)),)


class EffectWriter(Writer):
    def statement(self, depth: int, loop_var: str | None, in_loop: bool = False) -> None:
        r = self.rng.random()
        if r < 0.12:
            self.emit(depth, self.rng.choice([
                'print("p", cnt, f"{float({a}.sum()):.1f}")',
                'print(f"acc={{acc:.1f}}", end=" ")',
                'print("n", n, sep=":")',
            ]).replace("{a}", self.pick()))
        elif r < 0.20:
            self.emit(depth, self.rng.choice([
                "x[0] = float({a}.mean())", "x *= 0.5", "x[1:] += {a}[1:] * 0.25",
            ]).format(a=self.pick()))
        elif r < 0.30:
            self.emit(depth, self.rng.choice([
                "st.total = st.total + float({a}.sum()) * 0.1",
                "st.steps += 1",
                "st.log.append(cnt)",
                "st.log.append(float({a}.max()))",
                "st.total = st.total + float(st.ref.sum()) * 0.1",
                "st.ref[-1] = float({a}.min())",
            ]).format(a=self.pick()))
        elif r < 0.34:
            self.emit(depth, self.rng.choice([
                "acc = acc + float(st.rng.random()) * 0.1",
                "{a} = {a} + st.rng.standard_normal({a}.shape) * 0.1",
            ]).format(a=self.pick()))
        elif r < 0.38 and depth < 2:
            test = self.rng.choice(TESTS).format(a=self.pick(), b=self.pick(), s="s")
            self.emit(depth, f"if {test}:")
            self.emit(depth + 1, f"st.best = float({self.pick()}.min())")
            self.emit(depth + 1, 'print("best", f"{st.best:.1f}")')
        else:
            super().statement(depth, loop_var, in_loop)


def effect_program(seed: int, tmp_path: Path):
    return control_program(seed, tmp_path, EffectWriter, "x, n, s, st")


@pytest.mark.parametrize("seed", range(SAMPLE_PROGRAMS))
def test_effect_program(seed, tmp_path):
    run_program(seed, tmp_path, program=effect_program, extra=state_for(seed))


@pytest.mark.slow
def test_many_effect_programs(tmp_path):
    run_many(tmp_path, SLOW_PROGRAMS, program=effect_program, extra_for=state_for)
