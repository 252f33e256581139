"""Shape, joining and creation functions through jm.compile, against plain NumPy.

Each generated example is one compiled function returning many results (one compile per
example), checked by the oracle: values, dtypes, shapes, kinds, and which results are views of
the argument (np.shares_memory) and which are copies. Then: writes through returned views and
in-graph views, the functions that fall back (NumPy raises, or a constant is computed from
data), and two realistic programs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import janus_mlir as jm

from .equivalence import check, converted, stats
from .op_harness import DTYPES, compiled, make_array, seeds, shapes

X = np.arange(24.0, dtype=np.float32).reshape(4, 6)


# ---------------------------------------------------------------------------------------------
# Generated: many functions per compiled example
# ---------------------------------------------------------------------------------------------


@st.composite
def _array(draw: st.DrawFn, min_rank: int) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(shapes(min_rank, 3))
    return make_array(np.random.default_rng(draw(seeds)), shape, dtype, specials=True)


def _sections(draw: st.DrawFn, n: int) -> int:
    return draw(st.sampled_from([k for k in range(1, 6) if n % k == 0] if n else [1, 2, 3]))


def _pad_width(draw: st.DrawFn, ndim: int):
    form = draw(st.integers(0, 3))
    w = st.integers(0, 3)
    if form == 0:
        return draw(w)
    if form == 1:
        return (draw(w), draw(w))
    if form == 2:
        return ((draw(w),),)
    return tuple((draw(w), draw(w)) for _ in range(ndim))


@st.composite
def joining_case(draw: st.DrawFn):
    x = draw(_array(1))
    nd = x.ndim
    axis = draw(st.integers(-nd, nd - 1))
    n = x.shape[axis]
    p = {
        "sections": _sections(draw, n),
        "k": draw(st.integers(1, 5)),
        "cuts": draw(st.lists(st.integers(-6, 7), max_size=3)),
        "axis": axis,
        "dest": draw(st.integers(-nd, nd - 1)),
        "shift": draw(st.integers(-7, 7)),
        "reps": tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=4))),
        "r": draw(st.integers(0, 3)),
        "counts": draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)) or [2],
        "mode": "constant" if 0 in x.shape else draw(
            st.sampled_from(["edge", "reflect", "symmetric", "wrap"])),
        "widths": _pad_width(draw, nd),
        "cv": draw(st.sampled_from([0, 1, -2, ((1, 2),), 3.5 if x.dtype.kind == "f" else 4])),
        "saxis": draw(st.integers(-nd - 1, nd)),
        "eaxes": tuple(draw(st.lists(st.integers(0, nd), unique=True, min_size=1, max_size=2))),
    }
    return x, p


def program_from_source(body: str, **params) -> object:
    """`def program(x): return <body>` with `params` written in as literals, loaded from a
    real file (the converter reads the function's source; constants in the code are static)."""
    text = "import numpy as np\n\n\ndef program(x):\n    return (" + body.format(
        **{k: repr(v) for k, v in params.items()}) + ")\n"
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    path = _SOURCES / f"program_{digest}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"program_{digest}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.program


_SOURCES = Path(tempfile.mkdtemp(prefix="janus_shapes_"))

JOINING = """
    np.split(x, {sections}, axis={axis}), np.array_split(x, {k}, {axis}),
    np.split(x, {cuts}, {axis}), np.flip(x, {axis}), np.flip(x), np.flipud(x),
    np.roll(x, {shift}, axis={axis}), np.roll(x, {shift}),
    np.moveaxis(x, {axis}, {dest}), np.swapaxes(x, {axis}, {dest}), x.swapaxes({dest}, {axis}),
    np.tile(x, {reps}), np.repeat(x, {r}, axis={axis}), np.repeat(x, {counts}, axis={axis}),
    x.repeat({r}), np.pad(x, {widths}, mode={mode}), np.pad(x, {widths}, constant_values={cv}),
    np.concatenate([x, x], axis=None), np.concatenate([x, x], axis={axis}, dtype=np.float64),
    np.stack([x, x], axis={saxis}), np.atleast_1d(x), np.atleast_2d(x), np.atleast_3d(x),
    np.ravel(x), x.ravel(), x.flatten(), np.expand_dims(x, {eaxes}),
    np.hstack([x, x]), np.vstack([x, x]), np.dstack((x, x)), np.column_stack([x, x]),
    np.hsplit(x, 1), np.transpose(x, {neg_perm}), x.transpose(*{neg_perm}),
"""


@compiled(max_examples=8)
@given(joining_case())
def test_joining_and_views_match_numpy(case) -> None:
    x, p = case
    p["neg_perm"] = tuple(range(-1, -x.ndim - 1, -1))
    converted(program_from_source(JOINING, **p), x)


@st.composite
def matrix_case(draw: st.DrawFn):
    x = draw(_array(2))
    nd = x.ndim
    a0 = draw(st.integers(-nd, nd - 1))
    a1 = draw(st.sampled_from([a for a in range(-nd, nd) if a % nd != a0 % nd]))
    return x, {"k": draw(st.integers(-5, 5)), "axes": (a0, a1),
               "src": (a0, a1), "dst": (a1, a0) if draw(st.booleans()) else (0, -1)}


MATRIX = """
    np.rot90(x), np.rot90(x, {k}, {axes}), np.fliplr(x), np.vsplit(x, [1]),
    np.moveaxis(x, {src}, {dst}), np.roll(x, (1, -2), axis={axes}),
    np.squeeze(x[None, :, None], axis=(0, 2 - x.ndim - 2)), x[:, None].squeeze((1,)),
    x.transpose(*{perm}), np.expand_dims(x, (-1, 0)), np.ravel(x.T), np.flip(x.T, 0),
    np.atleast_3d(x.T), np.hsplit(x.T, 1), np.roll(x.T, 1, 0), np.pad(x.T, (0, 2)),
"""


@compiled(max_examples=6)
@given(matrix_case())
def test_rank2_views_match_numpy(case) -> None:
    x, p = case
    a0, a1 = (a % x.ndim for a in p["axes"])
    p["perm"] = (a0, a1, *[a for a in range(x.ndim) if a not in (a0, a1)])
    converted(program_from_source(MATRIX, **p), x)


def scalars_and_0d(x):
    s = x.sum()
    z = np.asarray(x[0, 0])
    return (np.atleast_1d(s), np.atleast_2d(z), np.atleast_3d(2.5), np.flip(z), np.ravel(s),
            np.tile(z, 3), np.tile(s, ()), np.repeat(s, 2), np.roll(z, 1), np.pad(z, 2),
            np.broadcast_arrays(z, x[0], 1.0), np.broadcast_arrays(s, s), np.stack([s, 2.0]), np.atleast_1d(x[0], z))


def test_scalars_and_0d_arrays():
    converted(scalars_and_0d, X)


def mixed_dtypes(x, i):
    cube = np.stack([x, x + 1, x * 2], axis=-1)
    return (np.concatenate([x, i]), np.concatenate([i, x], casting="safe"),
            np.concatenate([x, x], casting="no"), np.hstack([x, i], dtype=np.int32, casting="unsafe"),
            np.vstack((i, i[:1]), dtype=np.float16), np.stack([i, i], axis=-1, dtype=np.int8,
                                                             casting="unsafe"),
            np.dstack([x, i]), np.column_stack([i[:, 0], x]), np.concatenate([i, x], axis=None,
                                                                           dtype=np.float64),
            np.dsplit(cube, [1, 2]), np.dsplit(cube, 3), np.array_split(cube, [2, 1, 5], -1),
            np.pad(i, ((1, 0), (0, 2)), constant_values=7.9), np.pad(x > 3, 1, mode="wrap"),
            np.repeat(i, np.array([1, 2, 0, 1]), axis=0), np.tile(i > 0, (2, 1)),
            np.split(i, np.array(2)), np.array_split(x, np.array([1, 4]), axis=1))


def test_mixed_dtypes_cast_and_promote_like_numpy():
    converted(mixed_dtypes, X, np.arange(24).reshape(4, 6))


def forbidden_cast(x):
    return np.concatenate([x, x], dtype=np.int32)


def cast_rule_no(x):
    return np.concatenate([x, x.astype(int)], casting="no")


def mismatched_stack(x):
    return np.stack([x, x[1:]])


def out_argument(x):
    return np.concatenate([x, x], out=np.empty((8, 6), np.float32))


def meshes(x):
    a, b = x[0], x[:, 0]
    return (np.meshgrid(a, b), np.meshgrid(a, b, x[1, :2], indexing="ij"),
            np.meshgrid(a, b, sparse=True), np.meshgrid(a, b, sparse=True, copy=False),
            np.meshgrid(a, b, copy=False), np.meshgrid(a))


def test_meshgrid():
    converted(meshes, X)


def ranges(x):
    return (np.linspace(0, 1, 6) + x[0], np.linspace(-2.5, 3, 10, endpoint=False, retstep=True),
            np.linspace(0, 7, 5, dtype=np.int32), np.linspace([0, 1], [2, 5], 4, axis=1),
            np.linspace(np.float32(1), 2, 3), np.linspace(0, 1, 1, retstep=True),
            np.logspace(0, 3, 4), np.logspace(0, 3, 4, base=2.0, dtype=np.float32),
            np.arange(0.1, 10, 0.3, dtype=np.float32), np.arange(-3.7, 100.2, 0.7),
            np.arange(0.1, 3.3, 0.1, dtype=np.float16), np.arange(5, -5, -0.37),
            np.arange(-100, 100, 150, dtype=np.int8), np.arange(0.5, 5, 1.5, dtype=int),
            np.arange(1, 7, 2.5), np.arange(10), np.arange(3, -4, -2), np.arange(2, dtype=bool),
            np.arange(0.5, 1.0, 1.0, dtype=np.float32), np.arange(3.0, 1.0))


def test_linspace_logspace_and_float_arange_are_exact():
    f = converted(ranges, X)
    for got, want in zip(f(X), ranges(X)):
        for g, w in zip(*(v if isinstance(v, tuple) else (v,) for v in (got, want))):
            assert np.array_equal(g, w, equal_nan=True), (g, w)


# ---------------------------------------------------------------------------------------------
# Views: writes through returned and in-graph views
# ---------------------------------------------------------------------------------------------


def split_argument(x):
    return np.split(x, 2), np.flip(x, 1), np.rot90(x), np.swapaxes(x, 0, 1), np.atleast_2d(x)


def test_returned_split_and_flip_pieces_are_views_of_the_callers_array():
    f = converted(split_argument, X)
    x = X.copy()
    (top, bottom), flipped, rotated, swapped, same = f(x)
    assert same is x
    top[0, 0] = -1.0
    bottom[-1, -1] = -2.0
    flipped[0, 0] = -3.0  # x[0, -1]
    rotated[0, 0] = -4.0  # x[0, -1] as well (rot90 by 1 of a (4, 6) array)
    assert x[0, 0] == -1.0 and x[-1, -1] == -2.0 and x[0, -1] == -4.0
    swapped[1, 2] = -5.0
    assert x[2, 1] == -5.0


def write_through_split(x):
    a = x * 1
    p, q = np.split(a, 2)
    p += 1
    return a, q


def write_through_flip(x):
    a = x + 0
    f = np.flip(a, 0)
    f[0] = 0
    r = np.rot90(a)
    r *= 2
    return a, f


def write_through_pieces_of_split(x):
    a = x * 2
    pieces = np.array_split(a, 3, axis=1)
    middle = pieces[1]
    middle -= 5
    v = np.moveaxis(a, 0, -1)
    v[0] = 7
    return a, pieces[0]


@pytest.mark.parametrize("fn", [write_through_split, write_through_flip,
                                write_through_pieces_of_split], ids=lambda f: f.__name__)
def test_in_graph_writes_are_seen_through_views(fn):
    converted(fn, X)


def copies(x):
    t = np.tile(x, 2)
    p = np.pad(x, 1)
    r = np.roll(x, 0)
    c = np.concatenate([x])
    t += 1
    p += 1
    r += 1
    c += 1
    return x, t, p, r, c, np.repeat(x, 1), np.pad(x, 0, mode="edge")


def test_copies_are_not_views():
    converted(copies, X)


def split_by_argument(x, n, shift):
    return np.split(x, n, axis=1), np.roll(x, shift, axis=0)


def test_counts_passed_as_arguments_become_part_of_the_signature():
    f = jm.compile(split_by_argument)
    for n, shift in ((2, 1), (2, 1), (3, -1), (3, -1)):
        check(f, X, n, shift)
    assert f.stats.graph_calls >= 1, f.reasons


# ---------------------------------------------------------------------------------------------
# Fallbacks: NumPy raises, or needs constants computed from data
# ---------------------------------------------------------------------------------------------


def unequal_split(x):
    return np.split(x, 5)


def bad_pad_mode(x):
    return np.pad(x, 1, mode="mean")


def counts_from_data(x):
    return np.repeat(x, x[0].astype(int), axis=1)


def flip_bad_axis(x):
    return np.flip(x, 2)


def pad_empty_axis(x):
    return np.pad(x[:0], 1, mode="edge")


def hsplit_0d(x):
    return np.hsplit(x.sum(), 2)


@pytest.mark.parametrize("fn", [unequal_split, bad_pad_mode, counts_from_data, flip_bad_axis,
                                pad_empty_axis, hsplit_0d, forbidden_cast, cast_rule_no, mismatched_stack,
                                out_argument], ids=lambda f: f.__name__)
def test_unconvertible_calls_run_as_plain_python(fn):
    f = jm.compile(fn)
    for _ in range(2):
        check(f, X)
    assert f.stats.graph_calls == 0


# ---------------------------------------------------------------------------------------------
# Realistic programs
# ---------------------------------------------------------------------------------------------


def attention(x, w_qkv, w_out):
    """Multi-head self-attention: one projection split into q, k, v, heads as views."""
    heads = 4
    t, d = x.shape
    qkv = x @ w_qkv
    q, k, v = np.split(qkv, 3, axis=-1)
    q = np.swapaxes(q.reshape(t, heads, d // heads), 0, 1)
    k = np.moveaxis(k.reshape(t, heads, d // heads), 0, -1)
    v = v.reshape(t, heads, d // heads).transpose(1, 0, 2)
    scores = q @ k / np.sqrt(np.float32(d // heads))
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    out = np.concatenate(np.split(weights @ v, heads, axis=0), axis=-1)[0]
    return out @ w_out, q


def test_attention_with_split_qkv():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 16)).astype(np.float32)
    w_qkv = (rng.standard_normal((16, 48)) / 4).astype(np.float32)
    w_out = (rng.standard_normal((16, 16)) / 4).astype(np.float32)
    converted(attention, x, w_qkv, w_out)


def augment(images):
    """An image batch (N, H, W, C): reflect-pad, crop back at fixed offsets, mirror every
    other image, roll, to NCHW, and tile a border."""
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="reflect")
    h, w = images.shape[1], images.shape[2]
    crops = []
    for i in range(images.shape[0]):
        crop = padded[i, i % 3:i % 3 + h, 1:1 + w]
        if i % 2:
            crop = np.fliplr(crop)
        crops.append(crop)
    flipped = np.stack(crops)
    shifted = np.roll(flipped, (1, -1), axis=(1, 2))
    chw = np.moveaxis(shifted, -1, 1)
    framed = np.pad(chw, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=0.5)
    return framed, np.concatenate(np.split(framed, 2, axis=0), axis=1)


def test_padding_and_cropping_image_pipeline():
    rng = np.random.default_rng(1)
    images = rng.random((4, 8, 8, 3)).astype(np.float32)
    f = jm.compile(augment)
    for _ in range(3):
        check(f, images)
    assert stats(f)[1] == 2, f.reasons
