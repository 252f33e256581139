"""NumPy's operators for the lang value kinds: each one a janus op applied by `lang.op`."""

from __future__ import annotations

from .apply import op


class Operators:
    """Arithmetic, matmul and comparison operators as janus ops (NumPy's semantics)."""

    __array_priority__ = 1000

    def __add__(self, o): return op("add", self, o)
    def __radd__(self, o): return op("add", o, self)
    def __sub__(self, o): return op("subtract", self, o)
    def __rsub__(self, o): return op("subtract", o, self)
    def __mul__(self, o): return op("multiply", self, o)
    def __rmul__(self, o): return op("multiply", o, self)
    def __truediv__(self, o): return op("divide", self, o)
    def __rtruediv__(self, o): return op("divide", o, self)
    def __floordiv__(self, o): return op("floor_divide", self, o)
    def __rfloordiv__(self, o): return op("floor_divide", o, self)
    def __mod__(self, o): return op("remainder", self, o)
    def __rmod__(self, o): return op("remainder", o, self)
    def __pow__(self, o): return op("power", self, o)
    def __rpow__(self, o): return op("power", o, self)
    def __matmul__(self, o): return op("matmul", self, o)
    def __rmatmul__(self, o): return op("matmul", o, self)
    def __neg__(self): return op("negative", self)
    def __pos__(self): return op("positive", self)
    def __abs__(self): return op("absolute", self)
    def __eq__(self, o): return op("equal", self, o)  # type: ignore[override]
    def __ne__(self, o): return op("not_equal", self, o)  # type: ignore[override]
    def __lt__(self, o): return op("less", self, o)
    def __le__(self, o): return op("less_equal", self, o)
    def __gt__(self, o): return op("greater", self, o)
    def __ge__(self, o): return op("greater_equal", self, o)

    __hash__ = object.__hash__
