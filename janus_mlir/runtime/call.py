"""One call of a compiled graph, and what became of it.

`call` checks the graph's assumptions, runs it, and turns every way the run can end into data:
the result, or a `Miss` saying which assumption failed (a host assumption, an in-graph guard and
the speculation site it checks, a loop that needed a trip) or that the graph could not run. The
caller (dispatch.py) decides what a miss leads to; nothing the graph computed is visible then.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..speculation.assumptions import Guard, Kind
from ..speculation.sources import Frame
from .commit import CommitFailed
from .graph import CompiledGraph
from .module import CannotRun, GuardFailure

log = logging.getLogger("janus_mlir")


class Ending(StrEnum):
    ASSUMPTION = "assumption"  # a host assumption failed before the graph ran (`failed`)
    BRANCH = "branch"  # an in-graph guard of a speculation site failed (`site`)
    NO_TRIP = "no trip"  # a loop the graph needs to run once ran zero times
    GUARD = "guard"  # another in-graph guard failed (the plain call raises, or differs)
    CANNOT_RUN = "cannot run"  # an input the graph cannot take (too large an int, ...)
    BROKEN = "broken"  # the graph itself failed: drop it


@dataclass(frozen=True)
class Miss:
    ending: Ending
    reason: str
    failed: Guard | None = None
    site: Any = None


def call(graph: CompiledGraph, frame: Frame) -> tuple[Any, Miss | None]:
    """Run `graph` on a call whose entry guards hold: (result, None) or (None, miss)."""
    failed = graph.failed_assumption(frame)
    if failed is not None:
        return None, Miss(Ending.ASSUMPTION, str(failed), failed)
    try:
        return graph.run(frame), None
    except GuardFailure as e:
        graph.guard_failures += 1
        if e.guard.kind == Kind.TRIP_COUNT:
            return None, Miss(Ending.NO_TRIP, str(e.guard))
        site = graph.guard_site(e.guard.id)
        if site is not None:
            return None, Miss(Ending.BRANCH, str(e.guard), site=site)
        return None, Miss(Ending.GUARD, str(e.guard))
    except CannotRun as e:
        return None, Miss(Ending.CANNOT_RUN, str(e))
    except CommitFailed:
        raise
    except Exception as e:  # a janus or IREE bug: nothing the graph did is visible
        log.debug("janus graph failed", exc_info=True)
        return None, Miss(Ending.BROKEN, f"graph {graph.name} failed when run: "
                                         f"{type(e).__name__}: {e}")
