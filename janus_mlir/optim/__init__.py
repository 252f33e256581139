"""Optimizers as plain Python classes over pytrees of arrays (tuples, lists, dicts).

Their state (velocities, moments, the step count) lives in the optimizer object, so a training
step that calls `opt.update(params, grads)` is ordinary mutable Python: it runs eagerly, and
under `@jm.compile` like any user code, with no special path.
"""

from .adam import Adam, AdamW
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW"]
