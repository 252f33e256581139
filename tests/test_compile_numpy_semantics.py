"""jm.compile where fixed-width graph arithmetic could silently differ from Python and NumPy 2:
exact Python ints, NumPy's out-of-range Python ints, what NumPy functions return for Python
scalars, result kinds (0-d arrays vs NumPy scalars), and the exceptions Python and NumPy raise
(math domain errors, float power overflow, integer negative powers, float-to-int conversion).

Each case is compared with plain Python by the oracle, and its stats say whether the graph
answered (converted and exact) or the call fell back to plain Python (a guard or a reason).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import check, stats

MIN64, MAX64 = -2**63, 2**63 - 1
I8 = np.array([-3, 0, 5, 127], dtype=np.int8)
F32 = np.array([0.5, -1.5, 2.0], dtype=np.float32)
F64 = np.array([0.25, -4.0, 3.5, 1.0])

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def dynamic(fn, first: tuple, second: tuple) -> jm.JanusFunction:
    """`fn` compiled with its Python scalar arguments as run-time inputs: the first call is
    profiled with the scalars speculated constant; then each scalar in turn takes its value
    from `second`, which fails that assumption and rebuilds the graph with it as an input."""
    f = jm.compile(fn)
    args = list(first)
    check(f, *args)
    for i, (a, b) in enumerate(zip(first, second)):
        if type(a) in (int, float, bool) and a != b:
            args[i] = b
            check(f, *args)
    return f


def in_graph(f: jm.JanusFunction, *args) -> None:
    """One call answered by the graph, and equal to plain Python's."""
    before = stats(f)
    check(f, *args)
    assert stats(f)[1] == before[1] + 1, f.reasons[-3:]


def falls_back(f: jm.JanusFunction, *args) -> None:
    """One call whose in-graph guard fails: it re-runs as plain Python, without a rebuild."""
    calls, graph_calls, imperative, fallbacks, compilations = stats(f)
    check(f, *args)
    assert stats(f) == (calls + 1, graph_calls, imperative + 1, fallbacks + 1, compilations), (
        f.reasons[-3:])


# ---------------------------------------------------------------------------------------------
# 6. Python int arithmetic is exact: int64 overflow is guarded
# ---------------------------------------------------------------------------------------------


def py_add(n, m):
    return n + m


def py_sub(n, m):
    return n - m


def py_mul(n, m):
    return n * m


def py_floordiv(n, m):
    return n // m


def py_neg(n, m):
    return -n + m


def py_abs(n, m):
    return abs(n) + m


def py_cube(n, m):
    return n ** 3 + m


def py_pow(n, m):
    return n ** m


def py_sum(n, m):
    return sum([n, m, 1])


@pytest.mark.parametrize("fn,exact,overflow", [
    (py_add, [(2**62, 2**62 - 1), (MIN64, MAX64)], [(MAX64, 1), (MIN64, -1)]),
    (py_sub, [(-2**62, 2**62), (MAX64, MAX64)], [(MIN64, 1), (MAX64, -1)]),
    (py_mul, [(2**31, -2**32), (3037000499, 3037000499), (0, MIN64), (-1, MAX64)],
     [(2**40, 2**40), (-1, MIN64), (MIN64, -1), (2**32, 2**31)]),
    (py_floordiv, [(MIN64, 1), (7, -2)], [(MIN64, -1), (5, 0)]),
    (py_neg, [(MAX64, 0), (-5, 1)], [(MIN64, 0)]),
    (py_abs, [(-MAX64, 0), (-7, 2)], [(MIN64, 0)]),
    (py_cube, [(-2**21, 0), (2**21 - 1, 1)], [(2**21, 0), (-2**21 - 1, 0)]),
    (py_pow, [(3, 5), (-2, 61), (0, 0), (7, 1)], [(2, 63), (3, 40), (2, -1), (0, -2)]),
    (py_sum, [(MAX64 - 1, 0)], [(MAX64, 0)]),
])
def test_python_int_arithmetic_is_exact(fn, exact, overflow):
    """Python ints never wrap: results that fit int64 come from the graph, the others (and
    ZeroDivisionError, int ** negative int) from plain Python."""
    f = dynamic(fn, (3, 4), (5, 6))
    for args in exact:
        in_graph(f, *args)
    for args in overflow:
        falls_back(f, *args)
    in_graph(f, *exact[0])


