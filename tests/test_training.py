"""A training run compiled with @jm.compile follows the plain Python loss curve (the demo's
MLP on scikit-learn's digits when installed, synthetic data otherwise)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

import janus_mlir as jm

_SPEC = importlib.util.spec_from_file_location(
    "train_mlp", Path(__file__).resolve().parents[1] / "examples" / "train_mlp.py")
train_mlp = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(train_mlp)


def test_compiled_training_follows_the_plain_loss_curve():
    x, labels, _ = train_mlp.load_data()
    x, labels = x[:640], labels[:640]
    compiled = jm.compile(train_mlp.train_step)
    plain, _, _ = train_mlp.train(train_mlp.train_step, x, labels, epochs=2)
    jit, _, _ = train_mlp.train(compiled, x, labels, epochs=2)
    np.testing.assert_allclose(jit, plain, rtol=1e-4, atol=1e-5)
    assert plain[-1] < 0.5 * plain[0]  # it learns
    assert compiled.stats.compilations == 1
    assert compiled.stats.graph_calls == len(plain) - 1
