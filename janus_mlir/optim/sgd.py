"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

from .tree import tree_map


class SGD:
    """PyTorch's SGD: g = grad + weight_decay * p; with momentum, v = momentum * v + g
    (v = g on the first step) and the step is v (or g + momentum * v with `nesterov`);
    p = p - lr * step. The velocity is kept per leaf in `self.velocity`."""

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False):
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("lr, momentum and weight_decay must be non-negative")
        if nesterov and momentum == 0:
            raise ValueError("Nesterov momentum needs a momentum")
        self.lr, self.momentum, self.weight_decay, self.nesterov = (lr, momentum, weight_decay,
                                                                    nesterov)
        self.velocity: Any = None

    def update(self, params: Any, grads: Any) -> Any:
        """The parameters after one step (new arrays; `params` is not written)."""
        if self.weight_decay:
            grads = tree_map(lambda g, p: g + self.weight_decay * p, grads, params)
        if self.momentum:
            if self.velocity is None:
                self.velocity = grads
            else:
                self.velocity = tree_map(lambda v, g: self.momentum * v + g, self.velocity,
                                         grads)
            if self.nesterov:
                grads = tree_map(lambda g, v: g + self.momentum * v, grads, self.velocity)
            else:
                grads = self.velocity
        return tree_map(lambda p, g: p - self.lr * g, params, grads)
