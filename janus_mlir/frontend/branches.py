"""Branches on values computed in the graph (`if x.mean() > 0`, `while err > tol`, `a if t
else b`): speculated from the profile, guarded in the graph.

When every profiled call took the same side at a site, only that side is converted and a
`janus.guard` of kind "branch" checks the test when the graph runs; a call that goes the other
way fails the guard, runs as plain Python, and the runtime marks the site unspeculated
(`Policy.unspeculated`), so the next conversion refuses it instead of guessing again. Sites the
profile did not see, or saw go both ways, are not converted yet (the relaxed form — both sides
as `scf.if` — comes with the speculation work).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from ..speculation.profile import Site
from .errors import NeedsProfile
from .values import Tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


def site_of(cv: FunctionConverter, node: ast.stmt | ast.expr) -> Site:
    return Site(cv.scope, node.lineno, node.col_offset, "branch")


def speculate(cv: FunctionConverter, test: Tensor, node: ast.stmt | ast.expr) -> bool:
    """The side a branch on `test` takes, assumed from the profile and guarded."""
    if test.spec.size != 1:
        raise cv.fail("ValueError: the truth value of an array with more than one element is "
                      "ambiguous" if test.spec.size else
                      "ValueError: the truth value of an empty array is ambiguous")
    site = site_of(cv, node)
    if site in cv.conv.lifter.policy.unspeculated:
        raise cv.fail("this branch on array data went both ways at run time; it is not "
                      "converted yet (the call runs as plain Python)")
    profile = cv.conv.profile
    seen = profile.branches.get(site) if profile is not None else None
    if not seen:
        raise NeedsProfile("branching on a value computed from array data: no profiled call "
                           "has reached this branch yet", cv.b.where)
    outcome = profile.always(site)
    if outcome is None:
        raise cv.fail("branching on a value computed from array data is not converted unless "
                      "every profiled call took the same side")
    b = cv.b
    pred = test if test.dtype == np.bool_ else b.emit("astype", [test], test.kind,
                                                       dtype=np.dtype(np.bool_))
    if pred.ndim:
        pred = b.emit("reshape", [pred], pred.kind, copy=True, shape=())
    if not outcome:
        pred = b.emit("logical_not", [pred], pred.kind)
    b.guard(pred, "branch", f"the test is {outcome}, as in every profiled call", site=site)
    return outcome
