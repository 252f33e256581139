"""Lookups."""

from __future__ import annotations

import numpy as np


def embedding(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Rows of `table` (V, D) picked by integer `ids` of any shape: shape (*ids.shape, D).
    Out-of-range ids raise IndexError; negative ids count from the end, as in np.take."""
    return np.take(table, ids, axis=0)
