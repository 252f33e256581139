"""Generated programs with data-dependent control flow: `if` on array data, `for` over a range
whose bound changes between calls, `while` until converged, in-place writes through aliases,
Python numbers carried through loops and branches.

A seeded generator writes each program; it is called with inputs whose values flip the branches
and whose loop bounds change, so that speculation, its fallbacks and the relaxed forms
(`scf.if`, `scf.for`, `scf.while`) all run. Every call is compared with the plain function
(values, dtypes, Python types, aliasing, the inputs afterwards, exceptions).

The statements include `break`/`continue`/`return` on array data inside loops, early returns
at the function's level, a loop's variable read after the loop (unbound after no trip),
`and`/`or`/`not` in tests, and lists appended to in a loop over range(n) (sometimes two lists
by one loop) then stacked, summed, indexed, iterated, zipped and enumerated, their items
sometimes a name the loop carries, the lists sometimes returned (`kept`). `test_control_program` runs a sample in the
default run; `test_many_control_programs` (slow,
`-m slow`) runs JANUS_MLIR_GENERATED_PROGRAMS of them and reports how many calls a graph
answered.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, load_source

ARRAY_EXPRS = [
    "{a} + {b}", "{a} * 0.5 - {b}", "np.tanh({a})", "np.maximum({a}, 0.0)", "{a} * {b}",
    "{a} / (1.0 + {b} * {b})", "np.where({a} > {b}, {a}, -{b})", "{a} - {a}.mean()",
    "{a} * {s}", "{a} + {i}", "np.abs({a}) ** 0.5", "{a}[::-1] + {b}",
]
TESTS = ["{a}.sum() > 0", "{a}.mean() > {s}", "{a}.max() > 0.5", "acc > 1.0", "{a}[0] < {b}[1]",
         "{a}.sum() > 0 and {b}.max() < 1.0", "not ({a}.mean() > {s})", "{a}.min() < -1 or cnt > 2"]
SAMPLE_PROGRAMS = 12
SLOW_PROGRAMS = int(os.environ.get("JANUS_MLIR_GENERATED_PROGRAMS", "2000"))


class Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.arrays = ["x", "v0"]
        self.lines: list[str] = []
        self.counter = 1
        self.results = rng.randint(1, 3)  # arrays returned (before acc and cnt)

    def emit(self, depth: int, text: str) -> None:
        self.lines.append("    " * (depth + 1) + text)

    def pick(self) -> str:
        return self.rng.choice(self.arrays)

    def returned(self) -> str:
        """The arrays a return gives: as many at every return (one structure on every path)."""
        picks = self.rng.sample(self.arrays, min(len(self.arrays), self.results))
        picks += [self.pick() for _ in range(self.results - len(picks))]
        return ", ".join([*picks, "kept"])  # kept: the lists that escape (list_loop)

    def expr(self, loop_var: str | None) -> str:
        template = self.rng.choice(ARRAY_EXPRS)
        i = loop_var if loop_var and self.rng.random() < 0.7 else "cnt"
        return template.format(a=self.pick(), b=self.pick(), s="s", i=i)

    def block(self, depth: int, loop_var: str | None = None, size: int | None = None,
              in_loop: bool = False) -> None:
        for _ in range(size or self.rng.randint(1, 3)):
            self.statement(depth, loop_var, in_loop)
        r = self.rng.random()
        if in_loop and r < 0.25:  # a jump out of the innermost loop, on array data
            test = self.rng.choice(TESTS).format(a=self.pick(), b=self.pick(), s="s")
            self.emit(depth, f"if {test}:")
            jump = self.rng.choice(["break", "continue", "return"])
            if jump == "return":  # out of the loop and the function
                jump = f"return {self.returned()}, acc, cnt"
            self.emit(depth + 1, jump)
        elif depth == 0 and not in_loop and r < 0.3:  # an early return at the function's level
            test = self.rng.choice(TESTS).format(a=self.pick(), b=self.pick(), s="s")
            self.emit(depth, f"if {test}:")
            self.emit(depth + 1, f"return {self.returned()}, acc, cnt")

    def list_loop(self, targets: list[str]) -> None:
        """A list built by a loop over range(n), one append per iteration (arrays or Python
        floats), then used: stacked, summed, indexed, iterated, zipped, enumerated."""
        name = f"lst{self.counter}"
        self.counter += 1
        floats = self.rng.random() < 0.4
        self.emit(0, f"{name} = []")
        self.emit(0, "for k in range(n):")
        if self.rng.random() < 0.4:
            self.statement(1, "k", in_loop=False)
        item = f"float({self.expr('k')}.sum())" if floats else self.expr("k")
        carried = None
        if not floats and self.rng.random() < 0.5:  # the item is a name the loop carries
            carried = self.rng.choice(targets)
            self.emit(1, f"{carried} = {item}")
            item = carried
        self.emit(1, f"{name}.append({item})")
        if self.rng.random() < 0.3:  # a second list of numbers built by the same loop
            self.lines.insert(self.lines.index(f"    {name} = []") + 1, f"    {name}b = []")
            self.emit(1, f"{name}b.append(k + cnt)")
            self.emit(0, f"cnt += sum({name}b)")
        target = self.rng.choice(targets)
        escapes = not floats and self.rng.random() < 0.5
        # an escaping list's items are not read; -1: the list is not used after its loop
        # (and a carried item's name is left as the loop leaves it, its last item)
        use = (-1 if carried else self.rng.choice([0, -1])) if escapes else self.rng.randrange(5)
        if floats:
            self.emit(0, f"acc = acc + sum({name}) * 0.5")
            if use < 2:
                self.emit(0, f"if len({name}) > 1:")
                self.emit(1, f"acc = acc - {name}[-1] * {name}[0]")
        elif use == 0:
            self.emit(0, f"if len({name}) > 0:")
            self.emit(1, f"{target} = np.stack({name}).mean(axis=0) + {target}")
        elif use == 1:
            self.emit(0, f"for r, row in enumerate({name}):")
            self.emit(1, f"{target} = {target} * 0.5 + row * r")
        elif use == 2:
            self.emit(0, f"for row, other in zip({name}, {name}):")
            self.emit(1, f"{target} = {target} + row * other")
        elif use == 3:
            self.emit(0, f"if len({name}) > 2:")
            self.emit(1, f"{target} = {name}[1] - {name}[-1]")
        elif use == 4:
            self.emit(0, f"for row in reversed({name}):")
            self.emit(1, f"{target} = np.tanh({target} + row)")
        self.emit(0, f"cnt += len({name})")
        if escapes:  # returned: its items, and `carried` (its last), keep their identities
            self.emit(0, f"kept.append({name})")

    def statement(self, depth: int, loop_var: str | None, in_loop: bool = False) -> None:
        r = self.rng.random()
        targets = [a for a in self.arrays if a != "x"]
        if depth == 0 and not in_loop and self.rng.random() < 0.1:
            return self.list_loop(targets)
        if r < 0.30:
            target = self.rng.choice(targets + [f"v{self.counter}"])
            value = self.expr(loop_var)
            if target == f"v{self.counter}":
                if depth:  # names are first bound at the top level only
                    target = self.rng.choice(targets)
                else:
                    self.counter += 1
                    self.arrays.append(target)
            self.emit(depth, f"{target} = {value}")
        elif r < 0.40:
            self.emit(depth, f"{self.rng.choice(targets)} += {self.expr(loop_var)}")
        elif r < 0.48 and depth == 0:
            alias = f"v{self.counter}"
            self.counter += 1
            self.emit(depth, f"{alias} = {self.rng.choice(targets)}")
            self.arrays.append(alias)
        elif r < 0.58:
            self.emit(depth, f"acc = acc + float({self.pick()}.sum()) * 0.25")
        elif r < 0.64:
            self.emit(depth, "cnt += 1")
        elif r < 0.78 and depth < 2:
            test = self.rng.choice(TESTS).format(a=self.pick(), b=self.pick(), s="s")
            self.emit(depth, f"if {test}:")
            self.block(depth + 1, loop_var, in_loop=in_loop)
            if self.rng.random() < 0.7:
                self.emit(depth, "else:")
                self.block(depth + 1, loop_var, in_loop=in_loop)
        elif r < 0.90 and depth < 2:
            var = "i" if loop_var is None else "j"
            bound = self.rng.choice(["n", "n + 1", "len(x) - n"])
            self.emit(depth, f"for {var} in range({bound}):")
            self.block(depth + 1, var, in_loop=True)
            if self.rng.random() < 0.3:  # the loop's variable read after it (unbound: no trip)
                self.emit(depth, f"cnt += {var}")
        elif depth < 2:
            target = self.rng.choice(targets)
            self.emit(depth, f"{target} = np.tanh({target})")
            self.emit(depth, f"while np.abs({target}).max() > 0.05:")
            self.emit(depth + 1, f"{target} = {target} * 0.5")
            self.emit(depth + 1, "cnt += 1")
        else:
            self.emit(depth, f"{self.rng.choice(targets)} = {self.expr(loop_var)}")


def control_program(seed: int, tmp_path: Path, writer: type[Writer] = Writer,
                    params: str = "x, n, s"):
    """The program of `seed`, written by `writer`, as a function of `params`."""
    rng = random.Random(seed)
    w = writer(rng)
    w.emit(0, "v0 = x * 1.0")
    w.emit(0, "acc = 0.0")
    w.emit(0, "cnt = 0")
    w.emit(0, "kept = []")
    w.block(0, size=rng.randint(2, 5))
    w.emit(0, f"return {w.returned()}, acc, cnt")
    source = f"def generated({params}):\n" + "\n".join(w.lines) + "\n"
    return load_source(tmp_path, source).generated, source


def calls(seed: int) -> list[tuple]:
    np_rng = np.random.default_rng(seed)
    dtype = np.float32 if seed % 2 else np.float64
    base = np_rng.standard_normal(6).astype(dtype)
    ns = [2, 2, 3, 0, 5, 1]
    signs = [1, 1, -1, 1, -1, 1]
    ss = [0.25, 0.25, 0.25, -0.5, 0.25, 0.75]
    return [(base * sign, n, s) for sign, n, s in zip(signs, ns, ss)]


def run_program(seed: int, tmp_path: Path, program=control_program,
                extra: tuple = ()) -> jm.JanusFunction:
    """One generated program compiled and compared with plain Python on each of its calls
    (`extra`: more arguments after the generated ones, or a function of them that makes
    them)."""
    fn, source = program(seed, tmp_path)
    f = jm.compile(fn)
    for args in calls(seed):
        more = extra(args) if callable(extra) else extra
        try:
            check(f, *args, *more)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}:\n{source}\n{f.explanation()}\n{e}") from None
    return f


def run_many(tmp_path: Path, count: int, extra_for=None, **kwargs) -> None:
    """`count` programs after the sample seeds; prints how many calls a graph answered.
    `extra_for(seed)`: the program's `extra` (see run_program)."""
    graph_calls = total = 0
    for seed in range(SAMPLE_PROGRAMS, SAMPLE_PROGRAMS + count):
        if extra_for is not None:
            kwargs["extra"] = extra_for(seed)
        f = run_program(seed, tmp_path, **kwargs)
        graph_calls += f.stats.graph_calls
        total += f.stats.calls
    print(f"\n{count} programs, {total} calls, {graph_calls} answered by a graph")


@pytest.mark.parametrize("seed", range(SAMPLE_PROGRAMS))
def test_control_program(seed, tmp_path):
    run_program(seed, tmp_path)


@pytest.mark.slow
def test_many_control_programs(tmp_path):
    run_many(tmp_path, SLOW_PROGRAMS)
