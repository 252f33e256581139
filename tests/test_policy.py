"""The speculation policy's ladder and the assumption kinds, on their own (no conversion)."""

from __future__ import annotations

import pytest

from janus_mlir.speculation.assumptions import Guard, Kind
from janus_mlir.speculation.policy import MAX_ASSUMPTION_FAILURES, Policy, Step
from janus_mlir.speculation.sources import AttrOf, Param


def test_a_value_that_changes_becomes_a_runtime_input_then_a_constant_if_needed():
    p, lr = Policy(), Param("lr")
    assert p.failed(Guard(lr, "value", 0.1)) is Step.RUNTIME_INPUT
    assert lr in p.dynamic
    p.needs_constant(lr)
    assert lr in p.keyed and lr not in p.dynamic


def test_hysteresis_is_per_assumption_key():
    p = Policy()
    model, other = Guard(AttrOf(Param("m"), "f"), "identity", len), Guard(Param("x"), "len", 3)
    steps = [p.failed(model) for _ in range(MAX_ASSUMPTION_FAILURES)]
    assert steps == [Step.REBUILD] * (MAX_ASSUMPTION_FAILURES - 1) + [Step.STOP]
    assert p.failed(other) is Step.REBUILD  # another assumption keeps its own count
    # the same source under another kind is another assumption
    assert p.failed(Guard(model.source, "type", int)) is Step.REBUILD


def test_lengths_and_shapes_relax_once_per_new_axis():
    p, xs, x = Policy(), Param("xs"), Param("x")
    assert p.length_changed(xs) and not p.length_changed(xs)
    assert p.shape_changed(x, (0,)) and not p.shape_changed(x, (0,))
    assert p.shape_changed(x, (1,)) and p.symbolic[x] == (0, 1)


def test_kinds_are_checked_when_a_guard_is_made():
    assert Guard(Param("x"), "len", 2).kind is Kind.LEN
    with pytest.raises(ValueError):
        Guard(Param("x"), "lenght", 2)
    with pytest.raises(ValueError, match="checked in the graph"):
        Guard(Param("x"), "branch", True)
