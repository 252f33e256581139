"""Adam and AdamW (decoupled weight decay), as PyTorch defines them."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tree import tree_map


class Adam:
    """m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p = p - lr * m_hat / (sqrt(v_hat) + eps)
    with bias-corrected m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t). `weight_decay` adds
    weight_decay * p to the gradient (L2, Adam) — AdamW decays the parameters instead."""

    decoupled = False

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.m: Any = None
        self.v: Any = None
        self.step = 0

    def update(self, params: Any, grads: Any) -> Any:
        """The parameters after one step (new arrays; `params` is not written)."""
        b1, b2 = self.betas
        if self.weight_decay and not self.decoupled:
            grads = tree_map(lambda g, p: g + self.weight_decay * p, grads, params)
        if self.m is None:
            self.m = tree_map(np.zeros_like, grads)
            self.v = tree_map(np.zeros_like, grads)
        self.step += 1
        self.m = tree_map(lambda m, g: b1 * m + (1 - b1) * g, self.m, grads)
        self.v = tree_map(lambda v, g: b2 * v + (1 - b2) * (g * g), self.v, grads)
        c1, c2 = 1 - b1 ** self.step, 1 - b2 ** self.step
        decay = 1 - self.lr * self.weight_decay if self.decoupled else 1.0

        def move(p, m, v):
            return p * decay - self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

        return tree_map(move, params, self.m, self.v)


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p * (1 - lr * weight_decay) before the step."""

    decoupled = True

    def __init__(self, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(lr, betas, eps, weight_decay)
