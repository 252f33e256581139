"""A module the host-guard tests read attributes of (as user code reads a config module)."""

import numpy as np

SCALE = 2.0
W = np.ones(4, dtype=np.float32)


def helper(v):
    return v * 3


class Cfg:
    scale = 1.5
