"""Every ufunc in the op registry, called as a NumPy function."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import OPS
from ..builder import GraphBuilder
from ..operators import apply
from .args import Handler, no_extra


def _ufunc(name: str) -> Handler:
    def handler(b: GraphBuilder, args: list[Any], kwargs: dict[str, Any]) -> Any:
        no_extra(b, kwargs, (), f"numpy.{name}")
        return apply(b, name, args)

    return handler


FUNCTIONS: dict[Any, Handler] = {
    rule.numpy: _ufunc(name) for name, rule in OPS.items()
    if isinstance(rule.numpy, np.ufunc) and name != "matmul"
}

# ndarray methods of this family (bound to the array by methods.py).
METHODS: dict[str, Handler] = {}
