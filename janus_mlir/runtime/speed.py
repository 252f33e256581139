"""Whether a function's graphs pay for themselves: measured, and plain Python where they don't.

Some programs are faster as plain NumPy than any graph can be on the machine at hand: a TreeRNN
over a fresh tree on every call spends as long on the host building the graph's schedule as NumPy
spends on the whole forward pass, and a graph of a few tiny ops pays IREE's per-dispatch cost.
Such a function should not get slower for being compiled. So every call a graph answers is timed
(the whole path: entry guards, inputs, the invocation, the results); once `GRAPH_SAMPLES` are in
(the first `WARMUP` after each compilation left out), the next `PLAIN_SAMPLES` calls run as plain
Python, timed too. If the graph's median is more than `SLOWER` times plain Python's, calls run as
plain Python from then on, with a reason; after `RECHECK` calls the graphs are measured again
on `RECHECK_SAMPLES` calls (the data, or the machine's load, may have changed), and after twice
as many the next time they lose. Graphs that win are not timed again until the function
compiles another. Running a call as plain Python is always correct, so the check can only cost
speed, never a wrong answer.

JANUS_MLIR_SPEED_CHECK=0 turns it off (graphs answer every call they match).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

WARMUP = 2  # graph calls after a compilation not timed (first-touch costs)
GRAPH_SAMPLES = 16
RECHECK_SAMPLES = 4  # graph calls timed when a losing graph is measured again (it is warm)
PLAIN_SAMPLES = 4
SLOWER = 1.25  # a graph this many times slower than plain Python is not used
RECHECK = 256  # plain calls before the graphs are measured again; doubled each time they lose
MAX_RECHECK = 1 << 16


@dataclass
class SpeedCheck:
    enabled: bool = True  # JANUS_MLIR_SPEED_CHECK
    active: bool = False  # measuring (or in plain mode): checked on every call, so a field
    graph: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    skipped: int = 0  # graph calls left out before timing (warm-up)
    plain_mode: bool = False
    plain_calls: int = 0  # calls run as plain Python since plain Python won
    recheck: int = RECHECK
    samples: int = GRAPH_SAMPLES  # graph calls to time this round

    def compiled(self) -> None:
        """A new graph: measure again from scratch."""
        self.recheck = RECHECK
        self._measure_again(GRAPH_SAMPLES, WARMUP)

    def _measure_again(self, samples: int, warmup: int) -> None:
        self.active = self.enabled
        self.graph.clear()
        self.plain.clear()
        self.samples, self.skipped = samples, warmup
        self.plain_mode = False

    def run_plain(self) -> bool:
        """Whether this call runs as plain Python: in plain mode, or as a timed sample."""
        if self.plain_mode:
            self.plain_calls += 1
            if self.plain_calls < self.recheck:
                return True
            self.recheck = min(2 * self.recheck, MAX_RECHECK)
            self._measure_again(RECHECK_SAMPLES, 0)
            return False
        return len(self.graph) >= self.samples

    def graph_call(self, seconds: float) -> None:
        if self.skipped:
            self.skipped -= 1
        elif len(self.graph) < self.samples:
            self.graph.append(seconds)

    def plain_call(self, seconds: float) -> str | None:
        """Record a timed plain call; the reason, once plain Python wins."""
        self.plain.append(seconds)
        if len(self.plain) < PLAIN_SAMPLES:
            return None
        graph, plain = statistics.median(self.graph), statistics.median(self.plain)
        if graph <= SLOWER * plain:
            self.active = False  # the graphs pay: no more timing until the next compilation
            return None
        self.plain_mode = True
        self.plain_calls = 0
        return (f"a graph call takes {graph * 1e6:.0f} us (median of {len(self.graph)}), plain "
                f"Python {plain * 1e6:.0f} us (median of {len(self.plain)}): calls run as plain "
                f"Python, measured again after {self.recheck} of them")
