"""The per-signature policy of what the converter speculates on, relaxed by the runtime as
assumptions fail: which Python scalars are run-time inputs or part of the signature, which branch
sites take the relaxed form, which lists are stacked inputs, which array axes are symbolic.

The runtime tells the policy what failed (`failed`, `branch_failed`, `length_changed`,
`shape_changed`); the converter asks it at each site (the sets below). Each assumption moves
down its own ladder (DESIGN.md, "Speculation and relaxation"):

    Python scalar   constant ──value changed──▶ run-time input ──needed as a shape──▶ signature
    name bound in a relaxed loop   unbound after it ──read there──▶ carried (one trip assumed)
    branch          profiled side + guard ──guard failed──▶ both sides (scf.if)
    list length     elements + length guard ──other length──▶ one stacked input
    array shape     static ──other shape──▶ symbolic axes ──an op needs them static──▶ per shape
    anything else   guarded ──fails MAX_ASSUMPTION_FAILURES times──▶ not speculated: plain Python

Failures are counted per assumption key (`Guard.key`), so the hysteresis is per assumption: one
flaky identity does not stop speculation on anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .assumptions import Guard, Kind
from .sources import Source

# An assumption that keeps failing stops being speculated on (the function runs as plain Python
# for that signature) instead of being recompiled on every call.
MAX_ASSUMPTION_FAILURES = 3


class Step(StrEnum):
    """What a failed assumption leads to."""

    RUNTIME_INPUT = "run-time input"  # a speculated scalar becomes an input of the graph
    REBUILD = "rebuild"  # the same assumption again, on this call's value
    STOP = "stop"  # failed too often: no longer speculated on (plain Python)


@dataclass
class Policy:
    """What the converter speculates on for one signature. Python scalar sources: speculated
    constants (default), run-time inputs (`dynamic`, after a value assumption failed) or part of
    the signature (`keyed`, when the value must be a constant, e.g. a shape); branch sites whose
    guard failed (`unspeculated`: both sides as scf.if); lists whose length varied (`stacked`);
    array axes whose size varied (`symbolic`)."""

    dynamic: set[Source] = field(default_factory=set)
    keyed: set[Source] = field(default_factory=set)
    unspeculated: set[Any] = field(default_factory=set)  # branch sites whose guard failed
    relax_unseen: bool = False  # branches no profiled call reached take the relaxed form
    stacked: set[Source] = field(default_factory=set)  # lists whose length varies: one input
    symbolic: dict[Source, tuple[int, ...]] = field(default_factory=dict)  # axes that varied
    failures: dict[Any, int] = field(default_factory=dict)  # by assumption key
    carried: dict[Any, set[str]] = field(default_factory=dict)  # loop site -> names read after

    def carry(self, site: Any, name: str) -> bool:
        """A name a relaxed loop binds is read after it: carry it from now on (the loop then
        assumes one trip). False if it already was (nothing left to relax)."""
        names = self.carried.setdefault(site, set())
        if name in names:
            return False
        names.add(name)
        return True

    def failed(self, guard: Guard) -> Step:
        """A host guard of a graph failed: count it and move its assumption one step down."""
        count = self.failures[guard.key] = self.failures.get(guard.key, 0) + 1
        if guard.kind == Kind.VALUE:
            self.dynamic.add(guard.source)
            return Step.RUNTIME_INPUT
        return Step.STOP if count >= MAX_ASSUMPTION_FAILURES else Step.REBUILD

    def branch_failed(self, site: Any) -> None:
        """A speculated branch (or loop exit) went the other way: relax its site."""
        self.failures[site] = self.failures.get(site, 0) + 1
        self.unspeculated.add(site)

    def needs_constant(self, source: Source) -> None:
        """The converter needs `source`'s value as a constant (a shape): key graphs on it."""
        self.dynamic.discard(source)
        self.keyed.add(source)

    def length_changed(self, source: Source) -> bool:
        """A list of arrays came with another length; True if it becomes stacked now."""
        if source in self.stacked:
            return False
        self.stacked.add(source)
        return True

    def shape_changed(self, source: Source, axes: tuple[int, ...]) -> bool:
        """An array came with other sizes on `axes`; True if more of its axes become symbolic."""
        old = self.symbolic.get(source, ())
        if not set(axes) - set(old):
            return False
        self.symbolic[source] = tuple(sorted({*axes, *old}))
        return True