def scaled(x, n):
    return x * (n * n)


def test_python_int_overflow_before_an_array_operation():
    f = dynamic(scaled, (F64, 3), (F64, 4))
    in_graph(f, F64, 2**31)
    falls_back(f, F64, 2**40)  # n * n is 2**80: an exact Python int, then a float64 array


def py_true_divide(n, m):
    return n / m, n < 2.5, n == 9007199254740993.0


def test_python_int_division_and_mixed_comparisons_are_exact():
    """int / int is rounded once from the exact quotient and int-float comparisons are exact in
    Python: float64 agrees only up to 2**53."""
    f = dynamic(py_true_divide, (3, 4), (5, 6))
    in_graph(f, 2**53, 3)
    falls_back(f, 2**53 + 1, 3)  # 9007199254740993 / 3 and == 9007199254740993.0 are exact


# ---------------------------------------------------------------------------------------------
# 7. Python ints outside an integer array's dtype
# ---------------------------------------------------------------------------------------------


def compare_out_of_range(x):
    return (x < 1000, x == 1000, x > -1000, x != 300, 1000 >= x, x >= 2**70, x == -2**70,
            x < 2**70, np.less(x, 1000), x < 100)


@pytest.mark.parametrize("x", [I8, I8.astype(np.int32), I8.astype(np.int64), np.int8(5)])
def test_comparisons_with_out_of_range_python_ints_are_exact(x):
    """NumPy 2 compares integer arrays with any Python int exactly (`int8 < 1000` is True)."""
    f = jm.compile(compare_out_of_range)
    check(f, x)
    in_graph(f, x)


def compare_bool_with_ints(b, n):
    return b < 1000, b == 2, b >= -1000, b < n, b == n


def test_bool_arrays_compare_with_python_ints_in_int64():
    b = np.array([True, False])
    f = dynamic(compare_bool_with_ints, (b, 3), (b, 4))
    in_graph(f, b, 1)
    in_graph(f, b, MIN64)


def compare_bool_beyond_int64(b):
    return b < 2**70


def test_bool_array_compared_with_an_int_beyond_int64_raises():
    f = jm.compile(compare_bool_beyond_int64)
    check(f, np.array([True]))  # OverflowError: Python int too large to convert to C long
    check(f, np.array([True]))
    assert f.stats.graph_calls == 0


def add_out_of_range(x):
    return x + 1000


def test_out_of_range_python_int_constant_raises_like_numpy():
    f = jm.compile(add_out_of_range)
    check(f, I8)  # OverflowError: Python integer 1000 out of bounds for int8
    check(f, I8)
    assert f.stats.graph_calls == 0 and any("out of bounds" in r for r in f.reasons)


def runtime_int_with_int8(x, n):
    return x + n, x < n, n >= x, x == n, np.maximum(x, n)


def test_runtime_python_int_with_int8_array():
    f = dynamic(runtime_int_with_int8, (I8, 3), (I8, 4))
    in_graph(f, I8, -128)
    falls_back(f, I8, 1000)  # NumPy raises OverflowError for x + 1000
    falls_back(f, I8, -129)
    in_graph(f, I8, 127)


def compare_runtime_int(x, n):
    return x < n, x == n, n > x, x != n


def test_runtime_python_int_comparisons_are_exact():
    f = dynamic(compare_runtime_int, (I8, 3), (I8, 4))
    for n in (1000, -1000, 2**40, MIN64):
        in_graph(f, I8, n)


