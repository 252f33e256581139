"""NumPy's semantics written once over an abstract array value.

A derivative rule or a decomposition is plain NumPy code (`g * ans`, `np.sum(g, axis)`,
`lang.op("slice_update", z, g, ...)`) run on one of three kinds of value:

- NumPy arrays and scalars: the code runs as NumPy (eager gradients of first order);
- `autodiff.box.Box`: an eager value being differentiated; every call is recorded, so rules
  themselves are differentiable (gradients of gradients);
- `lang.graph_value.GraphValue`: an SSA value of the janus IR; every call emits janus ops at the
  current insertion point (the `janus-autodiff` pass builds backward graphs this way).

Boxes and graph values take NumPy calls through NumPy's own protocols (`__array_ufunc__`,
`__array_function__`) and translate them, with one table (`numpy_map`), into janus ops applied
by `op`. This package imports the op registry only when an op is applied, so the registry's
families may import `unbroadcast` from here.
"""

from .apply import op
from .unbroadcast import unbroadcast

__all__ = ["op", "unbroadcast"]
