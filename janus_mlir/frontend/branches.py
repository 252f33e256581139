"""Branches on values computed in the graph (`if x.mean() > 0`, `while err > tol`, `a if t
else b`): speculated from the profile and guarded in the graph, or relaxed.

When every profiled call took the same side at a site, only that side is converted and a
`janus.guard` of kind "branch" checks the test when the graph runs; a call that goes the other
way fails the guard, runs as plain Python, and the runtime marks the site unspeculated
(`Policy.unspeculated`). A site that no profiled call reached (in the function or a helper it
calls: helpers are profiled too) asks for more profiling calls first (`NeedsProfile`). A site
that is unspeculated, that the profile saw go both ways, or that is still unseen after those
calls takes the relaxed form (frontend/relaxed.py): both sides as `scf.if`,
a loop as `scf.while`.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from ..speculation.profile import Site
from .canonicalize.jumps import RELAX
from .errors import NeedsProfile
from .values import Tensor

if TYPE_CHECKING:
    from .converter import FunctionConverter


class Relax(Exception):
    """The branch at this site is not speculated: convert its relaxed form."""


def site_of(cv: FunctionConverter, node: ast.stmt | ast.expr) -> Site:
    return Site(cv.scope, node.lineno, node.col_offset, "branch")


def predicate(cv: FunctionConverter, test: Tensor) -> Tensor:
    """Python's truth value of `test` (one element) as a rank-0 bool graph value."""
    if test.spec.size != 1:
        raise cv.fail("ValueError: the truth value of an array with more than one element is "
                      "ambiguous" if test.spec.size else
                      "ValueError: the truth value of an empty array is ambiguous")
    b = cv.b
    pred = test if test.dtype == np.bool_ else b.emit("astype", [test], test.kind,
                                                       dtype=np.dtype(np.bool_))
    if pred.ndim:
        pred = b.emit("reshape", [pred], pred.kind, copy=True, shape=())
    return pred


def speculate(cv: FunctionConverter, test: Tensor, node: ast.stmt | ast.expr) -> bool:
    """The side a branch on `test` takes, assumed from the profile and guarded; raises `Relax`
    where the site is not speculated."""
    pred = predicate(cv, test)
    if getattr(node, RELAX, False):  # a test the canonicalizer made: never profiled
        raise Relax()
    site = site_of(cv, node)
    profile = cv.conv.profile
    policy = cv.conv.lifter.policy
    seen = profile.branches.get(site) if profile is not None else None
    if not seen and not policy.relax_unseen and profile is not None:
        raise NeedsProfile("branching on a value computed from array data: no profiled call "
                           "has reached this branch yet", cv.b.where)
    outcome = profile.always(site) if profile is not None else None
    if outcome is None or site in policy.unspeculated:
        raise Relax()
    if not outcome:
        pred = cv.b.emit("logical_not", [pred], pred.kind)
    cv.b.guard(pred, "branch", f"the test is {outcome}, as in every profiled call", site=site)
    return outcome