def add_int_to_float32(x, n):
    return (x + n) == np.float32(2.0**60), x + n


def test_runtime_python_int_to_float32_rounds_through_float64():
    """NumPy converts a Python int to float32 through float64: beyond 2**53 that can round
    differently from a direct conversion (2**60 + 2**36 + 1 gives 2**60, not 2**60 + 2**37)."""
    x = np.zeros(2, np.float32)
    f = dynamic(add_int_to_float32, (x, 3), (x, 4))
    in_graph(f, x, 2**53)
    falls_back(f, x, 2**60 + 2**36 + 1)


# ---------------------------------------------------------------------------------------------
# 8. NumPy functions of Python scalars return NumPy scalars
# ---------------------------------------------------------------------------------------------


def ufuncs_of_python_scalars(s, x):
    v = np.multiply(s, s)
    return (v, x & v, np.add(s, 1), np.subtract(s, 1), np.true_divide(s, 2),
            np.floor_divide(s, 0), np.remainder(s, 3), np.negative(s), np.invert(s),
            np.less(s, 2), np.equal(s, s), np.dot(s, s), np.power(s, 2), np.maximum(s, 1.5))


def test_numpy_functions_of_runtime_python_scalars_are_numpy_scalars():
    """np.multiply(s, s) is np.int64, so `x_int8 & v` is int64 (a Python int would keep int8);
    np.floor_divide(s, 0) is 0 with a warning, not ZeroDivisionError."""
    f = dynamic(ufuncs_of_python_scalars, (2, I8), (3, I8))
    in_graph(f, -7, I8)


def ufuncs_of_constants():
    return (np.add(2, 3), np.multiply(2.0, 3), np.less(2, 3), np.dot(2, 3), np.negative(2),
            np.true_divide(1, 2), np.sqrt(4), np.add(True, True))


def test_numpy_functions_of_constants_are_numpy_scalars():
    f = jm.compile(ufuncs_of_constants)
    check(f)
    in_graph(f)


def numpy_call_on_python_float(a, x):
    return np.dot(x, a), np.clip(a, np.float32(0), np.float32(1)), np.sum(a), np.asarray(a)


def test_numpy_functions_make_python_scalars_arrays():
    """Inside a NumPy function a Python scalar is an int64/float64 array, no longer weak:
    np.dot(float32_array, 2.5) is float64."""
    f = dynamic(numpy_call_on_python_float, (0.5, F32), (2.5, F32))
    in_graph(f, -1.25, F32)


# ---------------------------------------------------------------------------------------------
# 9. A handler never changes the kind of a value it was given
# ---------------------------------------------------------------------------------------------


def noop_calls_keep_kind(a, x):
    b = np.clip(a, None, None)
    c = np.asarray(a)
    d = np.squeeze(a)
    e = np.reshape(a, ())
    g = np.transpose(a)
    return x + a, b, c, d, e, g, np.array(a), np.float64(a)


def test_calls_on_a_python_float_leave_it_weak():
    f = dynamic(noop_calls_keep_kind, (1.5, F32), (2.5, F32))
    in_graph(f, -0.75, F32)


# ---------------------------------------------------------------------------------------------
# 10. Identity: np.clip with no bounds copies, np.squeeze with nothing to squeeze does not
# ---------------------------------------------------------------------------------------------


def clip_and_squeeze(x):
    return np.clip(x, None, None), np.squeeze(x), x.squeeze(), np.squeeze(x, axis=()), x.clip(
        min=0.0)


def test_clip_without_bounds_copies_and_squeeze_without_axes_is_the_array():
    f = jm.compile(clip_and_squeeze)
    check(f, F32)
    in_graph(f, F32)
    out = f(F32)
    assert out[0] is not F32 and out[1] is F32 and out[2] is F32 and out[3] is F32


# ---------------------------------------------------------------------------------------------
# 12. var with too many degrees of freedom, bool ** 2, 0-d results
# ---------------------------------------------------------------------------------------------


