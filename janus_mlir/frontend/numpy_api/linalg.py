"""Linear algebra: matmul and dot."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..builder import GraphBuilder
from ..errors import Unconvertible
from ..operators import apply
from ..values import Tensor
from .args import Handler, as_array, no_extra


def matmul(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    no_extra(b, kwargs, (), "numpy.matmul")
    x, y = (as_array(b, a) for a in args)
    return apply(b, "matmul", [x, y])


def dot(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
    no_extra(b, kwargs, (), "numpy.dot")
    x, y = (as_array(b, a) for a in args)
    if x.ndim == 0 or y.ndim == 0:
        return apply(b, "multiply", [x, y])
    if x.ndim > 2 or y.ndim > 2:
        raise Unconvertible("numpy.dot of arrays with more than 2 dimensions is not converted",
                            b.where)
    return apply(b, "matmul", [x, y])


FUNCTIONS: dict[Any, Handler] = {np.matmul: matmul, np.dot: dot}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
