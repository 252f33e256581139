"""Losses."""

from __future__ import annotations

import numpy as np

from .activations import log_softmax


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.floating:
    """Mean negative log-likelihood of integer class `labels` under softmax(`logits`).

    logits: (..., C) floats; labels: (...) integers in [0, C) (negative labels count from the
    end, as NumPy indexing does; others raise IndexError). Computed from log_softmax, so large
    logits stay finite. Returns a NumPy scalar of the logits' float dtype: the mean over every
    leading position (the batch)."""
    logp = log_softmax(logits, axis=-1)
    picked = np.take_along_axis(logp, np.expand_dims(labels, -1), axis=-1)
    return -np.mean(picked)
