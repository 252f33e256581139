"""Every registered op is exercised by some compiled-path test table.

Each tests/test_ops_*.py module declares `COVERED`, the op names its tables drive; a new op
registered without a test case fails here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from janus_mlir.ops import OPS


def _covered_by_test_modules() -> dict[str, frozenset[str]]:
    out = {}
    for path in sorted(Path(__file__).parent.glob("test_ops_*.py")):
        module = importlib.import_module(f".{path.stem}", __package__)
        if hasattr(module, "COVERED"):
            out[path.stem] = module.COVERED
    return out


def test_every_registered_op_has_a_test_table() -> None:
    covered = set().union(*_covered_by_test_modules().values())
    missing = sorted(set(OPS) - covered)
    assert not missing, f"registered ops with no test case table: {missing}"


def test_test_tables_name_only_registered_ops() -> None:
    for module, names in _covered_by_test_modules().items():
        unknown = sorted(names - set(OPS))
        assert not unknown, f"{module} covers unknown ops: {unknown}"
