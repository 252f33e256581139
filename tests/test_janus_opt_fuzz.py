"""janus-opt on about 200 generated malformed inputs (tests/janus_opt_fuzz_cases.py).

Every input ends with exit status 0 or 1. A failure always says where (`file:line:col: error:`)
or why (`janus-opt: error:`); nothing prints a traceback, an internal error or a NumPy warning;
and what janus-opt accepts verifies when parsed again.
"""

from __future__ import annotations

import re
import warnings

import pytest
from iree.compiler import ir

from janus_mlir.dialects.context import make_context
from janus_mlir.dialects.verifier import verify_module
from janus_mlir.tools import janus_opt

from .janus_opt_fuzz_cases import fuzz_cases

CASES = fuzz_cases()
SAYS_WHERE_OR_WHY = re.compile(r"^\S.*?:\d+:\d+: error: |^janus-opt: error: ", re.M)


def test_there_are_enough_cases():
    assert len(CASES) >= 200
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize("name,data,args", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_fails_cleanly(capsys, tmp_path, name, data, args):
    path = tmp_path / "input.mlir"
    path.write_bytes(data)
    out_path = tmp_path / "out.mlir"
    argv = [str(path), *args] + ([] if "-o" in args else ["-o", str(out_path)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = janus_opt.main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert "Traceback" not in out + err
    assert "internal" not in err
    if code:
        assert SAYS_WHERE_OR_WHY.search(err), err
    else:
        assert not re.search(r"\berror\b", err), err
        if out_path.exists():
            for chunk in out_path.read_text().split(janus_opt.SPLIT_MARKER):
                assert verify_module(ir.Module.parse(chunk, make_context())) == []