def var_ddof(x):
    return (np.var(x, ddof=3), np.std(x, ddof=2), np.var(x, ddof=1), x.var(axis=0, ddof=5),
            np.var(x[:1], ddof=1))


def test_var_divides_by_at_least_zero_degrees_of_freedom():
    """NumPy divides by max(n - ddof, 0): inf (or nan for 0 / 0), never a negative variance."""
    f = jm.compile(var_ddof)
    check(f, np.array([1.0, 2.0]))
    in_graph(f, np.array([1.0, 2.0]))


def bool_powers(b, n):
    return b ** 2, b ** True, b ** 3, np.power(b, 2), b[0] ** 2, b ** n


def test_bool_array_squared_is_int8():
    """ndarray.__pow__ computes `** 2` (a Python int) as numpy.square: int8 for bools, while
    numpy.power and every other exponent give int64."""
    b = np.array([True, False])
    f = dynamic(bool_powers, (b, 3), (b, 4))
    in_graph(f, b, 5)
    falls_back(f, b, 2)  # a run-time 2 would be numpy.square too


def zero_d_results(x, a0, s):
    return (a0[()], a0[...], x[0, ...], x[np.int64(1)], np.take(x, 2), x.take(1),
            np.take(x, np.array(1)), np.take(x, [1]), x.sum().T, x.sum().reshape(()),
            x.sum().squeeze(), x.sum().copy(), x.sum().clip(0, 1), x.sum().take(0),
            np.reshape(s, ()), np.transpose(s), np.squeeze(s), np.asarray(x.sum()),
            x.reshape(()) if x.size == 1 else x[:1].reshape(()), a0.T, np.squeeze(a0),
            np.clip(a0, 0, 1), np.clip(a0, None, None), s[()], s[...], np.sum(a0, keepdims=True))


def test_zero_d_results_are_scalars_exactly_where_numpy_gives_scalars():
    f = jm.compile(zero_d_results)
    args = (F64, np.array(3.0), np.float64(2.5))
    check(f, *args)
    in_graph(f, *args)


def float_pow(a, b):
    return a ** b


@pytest.mark.parametrize("bad", [(-8.0, 0.5), (-8.0, 1 / 3), (0.0, -1.0), (-0.0, -2.0),
                                 (10.0, 400.0), (1e300, 2.0), (-2.0, 1025.0)])
def test_python_float_power_raises_or_goes_complex_like_python(bad):
    """Python: a negative base to a non-integral power is complex, 0.0 to a negative power
    raises ZeroDivisionError, overflow raises OverflowError (C pow gives NaN and inf)."""
    f = dynamic(float_pow, (2.0, 3.0), (3.0, 0.5))
    in_graph(f, -8.0, 3.0)
    in_graph(f, -np.inf, 0.5)
    in_graph(f, 0.0, -np.inf)
    in_graph(f, 2.0, -2000.0)
    falls_back(f, *bad)
    in_graph(f, np.nan, 0.0)


def int_float_pow(n, e):
    return n ** e, e ** n


def test_python_int_to_negative_constant_power_is_a_float():
    f = dynamic(int_float_pow, (2, 0.5), (3, 1.5))
    in_graph(f, 4, 2.5)
    falls_back(f, 0, -1.0)


def negative_constant_power(n):
    return n ** -2


def test_python_int_negative_power_of_a_runtime_int():
    f = dynamic(negative_constant_power, (2,), (4,))
    in_graph(f, -3)
    falls_back(f, 0)  # ZeroDivisionError: 0.0 cannot be raised to a negative power


# ---------------------------------------------------------------------------------------------
# 15. Integer arrays to negative integer powers raise ValueError
# ---------------------------------------------------------------------------------------------


def int_power(x, y):
    return x ** y, np.power(y, x)


