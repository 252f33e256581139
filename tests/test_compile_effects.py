"""Effects committed after the graph: in-place writes to the caller's arrays, attribute, item,
global and closure-cell writes, print and f-strings of graph values. Every case runs compiled
and plain side by side on copies of the same state, over several calls, and compares results,
the heap (values, identities, views), stdout and exceptions."""

from __future__ import annotations

import copy
import random
import sys

import numpy as np
import pytest

import janus_mlir as jm

from .equivalence import aliasing, assert_same, check, run_captured, stats


def lockstep(fn, state: tuple, calls: int = 4, args=lambda i: ()) -> jm.JanusFunction:
    """`fn` compiled and plain, each on its own copy of `state` (kept across calls, so
    effects accumulate), called `calls` times with `state + args(i)`; everything compared
    after every call."""
    f = jm.compile(fn)
    plain_state, jit_state = copy.deepcopy(state), copy.deepcopy(state)
    for i in range(calls):
        extra = args(i)
        want, want_exc, want_out = run_captured(fn, (*plain_state, *copy.deepcopy(extra)), {})
        got, got_exc, got_out = run_captured(f, (*jit_state, *copy.deepcopy(extra)), {})
        assert got_out == want_out, f"call {i}: stdout {got_out!r} vs {want_out!r}"
        assert type(got_exc) is type(want_exc), f"call {i}: {got_exc!r} vs {want_exc!r}"
        if want_exc is None:
            assert_same(got, want, f"call {i}: result")
            assert aliasing(got, jit_state) == aliasing(want, plain_state), f"call {i}"
        assert_same(jit_state, plain_state, f"call {i}: state")
    return f


class Model:
    def __init__(self, rng=None):
        rng = rng or np.random.default_rng(0)
        self.w = rng.standard_normal((4, 3)).astype(np.float32)
        self.b = np.zeros(3, np.float32)
        self.step = 0


X = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)


# --- in-place writes to the caller's arrays --------------------------------------------------

def add_one(x):
    x += 1
    return x


def write_items(x, y):
    x[0] = 5.0
    x[1:, ::2] *= y[1:, :2]
    np.add(x, y, out=x)
    return x.sum()


def through_view(x):
    v = x[1:]
    v -= 2.0
    t = x.T
    t[0] = 9.0
    return v, t


def fill_and_clip(x):
    x.fill(0.5)
    np.clip(x, 0.0, 0.25, out=x)
    return None


@pytest.mark.parametrize("fn,args", [
    (add_one, (X,)),
    (write_items, (X, X * 3)),
    (through_view, (X,)),
    (fill_and_clip, (X,)),
])
def test_in_place_writes_to_arguments(fn, args):
    f = jm.compile(fn)
    for _ in range(3):
        check(f, *args)
    assert stats(f)[:2] == (3, 2), f.reasons


def test_written_argument_keeps_its_identity_and_the_callers_views():
    f = jm.compile(add_one)
    base = np.zeros(6)
    view = base[2:]
    for _ in range(3):
        out = f(base)
        assert out is base
    np.testing.assert_array_equal(view, [3.0, 3.0, 3.0, 3.0])
    assert f.stats.graph_calls == 2


def test_writes_in_a_loop_over_a_run_time_length():
    def accumulate(x, n):
        for i in range(n):
            x *= 0.5
            x += i
        return x.sum()

    f = lockstep(accumulate, (np.ones(5),), calls=6, args=lambda i: (i + 2,))
    assert f.stats.graph_calls >= 3, f.reasons


def axpy(a, b):
    a += 2 * b
    return b.sum()


def test_the_same_array_passed_twice_gets_its_own_graph():
    """f(z, z): one input read through both names, so `b` sees the write to `a` as in
    NumPy; a `same` guard keeps that graph from answering f(z, w), which gets its own."""
    f = jm.compile(axpy)
    for same in [True, True, False, False, True, False, True]:
        a, w = np.arange(5.0), np.arange(5.0)
        b, v = (a, w) if same else (np.ones(5), np.ones(5))
        assert f(a, b) == axpy(w, v)
        np.testing.assert_array_equal(a, w)
        np.testing.assert_array_equal(b, v)
    assert f.stats.compilations == 2 and f.stats.graph_calls == 5, f.reasons


