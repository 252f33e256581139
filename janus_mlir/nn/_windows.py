"""Argument checks and window slicing shared by convolution and pooling."""

from __future__ import annotations

from typing import Any

import numpy as np


def pair(v: Any, what: str, fn: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each at least `minimum`."""
    items = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(items) != 2 or not all(isinstance(i, (int, np.integer)) and not isinstance(
            i, (bool, np.bool_)) for i in items):
        raise TypeError(f"{fn}: {what} must be an int or a pair of ints, got {v!r}")
    out = (int(items[0]), int(items[1]))
    if min(out) < minimum:
        raise ValueError(f"{fn}: {what} must be at least {minimum}, got {v!r}")
    return out


def out_size(size: int, pad: int, kernel: int, stride: int, dilation: int, fn: str) -> int:
    """Output length of a window sweep (floor mode, as PyTorch's default)."""
    span = dilation * (kernel - 1) + 1
    if size + 2 * pad < span:
        raise ValueError(f"{fn}: the padded input ({size} + 2*{pad}) is smaller than the "
                         f"window ({span})")
    return (size + 2 * pad - span) // stride + 1


def windows(xp: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int],
            dilation: tuple[int, int], out_hw: tuple[int, int]) -> list[np.ndarray]:
    """The strided slices of the (already padded) NCHW `xp` that each window offset reads,
    in row-major (kh, kw) order: kh * kw arrays of shape (N, C, OH, OW)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    return [xp[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
            for i in range(kh) for j in range(kw)]


def check_nchw(x: np.ndarray, fn: str) -> None:
    if np.ndim(x) != 4:
        raise ValueError(f"{fn}: expected a 4-D NCHW input, got shape {np.shape(x)}")