def test_integer_power_with_a_negative_exponent_array_falls_back():
    x, ok = np.array([1, 2, 3]), np.array([0, 2, 3])
    f = jm.compile(int_power)
    check(f, x, ok)
    in_graph(f, x, ok)
    falls_back(f, x, np.array([1, -2, 3]))  # ValueError: Integers to negative integer powers
    in_graph(f, x, ok)


def int_power_scalar(x, n):
    return x ** n


def test_integer_power_with_a_negative_python_int():
    f = dynamic(int_power_scalar, (I8, 2), (I8, 3))
    in_graph(f, I8, 0)
    falls_back(f, I8, -1)


def constant_negative_power(x):
    return x ** -1


def test_integer_power_with_a_negative_constant_is_not_converted():
    f = jm.compile(constant_negative_power)
    check(f, np.array([1, 2]))
    check(f, np.array([1, 2]))
    assert f.stats.graph_calls == 0 and any("negative integer powers" in r for r in f.reasons)


# ---------------------------------------------------------------------------------------------
# 16. math domain and range errors; float -> int conversions
# ---------------------------------------------------------------------------------------------


def math_sqrt(a):
    return math.sqrt(a)


def math_log(a):
    return math.log(a)


def math_exp(a):
    return math.exp(a)


def math_sin_cos(a):
    return math.sin(a) + math.cos(a)


@pytest.mark.parametrize("fn,good,bad", [
    (math_sqrt, [4.0, 0.0, -0.0, np.inf, np.nan], [-1.0, -np.inf]),
    (math_log, [4.0, np.inf, np.nan], [0.0, -0.0, -1.0]),
    (math_exp, [4.0, -np.inf, np.inf, np.nan, 709.0], [710.0, 1e308]),
    (math_sin_cos, [4.0, np.nan], [np.inf, -np.inf]),
])
def test_math_functions_raise_like_python(fn, good, bad):
    f = dynamic(fn, (1.5,), (2.5,))
    for a in good:
        in_graph(f, a)
    for a in bad:
        falls_back(f, a)


def math_of_arrays(x):
    return math.sqrt(x)


def test_math_of_an_array_with_dimensions_is_a_type_error():
    f = jm.compile(math_of_arrays)
    check(f, np.array([4.0]))  # NumPy 2: only 0-dimensional arrays convert to Python scalars
    check(f, np.array([4.0]))
    assert f.stats.graph_calls == 0
    check(f, np.array(4.0))


def to_int(a, x):
    return int(a), int(x.sum()), int(x[0])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e20, -1e19, 2.0**63])
def test_int_of_a_float_is_exact_or_raises(bad):
    """int(1e20) is the exact Python int 100000000000000000000; int(nan) raises ValueError,
    int(inf) OverflowError: the graph answers only when the float fits int64."""
    f = dynamic(to_int, (1.5, F64), (2.5, F64))
    in_graph(f, -2.0**63, F64)
    in_graph(f, 2.0**63 - 1024, F64)
    falls_back(f, bad, F64)
    falls_back(f, 1.0, np.array([bad, 0.0, 1.0, 2.0]))
    g = dynamic(to_int, (1.5, F32), (2.5, F32))
    in_graph(g, -7.9, F32)
    falls_back(g, 1.0, np.array([bad, 0.0, 1.0], np.float32))


def numpy_scalar_types(a, n, x):
    return np.int64(a), np.int8(a), np.int16(n), np.int8(x.sum())


@pytest.mark.parametrize("a,n", [(np.nan, 1), (np.inf, 1), (1e20, 1), (128.0, 1), (-129.5, 1),
                                 (1.5, 2**15), (1.5, -2**15 - 1)])
def test_numpy_integer_types_of_python_scalars(a, n):
    """np.int8(1000) raises OverflowError; np.int64(nan) ValueError; np.int8(x.sum()) of a
    NumPy float is a C cast (wraps, with a warning)."""
    x = np.array([500.0, 500.0])
    f = dynamic(numpy_scalar_types, (1.5, 3, x), (2.5, 4, x))
    in_graph(f, -128.9, 2**15 - 1, x)
    in_graph(f, 127.9, -2**15, x)
    falls_back(f, a, n, x)


