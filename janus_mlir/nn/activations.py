"""Activations and the softmax family.

Each keeps the input's float dtype (float16/32/64; Python scalars in the formulas are weak, as
NEP 50 says) and gives integer or bool inputs the float64 results NumPy's `np.exp` would.
"""

from __future__ import annotations

import numpy as np

from .special import erf

_SQRT_2_OVER_PI = 0.7978845608028654  # sqrt(2 / pi)
_GELU_CUBIC = 0.044715
_SQRT_HALF = 0.7071067811865476  # 1 / sqrt(2)


def relu(x: np.ndarray) -> np.ndarray:
    """max(x, 0) elementwise, in x's dtype; NaN stays NaN."""
    return np.maximum(x, 0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) elementwise, without overflow for large |x|: exp is only taken of
    -|x|, so sigmoid(-1000) is 0 and sigmoid(1000) is 1 with no warning."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def gelu(x: np.ndarray, approximate: str = "tanh") -> np.ndarray:
    """The Gaussian error linear unit x * Phi(x), Phi the standard normal CDF.

    approximate="tanh" (the default, as in GPT-2/BERT code and jax.nn.gelu):
    0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). approximate="none": the exact
    0.5 * x * (1 + erf(x / sqrt(2))), with erf computed in NumPy (nn.special.erf, accurate to
    within 2e-15 in float64). torch.nn.functional.gelu's default is the exact form."""
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + _GELU_CUBIC * (x * x * x))
        return 0.5 * x * (1 + np.tanh(inner))
    if approximate == "none":
        return 0.5 * x * (1 + erf(x * _SQRT_HALF))
    raise ValueError(f"gelu: approximate must be 'tanh' or 'none', got {approximate!r}")


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x) / sum(exp(x)) along `axis`, computed as exp(x - max) so large logits do not
    overflow. A slice that is all -inf (or holds +inf or NaN) gives NaN, as the formula does."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) along `axis`, as (x - max) - log(sum(exp(x - max))): finite for large
    logits, and exact where softmax would underflow to 0."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
