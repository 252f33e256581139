"""The janus conv2d, max_pool2d and avg_pool2d ops against their NumPy forms in
janus_mlir.nn (themselves checked against loops in tests/test_nn.py): generated shapes, strides,
padding, dilations and groups, every dtype, zero-size dims, NaN and infinities through max
pooling, float32 data off the exact grid, and the shape rules' rejections."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from janus_mlir import nn

from .op_harness import (
    BOOL,
    F16,
    F32,
    F64,
    I32,
    I64,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    make_array,
    seeds,
)

COVERED = covered(["conv2d", "max_pool2d", "avg_pool2d"])
I8 = np.dtype(np.int8)
NUMERIC = (I8, I32, I64, F16, F32, F64)


@st.composite
def conv_case(draw: st.DrawFn) -> Case:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cg = draw(st.sampled_from([0, 1, 1, 2, 3]))
    fg = draw(st.integers(1, 3))
    n = draw(st.sampled_from([0, 1, 1, 2]))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilations = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    # Spatial sizes the window fits into once padded.
    h = draw(st.integers(max(0, dilations[0] * (kh - 1) + 1 - 2 * padding[0]), 7))
    w = draw(st.integers(max(0, dilations[1] * (kw - 1) + 1 - 2 * padding[1]), 7))
    xdt = draw(st.sampled_from(NUMERIC))
    wdt = xdt if draw(st.integers(0, 3)) else draw(st.sampled_from(NUMERIC))
    rng = np.random.default_rng(draw(seeds))
    x = make_array(rng, (n, cg * groups, h, w), xdt, low=-3, high=3)
    wt = make_array(rng, (fg * groups, cg, kh, kw), wdt, low=-3, high=3)
    attrs = {"strides": strides, "padding": padding, "dilations": dilations, "groups": groups}
    return Case("conv2d", (x, wt), attrs)


@st.composite
def pool_case(draw: st.DrawFn) -> Case:
    op = draw(st.sampled_from(["max_pool2d", "avg_pool2d"]))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    strides = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    h = draw(st.integers(max(0, kernel[0] - 2 * padding[0]), 7))
    w = draw(st.integers(max(0, kernel[1] - 2 * padding[1]), 7))
    n, c = draw(st.sampled_from([0, 1, 2])), draw(st.sampled_from([0, 1, 3]))
    dt = draw(st.sampled_from((BOOL, *NUMERIC)))
    rng = np.random.default_rng(draw(seeds))
    x = make_array(rng, (n, c, h, w), dt, low=-3, high=3,
                   specials=op == "max_pool2d" and dt.kind == "f" and draw(st.booleans()))
    return Case(op, (x,), {"kernel": kernel, "strides": strides, "padding": padding})


@st.composite
def batch(draw: st.DrawFn) -> list[Case]:
    return [draw(conv_case()) for _ in range(16)] + [draw(pool_case()) for _ in range(16)]


@compiled(max_examples=5)
@given(batch())
def test_convolution_and_pooling_match_numpy(cases: list[Case]) -> None:
    check_cases(cases)


def test_named_layers() -> None:
    """The layers of common CNNs: a 3x3 same conv, a strided 7x7 stem, a depthwise conv, a
    dilated conv, 2x2 and overlapping 3x3/2 pools."""
    rng = np.random.default_rng(3)
    arr = lambda *s: make_array(rng, s, F32, low=-2, high=2)  # noqa: E731
    one = (1, 1)
    cases = [
        Case("conv2d", (arr(2, 3, 8, 8), arr(4, 3, 3, 3)),
             {"strides": one, "padding": one, "dilations": one}, label="3x3 same"),
        Case("conv2d", (arr(1, 3, 15, 15), arr(8, 3, 7, 7)),
             {"strides": (2, 2), "padding": (3, 3), "dilations": one}, label="7x7/2 stem"),
        Case("conv2d", (arr(2, 6, 6, 6), arr(6, 1, 3, 3)),
             {"strides": one, "padding": one, "dilations": one, "groups": 6},
             label="depthwise"),
        Case("conv2d", (arr(1, 24, 5, 5), arr(12, 2, 3, 3)),
             {"strides": one, "padding": one, "dilations": one, "groups": 12},
             label="12 groups: one grouped convolution"),
        Case("conv2d", (arr(1, 8, 5, 5), arr(16, 1, 3, 3)),
             {"strides": (2, 1), "padding": one, "dilations": one, "groups": 8},
             label="depthwise, two filters per channel"),
        Case("conv2d", (arr(1, 2, 9, 9), arr(3, 2, 3, 3)),
             {"strides": one, "padding": (2, 2), "dilations": (2, 2)}, label="dilated"),
        Case("max_pool2d", (arr(2, 4, 8, 8),), {"kernel": (2, 2), "strides": (2, 2),
                                                 "padding": (0, 0)}),
        Case("max_pool2d", (arr(1, 2, 9, 9),), {"kernel": (3, 3), "strides": (2, 2),
                                                 "padding": (1, 1)}),
        Case("avg_pool2d", (arr(1, 2, 9, 9),), {"kernel": (3, 3), "strides": (2, 2),
                                                 "padding": (1, 1)}),
    ]
    check_cases(cases)


def test_float32_uniform_values_within_tolerance() -> None:
    """Off-grid float32 data and long channel sums: IREE's summation order rounds within the
    float32 tolerance of NumPy's einsum."""
    rng = np.random.default_rng(4)
    x = make_array(rng, (2, 64, 10, 10), F32, low=-1, high=1, grid=False)
    w = make_array(rng, (16, 64, 3, 3), F32, low=-1, high=1, grid=False)
    xg = make_array(rng, (2, 32, 10, 10), F32, low=-1, high=1, grid=False)
    wg = make_array(rng, (8, 8, 3, 3), F32, low=-1, high=1, grid=False)
    tol = (1e-4, 1e-4)  # sums of ~600 products of magnitude <= 1
    check_cases([
        Case("conv2d", (x, w), {"strides": (1, 1), "padding": (1, 1), "dilations": (1, 1)},
             tol=tol),
        Case("conv2d", (xg, wg), {"strides": (2, 1), "padding": (0, 1), "dilations": (1, 1),
                                  "groups": 4}, tol=tol),
        Case("avg_pool2d", (x,), {"kernel": (3, 3), "strides": (1, 1), "padding": (1, 1)}),
    ])