def test_overlapping_views_run_as_plain_and_do_not_stop_other_calls():
    f = jm.compile(axpy)
    for overlap in [True, True, False, False, True, False]:
        a, w = np.arange(5.0), np.arange(5.0)
        args, plain = ((a[1:], a[:-1]), (w[1:], w[:-1])) if overlap else (
            (a[1:], np.ones(4)), (w[1:], np.ones(4)))
        assert f(*args) == axpy(*plain)
        np.testing.assert_array_equal(a, w)
    assert f.stats.compilations == 1 and f.stats.graph_calls == 2, f.reasons
    assert any("shares memory" in r for r in f.reasons), f.reasons


class Tied:
    """An autoencoder whose decoder reuses the encoder's weights (one array, two names)."""

    def __init__(self):
        self.enc = np.linspace(-1, 1, 12).reshape(4, 3)
        self.dec = self.enc


def tied_step(m, x, lr):
    h = np.tanh(x @ m.enc)
    y = h @ m.dec.T
    g = y - x
    m.enc -= lr * (x.T @ (g @ m.dec * (1 - h ** 2)))
    m.dec -= lr * (g.T @ h)  # the same array again: sees the first update
    return float((g ** 2).mean())


def test_tied_weights_are_one_array_updated_twice():
    x = np.linspace(0, 1, 8).reshape(2, 4)
    f = lockstep(tied_step, (Tied(),), calls=5, args=lambda i: (x, 0.1))
    assert f.stats.compilations == 1 and f.stats.graph_calls == 4, f.reasons


def test_read_only_argument_raises_as_plain():
    f = jm.compile(add_one)
    x = np.ones(3)
    x.flags.writeable = False
    for _ in range(2):
        with pytest.raises(ValueError, match="read-only"):
            f(x)
    assert f.stats.graph_calls == 0


def test_a_guard_failing_after_writes_and_prints_leaves_no_trace():
    def step(x, y):
        x += y
        print("wrote", x.sum())
        if x.sum() > 0:  # speculated from the profiling call
            x *= 2
        else:
            x -= 1
        return x

    f = jm.compile(step)
    for sign in [1, 1, 1, -1, -1, 1]:
        check(f, np.ones(3), sign * np.full(3, 4.0))
    assert f.stats.graph_calls >= 2, f.reasons


# --- attributes, items, globals, cells -------------------------------------------------------

def sgd(model, g, lr):
    model.w -= lr * g
    model.b = model.b - lr * g.sum(axis=0)
    model.step += 1
    return model.step


def test_parameter_update_on_a_model_object():
    g = np.full((4, 3), 0.5, np.float32)
    f = lockstep(sgd, (Model(),), calls=6, args=lambda i: (g * i, 0.1))
    s = f.stats
    assert s.graph_calls >= 3 and s.compilations <= 3, f.reasons


def test_new_attributes_and_reads_after_writes():
    def remember(m, x):
        m.last = x * 2
        m.count = getattr(m, "count", 0) + 1
        m.b += m.last[:3]
        return m.last.sum() + m.b.sum(), hasattr(m, "last")

    lockstep(remember, (Model(),), calls=4, args=lambda i: (np.full(4, float(i), np.float32),))


def test_attribute_bound_to_the_callers_array_and_to_a_result():
    def keep(m, x):
        m.x = x
        m.y = x + 1
        m.z = m.y
        x += 3
        return m.y

    f = jm.compile(keep)
    for _ in range(3):
        m, x = Model(), np.ones(3)
        y = f(m, x)
        assert m.x is x and m.y is y and m.z is y
        np.testing.assert_array_equal(x, [4.0, 4.0, 4.0])
        np.testing.assert_array_equal(y, [2.0, 2.0, 2.0])
    assert f.stats.graph_calls == 2


def adam_like(state, params, grads, lr):
    for k in params:
        state["m"][k] = 0.9 * state["m"][k] + 0.1 * grads[k]
        state["v"][k] *= 0.99
        state["v"][k] += 0.01 * grads[k] ** 2
        params[k] -= lr * state["m"][k] / (np.sqrt(state["v"][k]) + 1e-8)
    state["t"] += 1
    return state["t"]


