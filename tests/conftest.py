"""Test-wide settings.

The speed check (runtime/speed.py) sends calls to plain Python when their graph measured slower:
a decision from wall-clock time, which on a shared machine would make the graph-call counts the
tests assert flaky. It is off here; tests/test_speed_check.py turns it on and tests it."""

import os

os.environ.setdefault("JANUS_MLIR_SPEED_CHECK", "0")