def test_max_pool_nan_and_infinities() -> None:
    x = np.array([[[[np.nan, 1.0, -np.inf, 2.0], [0.0, 3.0, -np.inf, -np.inf],
                    [np.inf, -1.0, -2.0, np.nan], [-0.0, 0.5, 1.5, -3.0]]]])
    cases = [Case("max_pool2d", (x.astype(dt),), {"kernel": (2, 2), "strides": (s, s),
                                                   "padding": (p, p)})
             for dt in (F16, F32, F64) for s, p in ((2, 0), (1, 1))]
    check_cases(cases)


def test_reference_is_nn() -> None:
    """The registry's references are janus_mlir.nn's functions (the eager path)."""
    from janus_mlir.ops import lookup

    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((2, 1, 2, 2))
    got = lookup("conv2d").numpy(x, w, strides=(1, 2), padding=(1, 0), dilations=(2, 1),
                                 groups=2)
    np.testing.assert_array_equal(got, nn.conv2d(x, w, None, (1, 2), (1, 0), (2, 1), 2))


Z = np.zeros
ONE = {"strides": (1, 1), "padding": (0, 0), "dilations": (1, 1)}

INVALID = [
    ("conv2d", [(1, 3, 4, 4), (2, 2, 3, 3)], ONE,
     lambda: nn.conv2d(Z((1, 3, 4, 4)), Z((2, 2, 3, 3)))),
    ("conv2d", [(1, 3, 2, 2), (2, 3, 3, 3)], ONE,
     lambda: nn.conv2d(Z((1, 3, 2, 2)), Z((2, 3, 3, 3)))),
    ("conv2d", [(1, 4, 4, 4), (3, 2, 1, 1)], {**ONE, "groups": 2},
     lambda: nn.conv2d(Z((1, 4, 4, 4)), Z((3, 2, 1, 1)), groups=2)),
    ("conv2d", [(3, 4, 4), (2, 3, 1, 1)], ONE, lambda: nn.conv2d(Z((3, 4, 4)), Z((2, 3, 1, 1)))),
    ("max_pool2d", [(1, 1, 4, 4)], {"kernel": (2, 2), "strides": (1, 1), "padding": (2, 0)},
     lambda: nn.max_pool2d(Z((1, 1, 4, 4)), 2, 1, (2, 0))),
    ("avg_pool2d", [(1, 1, 1, 4)], {"kernel": (4, 1), "strides": (1, 1), "padding": (1, 0)},
     lambda: nn.avg_pool2d(Z((1, 1, 1, 4)), (4, 1), 1, (1, 0))),
]


@pytest.mark.parametrize("op,shapes,attrs,numpy_call", INVALID)
def test_shape_rules_reject_what_numpy_rejects(op, shapes, attrs, numpy_call) -> None:
    check_rejected(op, [TensorSpec(s, F64) for s in shapes], attrs, numpy_call)
