"""The oracle: a compiled call must behave exactly like the undecorated function.

`check(compiled, *args)` runs the plain function and the compiled one on deep copies of the same
inputs and compares return values (values, dtypes, shapes, Python types), the inputs afterwards
(the heap), what was printed, and the exception raised, if any.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import itertools
import random
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import janus_mlir as jm


def run_captured(fn: Any, args: tuple, kwargs: dict) -> tuple[Any, BaseException | None, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            return fn(*args, **kwargs), None, out.getvalue()
        except Exception as e:  # compared with the plain function's exception
            return None, e, out.getvalue()


def check(compiled: jm.JanusFunction, *args: Any, **kwargs: Any) -> Any:
    """One call of `compiled` compared with its undecorated function; returns the result.

    Compared: return value (values, dtypes, shapes, Python types), the inputs afterwards (the
    heap), which arrays share memory and which objects are the same object among results and
    inputs (views and aliasing), stdout, the state of NumPy's and Python's global RNGs, and the
    exception raised, if any.
    """
    plain_in = copy.deepcopy((args, kwargs))
    jit_in = copy.deepcopy((args, kwargs))
    rng_before = _rng_state()
    expected, exp_exc, exp_out = run_captured(compiled.fn, *plain_in)
    rng_plain = _rng_state()
    _set_rng_state(rng_before)
    got, got_exc, got_out = run_captured(compiled, *jit_in)
    rng_jit = _rng_state()
    assert got_out == exp_out, f"stdout differs:\n{got_out!r}\nvs\n{exp_out!r}"
    assert _same_rng(rng_jit, rng_plain), "the global random number generators differ"
    if exp_exc is not None or got_exc is not None:
        assert type(got_exc) is type(exp_exc), f"raised {got_exc!r}, plain raised {exp_exc!r}"
        assert str(got_exc) == str(exp_exc)
    else:
        assert_same(got, expected, "result")
        assert aliasing(got, jit_in) == aliasing(expected, plain_in), (
            "results and inputs share memory or identity differently:\n"
            f"{aliasing(got, jit_in)}\nvs\n{aliasing(expected, plain_in)}")
    assert_same(jit_in, plain_in, "inputs after the call")
    return got


def _rng_state() -> tuple[Any, Any]:
    return np.random.get_state(), random.getstate()


def _set_rng_state(state: tuple[Any, Any]) -> None:
    np.random.set_state(state[0])
    random.setstate(state[1])


def _same_rng(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
    (na, ra), (nb, rb) = a, b
    return ra == rb and all(
        np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in zip(na, nb))


def aliasing(result: Any, inputs: Any) -> tuple[frozenset, frozenset]:
    """Which leaves of (result, inputs) are one object, and which arrays share memory."""
    leaves: list[tuple[str, Any]] = []
    _leaves(result, "result", leaves, set())
    _leaves(inputs, "inputs", leaves, set())
    same, shared = set(), set()
    for i, (pa, a) in enumerate(leaves):
        for pb, b in leaves[i + 1:]:
            if a is b:
                same.add((pa, pb))
            elif isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
                    np.shares_memory(a, b):
                shared.add((pa, pb))
    return frozenset(same), frozenset(shared)


def _leaves(v: Any, path: str, out: list[tuple[str, Any]], active: set[int]) -> None:
    if id(v) in active:
        return
    if isinstance(v, (tuple, list)):
        out.append((path, v))
        active.add(id(v))
        for i, x in enumerate(v):
            _leaves(x, f"{path}[{i}]", out, active)
        active.discard(id(v))
    elif isinstance(v, dict):
        out.append((path, v))
        active.add(id(v))
        for k, x in v.items():
            _leaves(x, f"{path}[{k!r}]", out, active)
        active.discard(id(v))
    elif isinstance(v, np.ndarray):
        out.append((path, v))
    elif hasattr(v, "__dict__") and not isinstance(v, type):
        out.append((path, v))
        active.add(id(v))
        for k, x in vars(v).items():
            _leaves(x, f"{path}.{k}", out, active)
        active.discard(id(v))


def assert_same(got: Any, want: Any, path: str = "value", scale: float = 0.0) -> None:
    """`got` equals `want` in type, dtype, shape and value. `scale`: the magnitude of float32
    data the floats were computed from; reductions over it may differ by 1e-4 of that
    magnitude (summation order), as errors of float32 sums are bounded relative to their data.
    """
    assert type(got) is type(want), f"{path}: type {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{path}: shape {got.shape} != {want.shape}"
        _close(got, want, path, scale)
    elif isinstance(want, np.generic):
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        _close(np.asarray(got), np.asarray(want), path, scale)
    elif isinstance(want, (bool, int, str, type(None))):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, float):
        # A Python float is often a float32 result converted (float(x.sum())): f32 tolerance.
        ok = np.isclose(got, want, rtol=1e-5, atol=max(1e-6, 1e-4 * scale), equal_nan=True)
        assert ok, f"{path}: {got} != {want}"
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]", scale)
    elif isinstance(want, dict):
        assert list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        for k in want:
            assert_same(got[k], want[k], f"{path}[{k!r}]", scale)
    elif isinstance(want, np.random.Generator):
        assert got.bit_generator.state == want.bit_generator.state, f"{path}: generator state"
    elif isinstance(want, np.random.RandomState):
        assert _same_rng((got.get_state(), ()), (want.get_state(), ())), f"{path}: state"
    elif hasattr(want, "__dict__"):
        assert_same(vars(got), vars(want), f"{path}.__dict__", scale)
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _close(got: np.ndarray, want: np.ndarray, path: str, scale: float = 0.0) -> None:
    if want.dtype.kind == "f":
        rtol, atol = (1e-4, 1e-5) if want.dtype.itemsize <= 4 else (1e-9, 1e-12)
        atol = max(atol, 1e-4 * scale)
        assert np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True), (
            f"{path}: values differ (max abs err {np.nanmax(np.abs(got - want), initial=0)})")
    else:
        assert np.array_equal(got, want), f"{path}: values differ:\n{got}\nvs\n{want}"


def stats(fn: jm.JanusFunction) -> tuple[int, int, int, int, int]:
    s = fn.stats
    return (s.calls, s.graph_calls, s.imperative_calls, s.fallbacks, s.compilations)


_modules = itertools.count()


def load_source(tmp_path: Path, source: str, header: str = "import numpy as np\n\n\n"
                ) -> ModuleType:
    """A module written from `source` into a file (the converter reads functions' source)."""
    path = tmp_path / f"case_{next(_modules)}.py"
    path.write_text(header + source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def converted(fn: Any, *args: Any, graph_calls: int = 1) -> jm.JanusFunction:
    """`fn` compiled and checked on `graph_calls` + 1 calls (NumPy's RuntimeWarnings, such as
    all-NaN slices and casts, silenced on both sides); all but the profiling call must be
    answered by the graph."""
    f = jm.compile(fn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(graph_calls + 1):
            check(f, *args)
    assert f.stats.graph_calls == graph_calls, f.reasons
    return f


def check_plain(tmp_path: Path, params: str, expr: str, args: tuple, why: str | None = None
                ) -> jm.JanusFunction:
    """`def case(params): return expr` compiled, called twice and compared with plain Python:
    no graph may answer (the call runs as plain Python), and with `why`, a reason says it."""
    f = jm.compile(load_source(tmp_path, f"def case({params}):\n    return {expr}\n").case)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 0
    if why is not None:
        assert any(why in r for r in f.reasons), f.reasons
    return f


def one_graph_for_lengths(fn: Any, make: Any, lengths: Any, plain: int = 2) -> jm.JanusFunction:
    """`fn` compiled and checked on `make(n)` for each length: the first length converts
    unrolled, its length guard fails once, then one graph answers the rest (`plain`: the calls
    that ran as plain Python, the profiling call and the first change of length by default)."""
    f = jm.compile(fn)
    for n in lengths:
        check(f, *make(n))
    assert f.stats.compilations == 2, f.reasons
    assert f.stats.graph_calls == len(lengths) - plain, f.reasons
    return f
