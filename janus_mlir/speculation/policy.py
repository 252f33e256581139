"""The per-signature policy of what the converter speculates on, relaxed by the runtime as
assumptions fail: which Python scalars are run-time inputs or part of the signature, which branch
sites take the relaxed form, which lists are stacked inputs, which array axes are symbolic.

The runtime tells the policy what failed (dispatch.py); the converter asks it at each site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .sources import Source


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
