"""Statistics: average, median, percentile, quantile, ptp, count_nonzero, nan-aware reductions."""

from __future__ import annotations

from typing import Any

from .args import Handler

FUNCTIONS: dict[Any, Handler] = {}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
