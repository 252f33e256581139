"""runtime/speed.py: a function whose graph is slower than plain Python runs as plain Python,
with a reason; graphs that pay keep answering. The state machine is tested on given durations;
one compiled function checks the whole path on a graph far slower than the NumPy it replaces."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.runtime import speed
from janus_mlir.runtime.speed import SpeedCheck

from .equivalence import check


def measured(graph_s: float, plain_s: float) -> tuple[SpeedCheck, list[str]]:
    """A check fed `graph_s` per graph call and `plain_s` per plain call until it decides."""
    s, routes = SpeedCheck(), []
    s.compiled()
    verdicts = []
    for _ in range(speed.WARMUP + speed.GRAPH_SAMPLES + speed.PLAIN_SAMPLES):
        if s.active and s.run_plain():
            routes.append("plain")
            verdict = s.plain_call(plain_s)
            if verdict:
                verdicts.append(verdict)
        else:
            routes.append("graph")
            if s.active:
                s.graph_call(graph_s)
    assert routes == (["graph"] * (speed.WARMUP + speed.GRAPH_SAMPLES)
                      + ["plain"] * speed.PLAIN_SAMPLES)
    return s, verdicts


def test_a_slower_graph_sends_calls_to_plain_python_and_is_measured_again():
    s, verdicts = measured(graph_s=5e-4, plain_s=6e-5)
    assert s.plain_mode and len(verdicts) == 1 and "500 us" in verdicts[0]
    plain = sum(s.run_plain() for _ in range(speed.RECHECK - 1))
    assert plain == speed.RECHECK - 1
    assert not s.run_plain() and not s.plain_mode  # the graphs are measured again
    assert s.samples == speed.RECHECK_SAMPLES  # on a few calls (the graph is warm)
    assert s.recheck == 2 * speed.RECHECK  # and, losing again, kept out twice as long


def test_a_graph_that_pays_keeps_answering_untimed():
    s, verdicts = measured(graph_s=1e-4, plain_s=1e-4)  # within SLOWER: the graph stays
    assert not verdicts and not s.plain_mode and not s.active


def tiny(x, a):
    return x * a + 1.0


def test_a_compiled_function_slower_than_numpy_runs_as_plain_python(monkeypatch):
    monkeypatch.setenv("JANUS_MLIR_SPEED_CHECK", "1")
    f = jm.compile(tiny)  # a 4-element graph: ~10 us per call against NumPy's ~2 us
    x = np.arange(4, dtype=np.float32)
    calls = 1 + speed.WARMUP + speed.GRAPH_SAMPLES + speed.PLAIN_SAMPLES + 5
    for _ in range(calls):
        check(f, x, 2.5)
    assert f.stats.compilations == 1
    assert f.stats.graph_calls == speed.WARMUP + speed.GRAPH_SAMPLES, f.reasons
    assert any(r.startswith("slower: a graph call takes") for r in f.reasons), f.reasons


@pytest.mark.parametrize("value", ["0", "no"])
def test_the_check_can_be_turned_off(monkeypatch, value):
    monkeypatch.setenv("JANUS_MLIR_SPEED_CHECK", value)
    f = jm.compile(tiny)
    x = np.arange(4, dtype=np.float32)
    for _ in range(30):
        f(x, 2.5)
    assert f.stats.graph_calls == 29
