"""Normalization layers."""

from __future__ import annotations

import numpy as np


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray,
               eps: float = 1e-5) -> np.ndarray:
    """Layer normalization over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta,
    with the biased variance (mean of squared deviations), as torch.nn.LayerNorm.

    x: (..., D); gamma, beta: (D,) (anything that broadcasts against x)."""
    mu = np.mean(x, axis=-1, keepdims=True)
    d = x - mu
    var = np.mean(d * d, axis=-1, keepdims=True)
    return d / np.sqrt(var + eps) * gamma + beta
