"""janus-opt and the module verifier: malformed input never crashes, valid input round-trips.

The driver runs both in-process (`main(argv)`) and as a subprocess (what a user and lit see).
Every failure must be an MLIR-style `file:line:col: error:` line with a non-zero exit status and
no Python traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from iree.compiler import ir

from janus_mlir.dialects import janus
from janus_mlir.dialects.context import make_context
from janus_mlir.dialects.verifier import Severity, verify_module
from janus_mlir.passes import PASSES
from janus_mlir.tools import janus_opt

ROOT = Path(__file__).resolve().parents[1]
LIT = ROOT / "tests" / "lit"
ERROR_LINE = re.compile(r"^\S+:\d+:\d+: error: ", re.M)

VALID = """\
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %n: tensor<f32>) -> tensor<2x3xf32> {
  %zero = "janus.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %p = "janus.greater"(%n, %zero) : (tensor<f32>, tensor<f32>) -> tensor<i1>
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "n > 0", where = "f.py:2"} : (tensor<i1>) -> ()
  %0 = "janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "janus.tanh"(%0) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
"""

GARBAGE = "this is not MLIR at all\n"
UNKNOWN_OP = VALID.replace('"janus.tanh"', '"janus.frobnicate"')
WRONG_OPERAND_TYPES = VALID.replace(
    '"janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>)',
    '"janus.add"(%x, %x) : (tensor<2x3xf32>, tensor<3xf32>)')
BAD_MATMUL = """\
func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  %0 = "janus.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
"""

# (case id, input text or None for a missing file, extra arguments, expected text in stderr)
BAD_CASES = [
    ("garbage", GARBAGE, [], "custom op 'this' is unknown"),
    ("unknown_op", UNKNOWN_OP, [], "unknown operation 'janus.frobnicate'"),
    ("wrong_operand_types", WRONG_OPERAND_TYPES, [], "use of value '%x' expects different type"),
    ("bad_matmul", BAD_MATMUL, [], "'janus.matmul' op matmul contraction dimensions differ"),
    ("unknown_pass", VALID, ["--pass-pipeline=builtin.module(no-such-pass)"],
     "'no-such-pass' does not refer to a registered pass"),
    ("bad_pipeline_syntax", VALID, ["--pass-pipeline=builtin.module(cse"], "unbalanced braces"),
    ("bad_pass_option", VALID, ["--convert-janus-to-linalg=bogus=1"], "has no option 'bogus'"),
    ("missing_file", None, [], "could not open input file"),
]


def _input(tmp_path: Path, text: str | None) -> Path:
    path = tmp_path / "input.mlir"
    if text is not None:
        path.write_text(text)
    return path


def _run_in_process(capsys, argv: list[str]) -> tuple[int, str, str]:
    code = janus_opt.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _run_subprocess(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "janus_mlir.tools.janus_opt", *argv],
                          input=stdin, capture_output=True, text=True, env=env, timeout=120)


# ---------------------------------------------------------------------------------------------
# Malformed input: diagnostics, exit status, no traceback
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,text,args,expected", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_in_process(capsys, tmp_path, name, text, args, expected):
    path = _input(tmp_path, text)
    code, out, err = _run_in_process(capsys, [str(path), *args])
    assert code != 0
    assert ERROR_LINE.search(err), err
    assert expected in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("name,text,args,expected", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_subprocess(tmp_path, name, text, args, expected):
    path = _input(tmp_path, text)
    proc = _run_subprocess([str(path), *args])
    assert proc.returncode != 0
    assert ERROR_LINE.search(proc.stderr), proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_diagnostic_names_the_real_file_and_line(capsys, tmp_path):
    path = _input(tmp_path, UNKNOWN_OP)
    _, _, err = _run_in_process(capsys, [str(path)])
    line = UNKNOWN_OP.splitlines().index(
        next(ln for ln in UNKNOWN_OP.splitlines() if "frobnicate" in ln)) + 1
    assert f"{path}:{line}:" in err


def test_stdin_is_named_stdin():
    proc = _run_subprocess([], stdin=GARBAGE)
    assert proc.returncode == 1
    assert proc.stderr.startswith("<stdin>:1:1: error: ")


def test_split_input_file_keeps_original_line_numbers(capsys, tmp_path):
    text = VALID + "\n// -----\n\n" + BAD_MATMUL
    path = _input(tmp_path, text)
    code, out, err = _run_in_process(capsys, [str(path), "--split-input-file"])
    bad_line = text.splitlines().index(
        next(ln for ln in text.splitlines() if '"janus.matmul"' in ln)) + 1
    assert code == 1
    assert f"{path}:{bad_line}:8: error: 'janus.matmul' op" in err
    assert "func.func @f" in out and "// -----" in out  # the valid chunk is still printed


def test_internal_error_is_reported_not_raised(capsys, tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(janus_opt, "process_chunk", explode)
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, VALID))])
    assert code == 2
    assert err.startswith("error: internal: RuntimeError: boom")
    assert "Traceback" not in out + err


def test_usage_error_exits_2_without_traceback(capsys, tmp_path):
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, VALID)), "--no-such-flag"])
    assert code == 2
    assert "unrecognized arguments: --no-such-flag" in err
    assert "Traceback" not in out + err


# ---------------------------------------------------------------------------------------------
# Happy paths
# ---------------------------------------------------------------------------------------------


def _parse(text: str) -> ir.Module:
    return ir.Module.parse(text, make_context())


def test_round_trip_output_parses_and_verifies(capsys, tmp_path):
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, VALID))])
    assert code == 0, err
    module = _parse(out)
    assert verify_module(module) == []
    assert str(module) == out


@pytest.mark.parametrize("args", [
    ["--janus-to-iree-input"],
    ["--pass-pipeline=builtin.module(janus-to-iree-input)"],
    ["--janus-lower-guards", "--convert-janus-to-linalg", "--canonicalize", "--cse"],
])
def test_pipeline_output_parses_again_without_janus_ops(capsys, tmp_path, args):
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, VALID)), *args])
    assert code == 0, err
    module = _parse(out)
    assert verify_module(module) == []
    assert not re.search(r'"janus\.\w+"\(', out)
    assert "cf.assert" in out and "linalg.generic" in out


def test_subprocess_pipeline_to_output_file(tmp_path):
    out_path = tmp_path / "out.mlir"
    proc = _run_subprocess([str(_input(tmp_path, VALID)), "--janus-to-iree-input", "-o",
                            str(out_path)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    _parse(out_path.read_text())


def test_pass_flag_does_not_swallow_the_input_file(capsys, tmp_path):
    code, out, _ = _run_in_process(capsys, ["--convert-janus-to-linalg", str(_input(tmp_path, VALID))])
    assert code == 0
    assert "math.tanh" in out


def test_print_ir_after_all_goes_to_stderr_in_order(capsys, tmp_path):
    code, out, err = _run_in_process(
        capsys, [str(_input(tmp_path, VALID)), "--janus-to-iree-input", "--mlir-print-ir-after-all"])
    assert code == 0
    names = re.findall(r"// -----// IR Dump After (\S+) //----- //", err)
    assert names == ["janus-lower-guards", "convert-janus-to-linalg", "canonicalize", "cse"]


def test_help_lists_every_registered_pass(capsys):
    code, out, _ = _run_in_process(capsys, ["--help"])
    assert code == 0
    for name, cls in PASSES.items():
        assert f"--{name}" in out
        assert cls.summary.split()[0] in out
    for flag in ("--janus-to-iree-input", "--canonicalize", "--cse", "--split-input-file",
                 "--verify-diagnostics", "--mlir-print-ir-after-all"):
        assert flag in out


def test_verify_diagnostics_in_process(capsys, tmp_path):
    good = BAD_MATMUL.replace(
        '  %0 = "janus.matmul"',
        "  // expected-error @+1 {{contraction dimensions differ}}\n  %0 = \"janus.matmul\"")
    code, _, err = _run_in_process(capsys, [str(_input(tmp_path, good)), "--verify-diagnostics"])
    assert code == 0, err
    wrong = good.replace("contraction dimensions differ", "something else")
    code, _, err = _run_in_process(capsys, [str(_input(tmp_path, wrong)), "--verify-diagnostics"])
    assert code == 1
    assert 'expected error "something else" was not produced' in err
    assert "unexpected error: 'janus.matmul' op matmul contraction" in err


# ---------------------------------------------------------------------------------------------
# The verifier itself, and lit coverage of the dialect
# ---------------------------------------------------------------------------------------------


def test_verify_module_reports_janus_and_mlir_problems():
    assert verify_module(_parse(VALID)) == []
    diags = verify_module(_parse(UNKNOWN_OP))
    assert [(d.severity, d.message) for d in diags] == [
        (Severity.ERROR, "unknown operation 'janus.frobnicate'")]
    assert diags[0].position()[1] == 6
    # Break the module after parsing: MLIR's verifier reports the return type mismatch.
    module = _parse(VALID)
    func = module.body.operations[0]
    block = func.regions[0].blocks[0]
    ret = list(block.operations)[-1]
    ret.operands[0] = block.arguments[1]
    messages = [d.message for d in verify_module(module)]
    assert any("doesn't match function result type" in m for m in messages), messages


def test_every_janus_op_has_a_round_trip_lit_case():
    text = (LIT / "dialects" / "janus" / "ops.mlir").read_text()
    missing = [name for name in janus.OP_CLASSES if f'"{name}"(' not in text]
    assert not missing, f"add round-trip cases to tests/lit/dialects/janus/ops.mlir for {missing}"