def float32_of_int(n):
    return np.float32(n) == np.float32(2.0**60)


def test_numpy_float32_of_a_python_int_rounds_through_float64():
    f = dynamic(float32_of_int, (3,), (4,))
    in_graph(f, 2**53)
    falls_back(f, 2**60 + 2**36 + 1)


def constant_int8():
    return np.int8(1000)


def test_numpy_integer_type_of_an_out_of_range_constant():
    f = jm.compile(constant_int8)
    check(f)  # OverflowError: Python integer 1000 out of bounds for int8
    check(f)
    assert f.stats.graph_calls == 0


def full_python_int(x, n):
    return np.full(3, n, dtype=np.int8), np.full_like(x, n)


def test_full_with_a_python_int_out_of_the_dtype_range():
    f = dynamic(full_python_int, (I8, 3), (I8, 4))
    in_graph(f, I8, -128)
    falls_back(f, I8, 1000)


# ---------------------------------------------------------------------------------------------
# Attributes and conversions that exist only on arrays
# ---------------------------------------------------------------------------------------------


def python_scalar_attribute(a):
    return a.shape


def python_scalar_subscript(a):
    return a[()]


@pytest.mark.parametrize("fn", [python_scalar_attribute, python_scalar_subscript])
def test_array_attributes_of_python_scalars_are_errors(fn):
    f = dynamic(fn, (1.5,), (2.5,))  # AttributeError / TypeError in plain Python
    check(f, 3.5)
    assert f.stats.graph_calls == 0


def asarray_dtype(x):
    return np.asarray(x, np.float32), np.asarray(x), np.array(x, copy=False), np.array(x)


def test_asarray_with_a_positional_dtype_converts():
    f = jm.compile(asarray_dtype)
    check(f, F64)
    in_graph(f, F64)


def builtin_max_min(n, a):
    return max(n, 2**53 + 1), min(a, 0.5), max(n, 3), max(a, n * 1.0)


def test_builtin_max_min_compare_like_python():
    f = dynamic(builtin_max_min, (3, 1.5), (4, 2.5))
    in_graph(f, 2**53 + 2, 0.25)
    in_graph(f, -5, -0.25)


# ---------------------------------------------------------------------------------------------
# Arguments NumPy checks, and constants that are new objects on every call
# ---------------------------------------------------------------------------------------------


def transpose_bad_axes(x):
    return np.transpose(x, (0, 3))


def astype_safe(x):
    return x.astype(np.int8, casting="safe")


def flatten_fortran(x):
    return x.flatten("F"), x.ravel(order="F")


def python_min_of_0d_arrays(a, b):
    return min(a, b)


@pytest.mark.parametrize("fn,args", [
    (transpose_bad_axes, (F64.reshape(2, 2),)),  # AxisError, not the perm (0, 1)
    (astype_safe, (F64,)),  # TypeError: cannot cast float64 to int8 under 'safe'
    (flatten_fortran, (F64.reshape(2, 2),)),  # column-major order
    (python_min_of_0d_arrays, (np.array(1.0), np.array(2.0))),  # returns an argument itself
])
def test_calls_numpy_would_treat_differently_are_not_converted(fn, args):
    f = jm.compile(fn)
    check(f, *args)
    check(f, *args)
    assert f.stats.graph_calls == 0 and f.reasons


def reductions_positional(x):
    return np.max(x, 0, None, True), np.all(x > 0, 1, None, True), np.sum(x, 0, np.float32)


def test_reductions_bind_positional_arguments_like_numpy():
    """numpy.max/all take (a, axis, out, keepdims); numpy.sum takes (a, axis, dtype, ...)."""
    f = jm.compile(reductions_positional)
    check(f, F64.reshape(2, 2))
    in_graph(f, F64.reshape(2, 2))


