"""Matrices: trace, diag, diagonal, eye/identity, tril/triu, np.linalg.norm."""

from __future__ import annotations

from typing import Any

from .args import Handler

FUNCTIONS: dict[Any, Handler] = {}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
