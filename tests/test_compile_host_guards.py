"""What the converter learns from host objects is read from the real object and guarded.

Each case was a silent wrong result on main: module and class attributes, helper defaults,
function attributes, enums, tests on host containers, property getters and bound built-in
methods were read once, evaluated on janus's own wrapper, or never guarded.
"""

from __future__ import annotations

import collections
import enum

import numpy as np

import janus_mlir as jm

from . import hostcfg
from .equivalence import check, stats

X = np.linspace(-1, 1, 4, dtype=np.float32)


def module_attrs(x):
    return x * hostcfg.SCALE + hostcfg.W


def test_module_attributes_are_guarded(monkeypatch):
    f = jm.compile(module_attrs)
    check(f, X)
    check(f, X)
    monkeypatch.setattr(hostcfg, "SCALE", 10.0)
    check(f, X)
    check(f, X)
    hostcfg.W[0] = 50.0  # an array read as a graph input: always the current contents
    try:
        check(f, X)
    finally:
        hostcfg.W[0] = 1.0
    assert f.stats.graph_calls >= 3


def class_attr(x):
    return x * hostcfg.Cfg.scale


def test_class_attributes_are_guarded(monkeypatch):
    f = jm.compile(class_attr)
    check(f, X)
    check(f, X)
    monkeypatch.setattr(hostcfg.Cfg, "scale", 9.0)
    for _ in range(2):
        check(f, X)


def module_function(x):
    return hostcfg.helper(x) + 1


def test_monkeypatched_module_function_is_seen(monkeypatch):
    f = jm.compile(module_function)
    check(f, X)
    check(f, X)
    monkeypatch.setattr(hostcfg, "helper", lambda v: v - 5)
    check(f, X)
    check(f, X)


def helper_with_default(v, s=[2.0]):  # noqa: B006 (the mutable default is the point)
    return v * s[0]


def uses_default(x):
    return helper_with_default(x)


def test_defaults_of_inlined_helpers_are_read_on_every_call():
    f = jm.compile(uses_default)
    check(f, X)
    check(f, X)
    helper_with_default.__defaults__[0][0] = 5.0
    check(f, X)
    old = helper_with_default.__defaults__
    helper_with_default.__defaults__ = ([7.0],)
    try:
        check(f, X)
        check(f, X)
    finally:
        helper_with_default.__defaults__ = old
        old[0][0] = 2.0


def relu_or_tanh(x, mode):
    if mode == ("relu",):
        return np.maximum(x, 0)
    return np.tanh(x)


def test_equality_of_a_host_tuple_reads_the_tuple():
    f = jm.compile(relu_or_tanh)
    for mode in [("relu",), ("relu",), ("tanh",), ("relu",), ("tanh",)]:
        check(f, X, mode)


def type_len_str(x, lst, d):
    k = 1.0 if type(lst) is list else 2.0
    n = len(str([1, 2])) + len(d) + (3 in lst)
    if d:
        k += 1
    return x * k + n


def test_type_len_str_in_truth_of_host_objects():
    f = jm.compile(type_len_str)
    check(f, X, [1, 2, 3], {"a": 1})
    check(f, X, [1, 2, 3], {"a": 1})
    check(f, X, [1, 2, 4], {"a": 1, "b": 2})
    check(f, X, [1, 2, 4], {})
    check(f, X, [1, 2, 3], {"a": 1})
    assert f.stats.graph_calls >= 2


def identity(x, a, b):
    return x * 2 if a is b else x * 3


def test_is_between_host_objects_is_guarded():
    f = jm.compile(identity)
    l1, l2 = [1], [1]
    check(f, X, l1, l1)
    check(f, X, l1, l1)
    check(f, X, l1, l2)
    check(f, X, l1, l2)
    assert f(X, l1, l2)[0] == X[0] * 3


class Sized:
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n


def custom_len(x, s):
    return x * len(s)


def test_custom_len_runs_as_plain_python():
    f = jm.compile(custom_len)
    for n in (1, 2, 3):
        check(f, X, Sized(n))


class Model:
    def __init__(self):
        self.reads = 0
        self.w = np.float32(2.0)

    @property
    def weight(self):
        return self.w * 2


def reads_property(x, m):
    return x * m.weight


def test_property_getter_is_converted_not_run():
    f = jm.compile(reads_property)
    m = Model()
    for _ in range(3):
        check(f, X, m)
    assert stats(f) == (3, 2, 1, 0, 1)


class Counting:
    def __init__(self):
        self.reads = 0

    @property
    def weight(self):
        self.reads += 1  # an effect: the getter is not converted, the call runs as plain Python
        return 2.0


def test_property_with_an_effect_runs_once_per_call():
    f = jm.compile(reads_property)
    m = Counting()
    for _ in range(3):
        f(X, m)
    assert m.reads == 3


def flag_helper(v):
    return v


flag_helper.pred = True


def function_attribute(x):
    if flag_helper.pred:
        return x + 1
    return x - 1


def test_function_attributes_are_guarded():
    f = jm.compile(function_attribute)
    check(f, X)
    check(f, X)
    flag_helper.pred = False
    try:
        check(f, X)
        check(f, X)
    finally:
        flag_helper.pred = True


class E(enum.Enum):
    A = 1
    B = 2


def enum_branch(x, e):
    if e is E.A:
        return x + 1
    return x - 1


def test_enum_arguments_are_guarded():
    f = jm.compile(enum_branch)
    for e in (E.A, E.A, E.B, E.B, E.A):
        check(f, X, e)


NT = collections.namedtuple("NT", "a b")


