"""2-D convolution (cross-correlation, as in every deep-learning framework)."""

from __future__ import annotations

import numpy as np

from ._windows import check_nchw, out_size, pair, windows


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> np.ndarray:
    """torch.nn.functional.conv2d in NumPy.

    x: (N, C, H, W); w: (F, C // groups, KH, KW); b: (F,) or None. stride, padding (zeros on
    both sides of H and W) and dilation: an int or an (h, w) pair. groups: C and F split into
    `groups` equal parts, part g of the output reading only part g of the input.
    Returns (N, F, OH, OW), OH = (H + 2*pad - dilation*(KH - 1) - 1) // stride + 1 (likewise
    OW), of dtype np.result_type(x, w) (then promoted with b).

    Computed as im2col: the KH*KW strided slices of the padded input stacked, then one einsum
    with the weights (no stride tricks, so it converts and differentiates like any NumPy)."""
    fn = "conv2d"
    check_nchw(x, fn)
    if np.ndim(w) != 4:
        raise ValueError(f"{fn}: expected 4-D (F, C/groups, KH, KW) weights, got shape "
                         f"{np.shape(w)}")
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)) \
            or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive int, got {groups!r}")
    sh, sw = pair(stride, "stride", fn, 1)
    ph, pw = pair(padding, "padding", fn, 0)
    dh, dw = pair(dilation, "dilation", fn, 1)
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    if c != cg * groups:
        raise ValueError(f"{fn}: input has {c} channels, weights expect {cg} x {groups} groups")
    if f % groups:
        raise ValueError(f"{fn}: {f} filters do not split into {groups} groups")
    if kh < 1 or kw < 1:
        raise ValueError(f"{fn}: empty kernel {(kh, kw)}")
    if b is not None and np.shape(b) != (f,):
        raise ValueError(f"{fn}: bias of shape {np.shape(b)}, expected ({f},)")
    oh = out_size(h, ph, kh, sh, dh, fn)
    ow = out_size(wd, pw, kw, sw, dw, fn)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    cols = np.stack(windows(xp, (kh, kw), (sh, sw), (dh, dw), (oh, ow)), axis=2)
    cols = cols.reshape(n, groups, cg, kh * kw, oh, ow)
    wg = w.reshape(groups, f // groups, cg, kh * kw)
    out = np.einsum("ngckhw,gfck->ngfhw", cols, wg).reshape(n, f, oh, ow)
    if b is not None:
        out = out + np.reshape(b, (f, 1, 1))
    return out
