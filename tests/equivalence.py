"""The oracle: a compiled call must behave exactly like the undecorated function.

`check(compiled, *args)` runs the plain function and the compiled one on deep copies of the same
inputs and compares return values (values, dtypes, shapes, Python types), the inputs afterwards
(the heap), what was printed, and the exception raised, if any.
"""

from __future__ import annotations

import contextlib
import copy
import io
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
    """One call of `compiled` compared with its undecorated function; returns the result."""
    plain_in = copy.deepcopy((args, kwargs))
    jit_in = copy.deepcopy((args, kwargs))
    expected, exp_exc, exp_out = run_captured(compiled.fn, *plain_in)
    got, got_exc, got_out = run_captured(compiled, *jit_in)
    assert got_out == exp_out, f"stdout differs:\n{got_out!r}\nvs\n{exp_out!r}"
    if exp_exc is not None or got_exc is not None:
        assert type(got_exc) is type(exp_exc), f"raised {got_exc!r}, plain raised {exp_exc!r}"
        assert str(got_exc) == str(exp_exc)
    else:
        assert_same(got, expected, "result")
    assert_same(jit_in, plain_in, "inputs after the call")
    return got


def assert_same(got: Any, want: Any, path: str = "value") -> None:
    assert type(got) is type(want), f"{path}: type {type(got).__name__} != {type(want).__name__}"
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{path}: shape {got.shape} != {want.shape}"
        _close(got, want, path)
    elif isinstance(want, np.generic):
        assert got.dtype == want.dtype, f"{path}: dtype {got.dtype} != {want.dtype}"
        _close(np.asarray(got), np.asarray(want), path)
    elif isinstance(want, (bool, int, str, type(None))):
        assert got == want, f"{path}: {got!r} != {want!r}"
    elif isinstance(want, float):
        # A Python float is often a float32 result converted (float(x.sum())): f32 tolerance.
        ok = np.isclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True)
        assert ok, f"{path}: {got} != {want}"
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want), f"{path}: length {len(got)} != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(g, w, f"{path}[{i}]")
    elif isinstance(want, dict):
        assert list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        for k in want:
            assert_same(got[k], want[k], f"{path}[{k!r}]")
    elif hasattr(want, "__dict__"):
        assert_same(vars(got), vars(want), f"{path}.__dict__")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _close(got: np.ndarray, want: np.ndarray, path: str) -> None:
    if want.dtype.kind == "f":
        rtol, atol = (1e-4, 1e-5) if want.dtype.itemsize <= 4 else (1e-9, 1e-12)
        assert np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True), (
            f"{path}: values differ (max abs err {np.nanmax(np.abs(got - want), initial=0)})")
    else:
        assert np.array_equal(got, want), f"{path}: values differ:\n{got}\nvs\n{want}"


def stats(fn: jm.JanusFunction) -> tuple[int, int, int, int, int]:
    s = fn.stats
    return (s.calls, s.graph_calls, s.imperative_calls, s.fallbacks, s.compilations)
