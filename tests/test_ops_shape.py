"""Shape ops (reshape, transpose, broadcast_to, expand_dims, squeeze, concatenate, stack, dim)
against NumPy. The reference is the user-level NumPy call (negative axes, -1 in shapes,
axis=None); the attributes are what the frontend resolves it to."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from janus_mlir.dialects.types import TensorSpec

from .op_harness import (
    DTYPES,
    UNSIGNED,
    Case,
    check_cases,
    check_rejected,
    compiled,
    covered,
    dims,
    make_array,
    normalize_axes,
    seeds,
    shapes,
)

COVERED = covered(["reshape", "transpose", "broadcast_to", "expand_dims", "squeeze",
                   "concatenate", "stack", "dim"])


def _prime_factors(n: int) -> list[int]:
    out, p = [], 2
    while n > 1:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out


@st.composite
def _array(draw: st.DrawFn, shape) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES + UNSIGNED))
    return make_array(np.random.default_rng(draw(seeds)), shape, dtype, specials=True)


@st.composite
def reshape_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(0, 3))))
    if x.size == 0:
        target = list(draw(shapes(1, 3)))
        target[draw(st.integers(0, len(target) - 1))] = 0
    else:
        factors = draw(st.permutations(_prime_factors(x.size)))
        cuts = sorted(draw(st.lists(st.integers(0, len(factors)), max_size=3)))
        bounds = [0, *cuts, len(factors)]
        target = [int(np.prod(factors[a:b], dtype=np.int64)) for a, b in zip(bounds, bounds[1:])]
        if draw(st.booleans()):
            target.insert(draw(st.integers(0, len(target))), 1)
        if x.size == 1 and draw(st.booleans()):
            target = []
    user = list(target)
    if target and x.size and draw(st.booleans()):
        user[draw(st.integers(0, len(user) - 1))] = -1  # the frontend resolves -1
    return Case("reshape", (x,), {"shape": tuple(target)},
                reference=lambda x, u=tuple(user): np.reshape(x, u), label=f"user shape {user}")


@st.composite
def transpose_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(0, 4))))
    perm = tuple(draw(st.permutations(range(x.ndim))))
    if draw(st.booleans()):
        return Case("transpose", (x,), {"perm": tuple(reversed(range(x.ndim)))},
                    reference=lambda x: x.T, label="x.T")
    return Case("transpose", (x,), {"perm": perm}, reference=lambda x, p=perm: np.transpose(x, p))


@st.composite
def broadcast_to_case(draw: st.DrawFn) -> Case:
    target = draw(shapes(0, 4))
    rank = draw(st.integers(0, len(target)))
    shape = tuple(1 if draw(st.booleans()) else d for d in target[len(target) - rank:])
    x = draw(_array(shape))
    return Case("broadcast_to", (x,), {"shape": target},
                reference=lambda x, t=target: np.broadcast_to(x, t).copy())


@st.composite
def expand_dims_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(0, 3))))
    n_new = draw(st.integers(1, 2))
    out_rank = x.ndim + n_new
    axes = draw(st.lists(st.integers(-out_rank, out_rank - 1), min_size=n_new, max_size=n_new,
                         unique_by=lambda a: a % out_rank))
    user = axes[0] if n_new == 1 and draw(st.booleans()) else tuple(axes)
    return Case("expand_dims", (x,), {"axes": normalize_axes(user, out_rank)},
                reference=lambda x, a=user: np.expand_dims(x, a), label=f"axis={user}")


@st.composite
def squeeze_case(draw: st.DrawFn) -> Case:
    shape = tuple(1 if draw(st.booleans()) else d for d in draw(shapes(0, 4)))
    x = draw(_array(shape))
    ones = [i for i, d in enumerate(shape) if d == 1]
    if draw(st.booleans()):
        user = None
        axes = tuple(ones)
    else:
        chosen = draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
        user = tuple(a - x.ndim if draw(st.booleans()) else a for a in chosen)
        axes = normalize_axes(user, x.ndim)
    return Case("squeeze", (x,), {"axes": axes},
                reference=lambda x, a=user: np.squeeze(x, a), label=f"axis={user}")


@st.composite
def concatenate_case(draw: st.DrawFn) -> Case:
    base = list(draw(shapes(1, 3)))
    axis = draw(st.integers(0, len(base) - 1))
    arrays = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        shape[axis] = draw(dims)
        arrays.append(draw(_array(tuple(shape))))
    user = axis - len(base) if draw(st.booleans()) else axis
    return Case("concatenate", tuple(arrays), {"axis": axis},
                reference=lambda *xs, a=user: np.concatenate(xs, axis=a), label=f"axis={user}")


@st.composite
def stack_case(draw: st.DrawFn) -> Case:
    shape = draw(shapes(0, 3))
    arrays = tuple(draw(_array(shape)) for _ in range(draw(st.integers(1, 3))))
    user = draw(st.integers(-len(shape) - 1, len(shape)))
    return Case("stack", arrays, {"axis": user % (len(shape) + 1)},
                reference=lambda *xs, a=user: np.stack(xs, axis=a), label=f"axis={user}")


@st.composite
def dim_case(draw: st.DrawFn) -> Case:
    x = draw(_array(draw(shapes(1, 3))))
    user = draw(st.integers(-x.ndim, x.ndim - 1))
    return Case("dim", (x,), {"axis": user % x.ndim},
                reference=lambda x, a=user: np.int64(x.shape[a]), label=f"axis={user}")


STRATEGIES = {"reshape": reshape_case, "transpose": transpose_case,
              "broadcast_to": broadcast_to_case, "expand_dims": expand_dims_case,
              "squeeze": squeeze_case, "concatenate": concatenate_case, "stack": stack_case,
              "dim": dim_case}
assert set(STRATEGIES) == COVERED


@st.composite
def shape_batch(draw: st.DrawFn) -> list[Case]:
    return [draw(STRATEGIES[name]()) for name in sorted(COVERED) for _ in range(4)]


@compiled(max_examples=10)
@given(shape_batch())
def test_shape_ops_match_numpy(batch: list[Case]) -> None:
    check_cases(batch)


# ---------------------------------------------------------------------------------------------
# Invalid inputs: NumPy raises, the shape rule raises ShapeError
# ---------------------------------------------------------------------------------------------

F32 = np.dtype(np.float32)
Z = np.zeros

INVALID = [
    ("reshape", [(2, 3)], {"shape": (4, 2)}, lambda: Z((2, 3)).reshape(4, 2)),
    ("transpose", [(2, 3)], {"perm": (0, 0)}, lambda: np.transpose(Z((2, 3)), (0, 0))),
    ("transpose", [(2, 3)], {"perm": (1, 0, 2)}, lambda: np.transpose(Z((2, 3)), (1, 0, 2))),
    ("broadcast_to", [(2, 3)], {"shape": (3, 3)}, lambda: np.broadcast_to(Z((2, 3)), (3, 3))),
    ("broadcast_to", [(2, 3)], {"shape": (3,)}, lambda: np.broadcast_to(Z((2, 3)), (3,))),
    ("expand_dims", [(2,)], {"axes": (2,)}, lambda: np.expand_dims(Z(2), 2)),
    ("expand_dims", [(2,)], {"axes": (0, 0)}, lambda: np.expand_dims(Z(2), (0, 0))),
    ("squeeze", [(2, 1)], {"axes": (0,)}, lambda: np.squeeze(Z((2, 1)), 0)),
    ("concatenate", [(), ()], {"axis": 0}, lambda: np.concatenate([Z(()), Z(())])),
    ("concatenate", [(2, 3), (2, 4)], {"axis": 0}, lambda: np.concatenate([Z((2, 3)),
                                                                            Z((2, 4))])),
    ("concatenate", [(2, 3), (3,)], {"axis": 0}, lambda: np.concatenate([Z((2, 3)), Z(3)])),
    ("concatenate", [(2, 3)], {"axis": 2}, lambda: np.concatenate([Z((2, 3))], axis=2)),
    ("stack", [(2,), (3,)], {"axis": 0}, lambda: np.stack([Z(2), Z(3)])),
    ("stack", [(2,)], {"axis": 2}, lambda: np.stack([Z(2)], axis=2)),
]


@pytest.mark.parametrize("name,shapes_,attrs,numpy_call", INVALID, ids=[c[0] for c in INVALID])
def test_shape_rule_rejects_what_numpy_rejects(name, shapes_, attrs, numpy_call) -> None:
    check_rejected(name, [TensorSpec(s, F32) for s in shapes_], attrs, numpy_call)