def test_dict_state_items():
    rng = np.random.default_rng(1)
    params = {"w": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    state = {"m": {k: np.zeros_like(v) for k, v in params.items()},
             "v": {k: np.ones_like(v) for k, v in params.items()}, "t": 0}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    f = lockstep(adam_like, (state, params), calls=6, args=lambda i: (grads, 1e-2))
    assert f.stats.graph_calls >= 3, f.reasons


def test_list_items_in_range_only():
    def set_first(xs, v):
        xs[0] = v * 2
        xs[-1] += 1.0
        return len(xs)

    lockstep(set_first, ([np.zeros(2), 1.0, 2.0],), calls=3, args=lambda i: (np.ones(2) * i,))

    def append_key(d):
        d["new"] = 1
        return len(d)

    f = lockstep(append_key, ({"a": np.ones(2)},), calls=4)
    assert f.stats.graph_calls == 2, f.reasons  # the key is there from the second call on


COUNTER = 0
TOTAL = np.zeros(2)


def bump(x):
    global COUNTER, TOTAL
    COUNTER += 1
    TOTAL = TOTAL + x
    return COUNTER * x


def test_global_writes():
    global COUNTER, TOTAL
    COUNTER, TOTAL = 0, np.zeros(2)
    f = jm.compile(bump)
    want_counter, want_total, results = 0, np.zeros(2), []
    for i in range(5):
        x = np.full(2, float(i))
        results.append(f(x))
        want_counter += 1
        want_total = want_total + x
        np.testing.assert_array_equal(results[-1], want_counter * x)
        assert COUNTER == want_counter and type(COUNTER) is int
        np.testing.assert_array_equal(TOTAL, want_total)
    assert f.stats.graph_calls >= 2, f.reasons


def test_closure_cell_writes():
    def make():
        calls = 0

        def counted(x):
            nonlocal calls
            calls += 1
            return x * calls

        return counted, lambda: calls

    plain, plain_calls = make()
    fn, fn_calls = make()
    f = jm.compile(fn)
    for _ in range(4):
        np.testing.assert_array_equal(f(np.ones(2)), plain(np.ones(2)))
        assert fn_calls() == plain_calls()
    assert f.stats.graph_calls >= 1, f.reasons


def test_objects_written_through_two_names():
    def two(a, b, x):
        a.w = a.w + x
        return b.w.sum()

    f = jm.compile(two)
    for same in [False, False, True, True, False]:
        m1, m2 = Model(), Model(np.random.default_rng(5))
        args = (m1, m1, np.ones((4, 3), np.float32)) if same else (m1, m2,
                                                                   np.ones((4, 3), np.float32))
        check(f, *args)
        plain_m = copy.deepcopy(args[:2]) if not same else (lambda m: (m, m))(
            copy.deepcopy(m1))
        want = two(*plain_m, np.ones((4, 3), np.float32))
        got = f(*args)
        assert got == want or np.isclose(got, want)
    assert f.stats.graph_calls >= 2, f.reasons


def test_setattr_that_runs_user_code_runs_as_plain():
    class Frozen:
        def __init__(self):
            object.__setattr__(self, "v", 1)

        def __setattr__(self, name, value):
            raise AttributeError("frozen")

    def poke(o, x):
        o.v = 2
        return x + 1

    f = jm.compile(poke)
    for _ in range(2):
        with pytest.raises(AttributeError, match="frozen"):
            f(Frozen(), np.ones(2))
    assert f.stats.graph_calls == 0
    assert any("__setattr__" in r for r in f.reasons), f.reasons


# --- print and strings ----------------------------------------------------------------------

def report(x, k):
    loss = (x ** 2).mean()
    print("loss", loss, "k =", k)
    print(f"loss={loss:.4f} max={x.max()!r} x={x}", end="|\n")
    print(x * 2, sep="-")
    print("a", "b", sep=", ", end="")
    print(float(loss), int(x.argmax()), x.dtype, x.shape)
    x *= 3  # after the prints: they show the values before
    return f"{loss:.2f}", str(x[0])


def test_prints_show_values_as_plain_numpy_formats_them():
    f = jm.compile(report)
    for i in range(3):
        check(f, X + i, 3)
    assert stats(f)[:2] == (3, 2), f.reasons


def test_print_to_stderr(capsys):
    def warn(x):
        print("bad value", x.min(), file=sys.stderr, flush=True)
        return x

    f = jm.compile(warn)
    for _ in range(3):
        f(X)
    captured = capsys.readouterr()
    assert captured.err == f"bad value {X.min()}\n" * 3
    assert captured.out == ""
    assert f.stats.graph_calls == 2


def test_strings_of_graph_values_are_not_looked_at():
    def compare(x):
        s = f"{x.sum()}"
        if s:
            return 1
        return 0

    f = jm.compile(compare)
    for _ in range(2):
        check(f, X)
    assert f.stats.graph_calls == 0


def test_bad_format_spec_raises_as_plain():
    def fmt(x):
        return f"{x:.3f}"

    f = jm.compile(fmt)
    for _ in range(2):
        check(f, X)
    assert f.stats.graph_calls == 0


def test_a_print_in_a_loop_over_a_run_time_length():
    def loop(x, n):
        for i in range(n):
            x = x + 1
            print(i)
        return x

    f = jm.compile(loop)
    for n in [2, 3, 4, 5, 6]:
        check(f, X, n)
    assert f.stats.graph_calls == 3, f.reasons


# --- random numbers -------------------------------------------------------------------------

class Noisy:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.w = np.linspace(-1, 1, 12).reshape(4, 3)


def noisy_forward(layer, x):
    noise = layer.rng.standard_normal((2, 3))
    drop = layer.rng.random((2, 3), dtype=np.float32) < 0.5
    k = layer.rng.integers(0, 10)
    return np.where(drop, 0.0, x @ layer.w + noise), k


def test_generator_draws_match_plain_and_leave_the_same_state():
    f = jm.compile(noisy_forward)
    plain_layer, jit_layer = Noisy(3), Noisy(3)
    x = np.ones((2, 4))
    for _ in range(4):
        want, got = noisy_forward(plain_layer, x), f(jit_layer, x)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-12)
        assert type(got[1]) is type(want[1]) and got[1] == want[1]
        assert jit_layer.rng.bit_generator.state == plain_layer.rng.bit_generator.state
    assert f.stats.graph_calls == 3, f.reasons


