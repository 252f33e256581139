"""Training loops as users write them: a model object holding its parameters in a dict,
optimizers keeping per-parameter state in dicts and a step counter in an attribute, all updated
in place by one compiled step. Final parameters and optimizer state equal plain Python's, and
one graph serves every step after the profiling call."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import janus_mlir as jm
from janus_mlir import optim

from .equivalence import assert_same


class MLP:
    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": (rng.standard_normal((8, 16)) * 0.3).astype(np.float32),
            "b1": np.zeros(16, np.float32),
            "W2": (rng.standard_normal((16, 4)) * 0.3).astype(np.float32),
            "b2": np.zeros(4, np.float32),
        }


def loss_fn(params, x, y):
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return ((out - y) ** 2).mean()


class SGD:
    def __init__(self, params, lr=0.1, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.velocity = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, params, grads):
        for k in params:
            self.velocity[k] *= self.momentum
            self.velocity[k] += grads[k]
            params[k] -= self.lr * self.velocity[k]


class Adam:
    def __init__(self, params, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.t = 0
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, params, grads):
        self.t += 1
        for k in params:
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * grads[k]
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def train_step(model, opt, x, y):
    loss, grads = jm.value_and_grad(loss_fn)(model.params, x, y)
    opt.step(model.params, grads)
    return loss


def _data(seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 8)).astype(np.float32)
    y = np.sin(x[:, :4]).astype(np.float32)
    return x, y


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_twenty_steps_match_plain_python_with_one_graph(optimizer):
    x, y = _data()
    model = MLP()
    opt = optimizer(model.params)
    plain_model, plain_opt = copy.deepcopy((model, opt))
    step = jm.compile(train_step)
    params_before = dict(model.params)
    losses, plain_losses = [], []
    for _ in range(20):
        losses.append(step(model, opt, x, y))
        plain_losses.append(train_step(plain_model, plain_opt, x, y))
    np.testing.assert_allclose(losses, plain_losses, rtol=1e-4, atol=1e-6)
    assert plain_losses[-1] < 0.7 * plain_losses[0]  # it learns
    for k, p in plain_model.params.items():
        assert model.params[k] is params_before[k]  # updated in place, as plain Python does
        assert model.params[k].dtype == p.dtype
        np.testing.assert_allclose(model.params[k], p, rtol=1e-4, atol=1e-5)
    for name, state in vars(plain_opt).items():
        mine = vars(opt)[name]
        if isinstance(state, dict):
            for k in state:
                np.testing.assert_allclose(mine[k], state[k], rtol=1e-4, atol=1e-6)
        else:
            assert type(mine) is type(state) and mine == state
    assert step.stats.compilations == 1, step.reasons
    assert step.stats.graph_calls == 19, step.reasons


def _linear_loss(params, x, y):
    W, b = params
    return ((x @ W + b - y) ** 2).mean()


def _optim_step(opt, params, x, y):
    value, grads = jm.value_and_grad(_linear_loss)(params, x, y)
    return value, opt.update(params, grads)


@pytest.mark.parametrize("make", [lambda: optim.SGD(lr=0.05, momentum=0.9),
                                  lambda: optim.Adam(lr=0.01), lambda: optim.AdamW(lr=0.01)])
def test_janus_optim_updates_compile_with_their_state(make):
    x, y = _data()
    y = y[:, :2]
    rng = np.random.default_rng(2)
    params = (rng.standard_normal((8, 2)).astype(np.float32), np.zeros(2, np.float32))
    plain_opt, jit_opt = make(), make()
    step = jm.compile(_optim_step)
    plain, jit = params, params
    for _ in range(8):
        want, plain = _optim_step(plain_opt, plain, x, y)
        got, jit = step(jit_opt, jit, x, y)
        np.testing.assert_allclose(got, want, rtol=1e-5)
    for a, b in zip(jit, plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert_same(vars(jit_opt), vars(plain_opt), "optimizer state")
    assert step.stats.graph_calls >= 6, step.reasons  # the first step creates the state
