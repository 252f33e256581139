"""Dropout."""

from __future__ import annotations

import numpy as np


def dropout(x: np.ndarray, p: float, rng: np.random.Generator,
            training: bool = True) -> np.ndarray:
    """Inverted dropout: each element is kept with probability 1 - p and scaled by 1 / (1 - p)
    (so the expectation is x), the others are exactly 0.

    `rng` (a np.random.Generator) draws one `rng.random(x.shape)` per call; an element is kept
    where that draw is >= p. Not training, or p == 0: x itself is returned (no draw); p == 1:
    all zeros of the dtype the scaling would give (no draw). The random draw makes a compiled
    caller run as plain Python."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return np.zeros(np.shape(x), dtype=np.result_type(x, 1.0))
    keep = rng.random(x.shape) >= p
    return np.where(keep, x * (1 / (1 - p)), 0)