def global_draws(x):
    a = np.random.standard_normal(x.shape)
    b = np.random.rand(2)
    c = random.random()
    d = random.uniform(1.0, 2.0)
    return x + a, b.sum() * c + d


def test_global_generators():
    f = jm.compile(global_draws)
    np.random.seed(5)
    random.seed(5)
    for _ in range(4):
        check(f, np.zeros(3))  # compares both global generators' states too
    assert f.stats.graph_calls == 3, f.reasons


def test_a_failed_call_puts_the_generator_back():
    def maybe(rng, x):
        z = rng.standard_normal(3)
        if (x + z).sum() > -100.0:  # speculated true
            return x + z
        return x - z

    f = jm.compile(maybe)
    plain_rng, jit_rng = np.random.default_rng(0), np.random.default_rng(0)
    for shift in [0.0, 0.0, -1000.0, 0.0, -1000.0]:
        x = np.full(3, shift)
        want, got = maybe(plain_rng, x), f(jit_rng, x)
        np.testing.assert_allclose(got, want, rtol=1e-12)
        assert jit_rng.bit_generator.state == plain_rng.bit_generator.state
    assert f.stats.fallbacks >= 1 and f.stats.graph_calls >= 2, f.reasons


def test_draws_in_a_run_time_loop_and_reseeding_run_as_plain():
    def reseed(rng, x):
        rng = np.random.default_rng(0)
        return x + rng.standard_normal(x.shape)

    def in_loop(rng, x, n):
        for _ in range(n):
            x = x + rng.random()
        return x

    f = jm.compile(in_loop)
    plain_rng, jit_rng = np.random.default_rng(0), np.random.default_rng(0)
    for n in [2, 3, 4, 5, 6]:
        np.testing.assert_array_equal(f(jit_rng, np.zeros(2), n), in_loop(plain_rng,
                                                                          np.zeros(2), n))
        assert jit_rng.bit_generator.state == plain_rng.bit_generator.state
    g = jm.compile(reseed)
    for _ in range(2):
        check(g, np.random.default_rng(1), np.zeros(2))


# --- lists and dicts changing length --------------------------------------------------------

def log_step(losses, history, x):
    loss = (x ** 2).mean()
    losses.append(loss)
    losses.extend([float(loss), x.max()])
    history["steps"] = history.get("steps", 0) + 1
    history.setdefault("first", x[0])
    return loss


def test_appends_to_the_callers_lists_and_new_keys_in_dicts():
    f = lockstep(log_step, ([], {}), calls=6,
                 args=lambda i: (np.linspace(0, 1, 4) * (i + 1),))
    assert f.stats.compilations == 1 and f.stats.graph_calls == 4, f.reasons


