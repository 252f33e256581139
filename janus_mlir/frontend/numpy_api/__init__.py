"""NumPy functions and ndarray methods/properties, dispatched by table to janus ops.

`FUNCTIONS` maps a NumPy callable (the object itself: `np.tanh`, `np.sum`) to a handler;
`METHODS` maps an ndarray method name to a handler taking the array first; `PROPERTIES` maps an
ndarray attribute to a handler. Each family module (reductions, shapes, linalg, selection,
creation, ufuncs) defines its handlers and registers them in its own `FUNCTIONS` table; this
package merges the tables. Arguments that NumPy needs as constants (axes, shapes, dtypes) must
be known at conversion time; a run-time value there stops the conversion with a reason.

Results have NumPy's kinds: ufuncs, reductions and `take` hand out a 0-d result as a NumPy
scalar; functions that make arrays (`asarray`, `reshape`, `x[...]`) keep 0-d arrays, except that
ndarray methods called on a NumPy scalar give a scalar again. Python scalars passed to a NumPy
function become int64/float64 arrays (no longer weak). Handlers never change the kind of a value
they were given: other names may hold it (values.retyped makes a new wrapper).
"""

from __future__ import annotations

from typing import Any

from .families import FAMILIES
from .args import Handler, as_array, static
from .methods import METHODS, PROPERTIES, to_python_scalar
from .shapes import index_first

FUNCTIONS: dict[Any, Handler] = {}
for _family in FAMILIES:
    _clash = FUNCTIONS.keys() & _family.FUNCTIONS.keys()
    if _clash:
        raise ValueError(f"{_family.__name__} registers {_clash} again")
    FUNCTIONS.update(_family.FUNCTIONS)

__all__ = ["FUNCTIONS", "METHODS", "PROPERTIES", "Handler", "as_array", "index_first", "static",
           "to_python_scalar"]
