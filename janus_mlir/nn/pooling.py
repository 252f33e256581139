"""2-D max and average pooling over NCHW inputs (floor mode, as PyTorch's default)."""

from __future__ import annotations

import numpy as np

from ._windows import check_nchw, out_size, pair, windows


def _args(x, kernel, stride, padding, fn):
    check_nchw(x, fn)
    k = pair(kernel, "kernel", fn, 1)
    s = k if stride is None else pair(stride, "stride", fn, 1)
    p = pair(padding, "padding", fn, 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{fn}: padding {p} must be at most half the kernel {k}")
    hw = (out_size(x.shape[2], p[0], k[0], s[0], 1, fn),
          out_size(x.shape[3], p[1], k[1], s[1], 1, fn))
    return k, s, p, hw


def _padded(x: np.ndarray, p: tuple[int, int], value) -> np.ndarray:
    if not p[0] and not p[1]:
        return x
    return np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])), constant_values=value)


def max_pool2d(x: np.ndarray, kernel, stride=None, padding: int = 0) -> np.ndarray:
    """The maximum over each kernel window: (N, C, H, W) -> (N, C, OH, OW), OH = (H + 2*pad -
    KH) // stride + 1. kernel, stride (default: the kernel) and padding: an int or (h, w).
    Padding never wins (it is -inf, or the dtype's minimum for integers; at most half the
    kernel, so every window holds an input element); NaN propagates, as in np.max."""
    k, s, p, hw = _args(x, kernel, stride, padding, "max_pool2d")
    dt = x.dtype
    low = -np.inf if dt.kind == "f" else (False if dt.kind == "b" else np.iinfo(dt).min)
    parts = windows(_padded(x, p, low), k, s, (1, 1), hw)
    return np.max(np.stack(parts, axis=2), axis=2)


def avg_pool2d(x: np.ndarray, kernel, stride=None, padding: int = 0) -> np.ndarray:
    """The mean over each kernel window, with count_include_pad semantics (PyTorch's
    default): padding counts as zeros and every window divides by KH * KW. Shapes as
    max_pool2d. Float inputs keep their dtype; integer and bool inputs give float64 (as
    np.mean)."""
    k, s, p, hw = _args(x, kernel, stride, padding, "avg_pool2d")
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    parts = windows(_padded(x, p, 0), k, s, (1, 1), hw)
    return np.sum(np.stack(parts, axis=2), axis=2) / (k[0] * k[1])