def constant_arrays():
    return np.float32([1, 2]), np.add([1, 2], 3)


def test_arrays_computed_from_constants_are_new_objects_each_call():
    f = jm.compile(constant_arrays)
    check(f)
    first = f()
    first[0][0] = 99.0
    first[1][0] = 99
    second = f()
    assert second[0][0] == 1.0 and second[1][0] == 4 and f.stats.graph_calls >= 1


def bool_scalar_promotion(x, flag):
    return x * flag, x + True, x_and(x, flag)


def x_and(x, flag):
    return (x > 0) & flag


def test_python_bools_promote_as_bools():
    f = dynamic(bool_scalar_promotion, (F32, True), (F32, False))
    in_graph(f, F32, True)
    g = dynamic(bool_scalar_promotion, (I8, True), (I8, False))
    in_graph(g, I8, True)


def copy_false_of_a_scalar(s):
    return np.array(s, copy=False)


def test_array_copy_false_of_a_scalar_raises_like_numpy():
    f = jm.compile(copy_false_of_a_scalar)
    check(f, np.float64(2.0))  # ValueError: Unable to avoid copy while creating an array
    check(f, np.float64(2.0))
    assert f.stats.graph_calls == 0


def signed_zeros(x):
    c = np.array([0.0, -0.0, 0.0])  # equal under ==, but not one splat
    z = np.array([-0.0, -0.0], dtype=np.float32)  # one splat of -0.0
    return x / c, np.signbit(z * np.float32(2.0)), 1.0 / (z + x[:2].astype(np.float32) * 0.0)


def test_array_constants_keep_the_sign_of_every_zero():
    """A constant array is stored as a splat only when every element has the first one's
    bits: [0.0, -0.0, 0.0] as a splat of 0.0 made x / c give +inf where NumPy gives -inf."""
    f = jm.compile(signed_zeros)
    for _ in range(2):
        out = check(f, np.ones(3))
    assert f.stats.graph_calls == 1, f.reasons
    assert list(out[0]) == [np.inf, -np.inf, np.inf] and out[1].all()


def divide_by(x, s):
    return x / s


def test_a_speculated_zero_keeps_its_sign():
    """A Python float speculated to be 0.0 does not answer for -0.0 (== holds, 1 / s differs):
    the call falls back, and the graph rebuilt with s as an input gives -inf."""
    f = jm.compile(divide_by)
    x = np.ones(2, np.float32)
    for s in (0.0, 0.0):
        check(f, x, s)
    assert stats(f) == (2, 1, 1, 0, 1), f.reasons
    out = check(f, x, -0.0)
    assert list(out) == [-np.inf, -np.inf] and f.stats.fallbacks == 1, f.reasons
    for s in (-0.0, 0.0):
        check(f, x, s)
    assert f.stats.compilations == 2, f.reasons


def zero_ties(x):
    # 1 / v shows the sign of a zero as the sign of an infinity
    return (1.0 / np.maximum(0.0, x), 1.0 / np.maximum(x, 0.0), 1.0 / np.minimum(0.0, x),
            1.0 / np.minimum(x, -0.0), 1.0 / np.clip(x, 0.0, 1.0), 1.0 / np.clip(x, -1.0, 0.0),
            1.0 / x.clip(-0.0, 0.0), 1.0 / np.expm1(x), np.maximum(x, np.nan), np.minimum(np.nan, x))


def test_maximum_minimum_and_clip_break_ties_as_numpy():
    """np.maximum/np.minimum give their second operand when the two are equal (-0.0 and 0.0
    included), np.clip its input; expm1(-0.0) is -0.0; a NaN in either operand propagates."""
    f = jm.compile(zero_ties)
    for x in (np.array([-0.0, 0.0, 0.5, -2.0]), np.array([0.0, -0.0, -0.0, 3.0])):
        check(f, x)
        check(f, x)
    assert f.stats.graph_calls == 3, f.reasons  # all but the profiling call
