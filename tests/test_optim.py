"""Optimizers against PyTorch's update formulas written out per step, over pytrees; and a
training loop that uses them with jm.grad (its state lives in the optimizer object)."""

from __future__ import annotations

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir.optim import SGD, Adam, AdamW

RNG = np.random.default_rng(0)


def _grads(n):
    return [RNG.standard_normal(3) for _ in range(n)]


@pytest.mark.parametrize("momentum, wd, nesterov", [(0.0, 0.0, False), (0.9, 0.0, False),
                                                     (0.9, 0.01, False), (0.9, 0.01, True)])
def test_sgd_matches_the_reference(momentum, wd, nesterov):
    opt = SGD(0.1, momentum=momentum, weight_decay=wd, nesterov=nesterov)
    p = {"w": np.ones(3)}
    ref, buf = np.ones(3), None
    for g in _grads(4):
        p = opt.update(p, {"w": g})
        d = g + wd * ref
        if momentum:
            buf = d if buf is None else momentum * buf + d
            d = d + momentum * buf if nesterov else buf
        ref = ref - 0.1 * d
        np.testing.assert_allclose(p["w"], ref, rtol=1e-12)


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_adam_matches_the_reference(cls):
    opt = cls(lr=0.01, weight_decay=0.1)
    p = (np.ones(3),)
    ref, m, v = np.ones(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(_grads(5), start=1):
        p = opt.update(p, (g,))
        if cls is Adam:
            g = g + 0.1 * ref
        else:
            ref = ref * (1 - 0.01 * 0.1)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        np.testing.assert_allclose(p[0], ref, rtol=1e-12)
    assert opt.step == 5


def test_training_with_an_optimizer_lowers_the_loss():
    x = RNG.standard_normal((32, 4))
    y = x @ np.array([1.0, -2.0, 0.5, 3.0])

    def loss(w):
        return np.mean((x @ w - y) ** 2)

    opt = Adam(lr=0.1)
    w = np.zeros(4)
    first = loss(w)
    for _ in range(200):
        w = opt.update(w, jm.grad(loss)(w))
    assert loss(w) < 1e-3 * first


def test_invalid_settings_raise():
    with pytest.raises(ValueError):
        SGD(0.1, nesterov=True)
    with pytest.raises(ValueError):
        Adam(betas=(1.0, 0.9))