def builds_namedtuple(x, nt):
    return nt(a=1, b=x * 2)


def test_namedtuple_results_keep_their_class():
    f = jm.compile(builds_namedtuple)
    for _ in range(3):
        out = check(f, X, NT)
    assert type(out) is NT
    assert stats(f) == (3, 2, 1, 0, 1)


def shared_containers(a, b):
    z = [a + b, b]
    return {"z": z, "b": z}


def test_containers_in_the_result_keep_sharing():
    f = jm.compile(shared_containers)
    for _ in range(3):
        out = check(f, X, X)
    assert out["z"] is out["b"]


def formats(x, n):
    return x, f"{1.229:.2f}|{n:>5}|{n!r}"


def test_f_string_format_specs():
    f = jm.compile(formats)
    for _ in range(3):
        check(f, X, 7)


def bound_builtin(x, d):
    return x * d.get("scale", 1.0) + len(d.keys())


def test_bound_builtin_methods_compile_once():
    f = jm.compile(bound_builtin)
    d = {"scale": 2.0}
    for _ in range(20):
        check(f, X, d)
    assert f.stats.compilations == 1
    assert f.stats.graph_calls == 19
    check(f, X, {"scale": 2.0, "other": 1})  # different keys: another signature
    check(f, X, {})


def dict_iteration(x, params):
    total = x * 0
    for k in params:
        total = total + params[k]
    return total


def test_iterating_over_a_host_dict():
    f = jm.compile(dict_iteration)
    p = {"a": X, "b": X * 2}
    for _ in range(3):
        check(f, X, p)
    check(f, X, {"a": X})
    assert f.stats.graph_calls >= 2


def repeat_tanh(x, n):
    for _ in range(n):
        x = np.tanh(x)
    return x


def test_a_trip_count_that_changes_becomes_part_of_the_signature():
    f = jm.compile(repeat_tanh)
    for n in (2, 2, 3, 3, 3, 2, 4, 4):
        check(f, X, n)
    assert f.stats.graph_calls >= 4
    assert f.stats.compilations <= 4


def act_a(v):
    return v + 1


def act_b(v):
    return v - 1


ACT = act_a


def uses_global_function(x):
    return ACT(x)


def test_an_assumption_that_keeps_failing_stops_being_compiled():
    global ACT
    f = jm.compile(uses_global_function)
    try:
        for k in range(12):
            ACT = act_a if k % 2 else act_b
            check(f, X)
    finally:
        ACT = act_a
    assert f.stats.compilations <= 4
    assert any("no longer speculated" in r for r in f.reasons)


PAD = ((1, 1), (2, 0))
SHAPE = [2, 6]


def uses_global_tuples(x):
    return np.pad(x, PAD).reshape(SHAPE[0], -1), np.zeros(SHAPE)


def test_host_tuples_passed_to_numpy_are_read_and_guarded():
    global SHAPE
    f = jm.compile(uses_global_tuples)
    x = np.ones((2, 2), np.float32)
    check(f, x)
    check(f, x)
    assert f.stats.graph_calls == 1, f.reasons
    SHAPE = [4, 3]
    try:
        check(f, x)
        check(f, x)
    finally:
        SHAPE = [2, 6]


def two_keys(d, x):
    if "a" in d:
        x = x + 1
    if "b" in d:  # a second question to the same dict: a guard of its own
        x = x * 2
    return x


class Token:
    """An object whose deep copy is itself (so both calls compared see the same objects)."""

    def __deepcopy__(self, memo):
        return self


def two_identities(a, b, c, x):
    if a is b:
        x = x + 1
    if a is c:  # a second `is` asked of `a`
        x = x * 2
    return x


def test_each_question_to_one_host_object_is_guarded():
    f = jm.compile(two_keys)
    x = np.ones(3, np.float32)
    for d in ({"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "c": 2}, {"a": 1, "c": 2},
              {"b": 1}):
        check(f, d, x)
    assert f.stats.compilations == 3, f.reasons
    g = jm.compile(two_identities)
    p, q = Token(), Token()
    for args in ((p, p, p), (p, p, p), (p, p, q), (p, p, q), (p, q, p)):
        check(g, *args, x)
    assert g.stats.compilations == 3, g.reasons


class Layer:
    def __init__(self, w, b=None):
        self.w = w
        if b is not None:
            self.b = b


def maybe_biased(layer, x):
    out = x @ layer.w
    if getattr(layer, "b", None) is not None:
        out = out + layer.b
    return out, hasattr(layer, "b")


def test_getattr_with_a_default_and_hasattr_are_guarded():
    f = jm.compile(maybe_biased)
    w = np.eye(3, dtype=np.float32)
    x = np.arange(3, dtype=np.float32)
    for layer in (Layer(w), Layer(w), Layer(w, x), Layer(w, x), Layer(w)):
        check(f, layer, x)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 3, f.reasons


class _Scaler:
    def __init__(self):
        self.w = np.arange(3.0)

    def apply(self, x):
        return x * self.w


class _OtherScaler(_Scaler):
    def apply(self, x):
        return x + self.w


def _calls_method(s, x):
    return s.apply(x)


def test_a_method_of_an_argument_is_inlined_and_guarded_by_its_function():
    f = jm.compile(_calls_method)
    for _ in range(4):
        check(f, _Scaler(), np.ones(3))  # a new bound method on every access: one graph
    assert f.stats.graph_calls == 3 and f.stats.compilations == 1, f.reasons
    check(f, _OtherScaler(), np.ones(3))  # another function behind the name
    assert f.stats.graph_calls == 3, f.reasons