def reshape_containers(xs, d, e, x):
    first = xs.pop(0)
    xs.insert(1, x * 2)
    xs.insert(-5, 1.0)
    value = d.pop("a")
    d.update({"c": x.sum()})
    d["a"] = value * 3
    del e["b"]
    return first + value


def test_pop_insert_update_and_del():
    f = jm.compile(reshape_containers)
    for i in range(3):
        check(f, [np.ones(2) * i, np.zeros(2), 3.0], {"a": np.full(2, 2.0), "z": 0},
              {"b": 1, "y": np.zeros(1)}, np.arange(2.0))
    assert f.stats.graph_calls == 2, f.reasons


def test_reading_a_list_after_appending_runs_as_plain():
    def append_then_len(xs, x):
        xs.append(x)
        return len(xs) * x

    f = lockstep(append_then_len, ([],), calls=6, args=lambda i: (np.ones(2) * i,))
    assert f.stats.graph_calls == 0
    assert any("changed its length" in r for r in f.reasons), f.reasons


# --- prints on one side of a branch on array data --------------------------------------------

def track_best(x, best):
    loss = (x ** 2).mean()
    if loss < best:
        print(f"new best {loss:.4f}", x[:2])
        best = float(loss)
    else:
        print("no improvement", loss, end="!\n")
    return best


def test_prints_inside_a_relaxed_branch_happen_on_the_side_taken():
    f = jm.compile(track_best)
    for i, s in enumerate([3, 2, 5, 1, 4, 0.5, 6, 7]):
        check(f, np.full(3, float(s)), 10.0 if i % 2 else 2.0)
    assert f.stats.graph_calls >= 5 and f.stats.compilations == 2, f.reasons


def log_every(x, step):
    y = np.tanh(x) * step
    if step % 3 == 0:
        print("step", step, "mean", y.mean())
    return y


def test_printing_every_k_steps():
    f = jm.compile(log_every)
    for step in range(10):
        check(f, np.linspace(-1, 1, 4), step)
    assert f.stats.graph_calls >= 5, f.reasons


class Tracker:
    def __init__(self):
        self.best = 1e9
        self.bad = 0
        self.history = []
        self.state = {"best_x": np.zeros(3)}


def early_stopping(t, x):
    loss = float((x ** 2).mean())
    if loss < t.best:
        t.best = loss
        t.bad = 0
        t.state["best_x"] = x * 1
    else:
        t.bad += 1
        t.history.append(loss)
    return loss


def test_attributes_items_and_appends_assigned_on_one_side_of_a_branch():
    f = lockstep(early_stopping, (Tracker(),), calls=10,
                 args=lambda i: (np.full(3, float([3, 2, 5, 1, 4, 0.5, 6, 7, 0.1, 9][i])),))
    assert f.stats.graph_calls >= 6 and f.stats.compilations == 2, f.reasons


def test_an_attribute_new_on_one_side_runs_as_plain():
    def maybe_new(t, x):
        if x.sum() > 0:
            t.fresh_attribute = x.sum()
        return x

    f = jm.compile(maybe_new)
    for s in [1, 1, -1, 1, -1]:
        check(f, Tracker(), np.full(2, float(s)))
    assert any("fresh_attribute" in r for r in f.reasons), f.reasons


def overlapping_views(a, held):
    a[1:] += a[:-1]  # NumPy computes the right side as if copied first
    keep = [a, a[::2]]
    a *= 2.0  # seen through the list and the view the list holds
    held[0] -= 1.0  # an array inside the caller's list
    return keep, held


def test_overlapping_views_and_arrays_held_by_lists():
    f = jm.compile(overlapping_views)
    for _ in range(3):
        check(f, np.arange(6.0), [np.ones(3), 2.0])
    assert f.stats.graph_calls == 2, f.reasons


BEST = 1e9
WORSE = 0


def best_global(x):
    global BEST, WORSE
    loss = float((x ** 2).mean())
    if loss < BEST:
        BEST = loss
    else:
        WORSE = WORSE + 1
    return loss


def test_globals_assigned_on_one_side_of_a_branch():
    global BEST, WORSE
    f = jm.compile(best_global)
    seq = [3, 2, 5, 1, 4, 0.5, 6, 7]
    BEST, WORSE = 1e9, 0
    got = [(f(np.full(3, float(s))), BEST, WORSE) for s in seq]
    BEST, WORSE = 1e9, 0
    want = [(best_global(np.full(3, float(s))), BEST, WORSE) for s in seq]
    assert got == want and all(type(g[1]) is type(w[1]) for g, w in zip(got, want))
    assert f.stats.graph_calls >= 4, f.reasons


