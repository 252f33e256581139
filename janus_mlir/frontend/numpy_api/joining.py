"""Joining and splitting: split/array_split/hsplit/vsplit, hstack/vstack/dstack/column_stack,
tile, repeat, pad, flip, roll, rot90, moveaxis, swapaxes, broadcast_arrays, atleast_*d, meshgrid.
"""

from __future__ import annotations

from typing import Any

from .args import Handler

FUNCTIONS: dict[Any, Handler] = {}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
