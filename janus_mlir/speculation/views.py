"""NumPy views as data: a chain of view steps (basic slicing, reshape, transpose, expand_dims,
squeeze, broadcast_to) that the frontend's heap model records and that the runtime replays on
real arrays, so a returned view is a real NumPy view of the real base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ops.indexing import python_slice


@dataclass(frozen=True)
class ViewStep:
    """One janus view op applied to the previous array of a chain."""

    op: str
    attrs: tuple[tuple[str, Any], ...]
    in_shape: tuple[int, ...]

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.attrs)

    def numpy(self, arr: np.ndarray, strict: bool = True) -> np.ndarray:
        """The same step on a NumPy array. `strict`: a view or ValueError, never a copy;
        otherwise a reshape copies exactly when NumPy's would."""
        a = self.kwargs
        if self.op == "slice":
            return arr[tuple(map(python_slice, a["starts"], a["sizes"], a["steps"]))]
        if self.op == "reshape":
            return np.reshape(arr, a["shape"], copy=False if strict else None)
        if self.op == "transpose":
            return np.transpose(arr, a["perm"])
        if self.op == "expand_dims":
            return np.expand_dims(arr, tuple(a["axes"]))
        if self.op == "squeeze":
            return np.squeeze(arr, axis=tuple(a["axes"]))
        if self.op == "broadcast_to":
            return np.broadcast_to(arr, a["shape"])
        raise ValueError(f"not a view op: {self.op}")


def numpy_view(arr: np.ndarray, steps: tuple[ViewStep, ...]) -> np.ndarray:
    """Replay a view chain on a real NumPy array (for returned views of arguments/results):
    NumPy itself decides, on the real layout, whether each reshape is a view."""
    for step in steps:
        arr = step.numpy(arr, strict=False)
    return arr
