"""Why a function (or part of it) was not converted: one error type pointing at the user's line."""

from __future__ import annotations


class Unconvertible(Exception):
    """The converter met something it does not turn into a graph; the call runs as plain Python.

    Never reaches the user as an exception: it becomes a structured reason in the function's stats.
    """

    def __init__(self, reason: str, where: str = "<unknown>"):
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.where = where


class NeedsStatic(Unconvertible):
    """A value passed in as a run-time input was needed as a Python constant (a shape, an axis)."""

    def __init__(self, source: object, where: str = "<unknown>"):
        super().__init__(f"{source} is used where a constant is needed", where)
        self.source = source


class NeedsCarry(Unconvertible):
    """A name a relaxed loop binds but does not carry was read after the loop: the conversion
    is retried with the loop at `site` carrying `name` (assuming at least one trip)."""

    def __init__(self, site: object, name: str, where: str = "<unknown>"):
        super().__init__(f"'{name}' is read after the loop that binds it", where)
        self.site, self.name = site, name


class NeedsDynamic(Unconvertible):
    """A Python scalar speculated constant is assigned a new value by the call itself
    (`self.t += 1`): the next call would fail the speculation, so the conversion is retried
    with the scalar as a run-time input."""

    def __init__(self, source: object, where: str = "<unknown>"):
        super().__init__(f"{source} is assigned a new value by the call", where)
        self.source = source


class NeedsLaterCall(Unconvertible):
    """What this call does cannot be converted, but a later call may be convertible: a container
    the call changes in length and then reads again (lazy initialisation, `if "m" not in state:
    state["m"] = ...`, changes it on the first call only)."""


class NeedsProfile(Unconvertible):
    """A speculation site the profiling calls have not seen yet (a branch on array data): the
    conversion may succeed after more profiling calls."""


class NeedsStaticShape(Unconvertible):
    """A symbolic dim (a batch size that varies) reached an op or a computation that needs a
    static shape: the conversion is retried with static shapes (one graph per shape)."""


class RaiseReached(Unconvertible):
    """A `raise` statement was reached while converting: this path of the function raises."""


class Returned(Exception):  # noqa: N818 (control flow, not an error)
    """A `return` statement reached while converting: unwinds to the function's converter
    (or to a relaxed region that merges the returns of its sides) with the value."""

    def __init__(self, value: object):
        self.value = value