def test_explain_lists_what_each_graph_commits():
    f = jm.compile(sgd)
    m = Model()
    for i in range(3):
        f(m, np.ones((4, 3), np.float32) * i, 0.1)
    text = f.explanation()
    for want in ("commits: ", "write model.w", "setattr model.b", "setattr model.step"):
        assert want in text, text


class Totals:
    def __init__(self):
        self.total = 0.0


def batch_effects(x, m):
    x *= 2
    m.total = m.total + x.sum()
    print("rows", x.shape[0], x.sum(axis=1))
    return x.sum(axis=1)


def test_effects_with_a_symbolic_batch_dim():
    f = jm.compile(batch_effects)
    for n in [2, 3, 4, 5, 6, 7]:
        check(f, np.arange(n * 3, dtype=np.float32).reshape(n, 3), Totals())
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def epoch_losses(W, losses, xs):
    for x in xs:
        h = np.tanh(x @ W)
        losses.append(float((h ** 2).mean()))
    return W.sum()


def test_appends_to_the_callers_list_in_a_loop_over_a_run_time_length():
    rng = np.random.default_rng(0)
    batches = [[rng.standard_normal(3) for _ in range(n)] for n in [2, 3, 4, 5, 6, 3]]
    f = lockstep(epoch_losses, (rng.standard_normal((3, 3)), []), calls=6,
                 args=lambda i: (batches[i],))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def test_arrays_appended_to_the_callers_list_in_such_a_loop():
    """Each item is its own new array; the carried `h` is the caller's list's last item."""
    def keep_rows(out, xs):
        for x in xs:
            out.append(x * 2)
        return len(xs)

    def keep_states(m, xs, h):
        for x in xs:
            h = np.tanh(x + h)
            m.hs.append(h)
        return h

    rng = np.random.default_rng(1)
    f = lockstep(keep_rows, ([],), calls=6,
                 args=lambda i: ([rng.standard_normal(2) for _ in range(i + 2)],))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons
    m = Model()
    m.hs = []
    f = lockstep(keep_states, (m,), calls=6,
                 args=lambda i: ([rng.standard_normal(3) for _ in range(i + 2)],
                                 np.zeros(3)))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def test_an_attribute_the_loop_assigns_is_the_last_item_it_appends():
    def step(m, xs):
        for x in xs:
            m.h = np.tanh(x + m.h)
            m.hs.append(m.h)  # m.h is m.hs[-1] afterwards
        return m.h

    rng = np.random.default_rng(2)
    m = Model()
    m.hs, m.h = [], np.zeros(3)
    f = lockstep(step, (m,), calls=6,
                 args=lambda i: ([rng.standard_normal(3) for _ in range(i + 2)],))
    assert f.stats.compilations == 2 and f.stats.graph_calls == 4, f.reasons


def loop_prints(x, n, log):
    for i in range(n):
        x = np.tanh(x) * 1.5
        print("iter", i, f"{float(x.sum()):.3f}")
        log.append(float(x.max()))
        print(x[:2], None, end=";\n")
    print("done", n)
    return x


def test_prints_in_a_loop_over_a_run_time_length_interleave_as_plain():
    f = jm.compile(loop_prints)
    for n in [2, 3, 0, 5, 1, 4]:
        check(f, np.linspace(0.1, 1, 4), n, [])
    assert f.stats.graph_calls == 4 and f.stats.compilations == 2, f.reasons


def test_prints_in_nested_run_time_loops_run_as_plain():
    def nested(x, n):
        for i in range(n):
            for j in range(n):
                print(i, j)
            x = x + 1
        return x

    f = jm.compile(nested)
    for n in [2, 3, 1, 4]:
        check(f, np.ones(2), n)
    assert f.stats.graph_calls == 0, f.reasons


def test_a_print_on_one_side_of_a_branch_inside_a_run_time_loop_runs_as_plain():
    def grow(x, n):
        for i in range(n):
            x = np.tanh(x) * 1.7
            if x.sum() > 1.0:
                print("big", i)
        return x

    f = jm.compile(grow)
    for n in [2, 3, 4, 5, 3, 6]:
        check(f, np.linspace(-0.3, 0.5, 4), n)
    assert any("inside a loop over a run-time length" in r for r in f.reasons), f.reasons
