"""janus-opt and the module verifier: malformed input never crashes, valid input round-trips.

The driver runs both in-process (`main(argv)`) and as a subprocess (what a user and lit see).
Every failure must be an MLIR-style `file:line:col: error:` line with a non-zero exit status and
no Python traceback.
"""

from __future__ import annotations

import ast
import math
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from iree.compiler import ir

from janus_mlir.dialects import janus
from janus_mlir.dialects.context import make_context
from janus_mlir.dialects.types import scalar_conversion_problem
from janus_mlir.dialects.verifier import Severity, verify_module
from janus_mlir.dialects.walk import walk
from janus_mlir.passes import PASSES, PassError, PassStep, run_pipeline
from janus_mlir.tools import janus_opt
from janus_mlir.tools.nesting import MAX_NESTING, find_too_deep

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
    assert err.startswith("janus-opt: error: internal: RuntimeError: boom")
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
    assert names == ["janus-lower-state", "janus-autodiff", "janus-lower-guards",
                     "convert-janus-to-linalg", "janus-lower-while", "canonicalize", "cse"]


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


# ---------------------------------------------------------------------------------------------
# Deep nesting: a located error before the parser, never a crash
# ---------------------------------------------------------------------------------------------

# The inputs that crashed MLIR's parser (segfault, exit 139) before janus-opt limited nesting,
# with the line of the first bracket past the limit.
DEEP_INPUTS = [
    ("regions", '"x.op"() ({\n' * 2500 + "}) : () -> ()\n" * 2500, 251),
    ("execute_region", "func.func @f() {\n" + "scf.execute_region {\n" * 10000
     + "scf.yield\n}\n" * 10000 + "return\n}\n", 501),
    ("type_parens", "func.func private @f() -> " + "(" * 20000 + "i32" + ")" * 20000 + "\n", 1),
    ("attr_brackets", '"x.op"() {a = ' + "[" * 20000 + "1" + "]" * 20000 + "} : () -> ()\n", 1),
    ("modules", "module {\n" * 20000 + "}\n" * 20000, 501),
]


@pytest.mark.parametrize("name,text,line", DEEP_INPUTS, ids=[c[0] for c in DEEP_INPUTS])
def test_deep_nesting_is_a_located_error_not_a_crash(tmp_path, name, text, line):
    path = _input(tmp_path, text)
    proc = _run_subprocess([str(path)])
    assert proc.returncode == 1, proc.stderr[-300:]
    assert proc.stderr.startswith(f"{path}:{line}:"), proc.stderr[:300]
    assert (f"error: nesting too deep: more than {MAX_NESTING} open brackets"
            in proc.stderr.splitlines()[0])
    assert "Traceback" not in proc.stderr


def test_nesting_just_within_the_limit_runs_the_whole_pipeline(capsys, tmp_path):
    levels = (MAX_NESTING - 3) // 2  # two brackets a region, the function's '{', the op's types
    text = ("func.func @f(%x: tensor<f32>) {\n" + '"x.op"() ({\n' * levels
            + '%0 = "janus.exp"(%x) : (tensor<f32>) -> tensor<f32>\n"x.use"(%0) : (tensor<f32>) -> ()\n'
            + "}) : () -> ()\n" * levels + "return\n}\n")
    assert find_too_deep(text) is None
    assert find_too_deep(text, MAX_NESTING - 2) is not None  # 499 deep: right at the limit
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, text)), "--janus-to-iree-input"])
    assert code == 0, err
    assert out.count('"x.op"() ({') == levels and "math.exp" in out


def test_ir_walks_go_deeper_than_the_python_recursion_limit():
    """The walk the verifier and the passes share keeps its own stack."""
    depth = sys.getrecursionlimit() + 500
    module = _parse("module {\n" * depth + "}\n" * depth)
    assert sum(1 for _ in walk(module.operation)) == depth - 1  # the outer module is the root
    assert verify_module(module) == []


@pytest.mark.parametrize("text,position", [
    ("(((", (1, 3)),
    ("{\n [\n  <", (3, 3)),
    ("[[]][[[", (1, 7)),
    ('"(((" ((', None),  # brackets in a string do not count
    ('"a\\"(((" ((', None),  # nor after an escaped quote
    ("// {{{\n((", None),  # nor in a comment
    ('"(((\n(((', (2, 3)),  # a string ends at the end of its line
    ("((->(", (1, 5)),  # the '>' of '->' closes nothing
    ("(a >= b(", None),  # nor does the '>' of '>='
    ("((>(", (1, 4)),  # a '>' closes only a '<'
    ("(<)<(", None),  # a closer pops back to its own opener
    ("))]]>>((", None),  # closers without openers are ignored
])
def test_find_too_deep(text, position):
    found = find_too_deep(text, limit=2)
    assert (None if found is None else (found.line, found.column)) == position


# ---------------------------------------------------------------------------------------------
# Reading and writing: every failure is a sentence and a non-zero exit status
# ---------------------------------------------------------------------------------------------


def test_unwritable_output_file(tmp_path):
    out_path = tmp_path / "missing-dir" / "out.mlir"
    proc = _run_subprocess([str(_input(tmp_path, VALID)), "-o", str(out_path)])
    assert proc.returncode == 1
    assert proc.stderr == (f"janus-opt: error: cannot write output file '{out_path}': "
                           "No such file or directory\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_stdout_write_failure(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "janus_mlir.tools.janus_opt",
                               str(_input(tmp_path, VALID))], stdout=full, stderr=subprocess.PIPE,
                              text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr == "janus-opt: error: cannot write output: No space left on device\n"


def test_closed_stdout_pipe(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "janus_mlir.tools.janus_opt",
                             str(_input(tmp_path, VALID))], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    proc.stdout.close()  # before the tool has started writing
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert err == "janus-opt: error: cannot write output: Broken pipe\n"


@pytest.mark.parametrize("data,expected", [
    (b"func.func @f() {\n  return // caf\xe9\n}\n",
     ":2:16: error: input is not valid UTF-8 (byte 0xe9)"),
    (b"func.func @f() {\n  return\x00\n}\n", ":2:9: error: input contains a NUL character"),
])
def test_input_bytes_that_are_not_text(capsys, tmp_path, data, expected):
    path = tmp_path / "input.mlir"
    path.write_bytes(data)
    code, _, err = _run_in_process(capsys, [str(path)])
    assert code == 1
    assert err == f"{path}{expected}\n"


# ---------------------------------------------------------------------------------------------
# Pipelines: every error fails the run
# ---------------------------------------------------------------------------------------------

INLINE_NOPE = "builtin.module(inline{default-pipeline=nope})"


def test_pass_option_upstream_parses_late_fails_before_running(capsys, tmp_path):
    code, out, err = _run_in_process(capsys, [str(_input(tmp_path, VALID)),
                                              f"--pass-pipeline={INLINE_NOPE}"])
    assert code == 1
    assert out == ""
    assert err.startswith("<pass-pipeline>:1:16: error: pass 'inline{default-pipeline=nope}' "
                          "failed: 'nope' does not refer to a registered pass")


def test_error_printed_by_a_pass_fails_the_run(capsys, tmp_path, monkeypatch):
    """An error a pass prints while MLIR reports success: also when it shows only at run time."""
    monkeypatch.setattr(janus_opt, "_dry_run", lambda pm, ctx: None)
    path = _input(tmp_path, VALID)
    code, out, err = _run_in_process(capsys, [str(path), f"--pass-pipeline={INLINE_NOPE}"])
    assert code == 1
    assert "MLIR Textual PassPipeline Parser:1:1: error: 'nope'" in err  # what MLIR printed
    assert (f"{path}: error: pass 'inline{{default-pipeline=nope}}' failed: 'nope' does not "
            "refer to a registered pass") in err


def test_upstream_option_error_says_why(capsys, tmp_path):
    code, _, err = _run_in_process(capsys, [str(_input(tmp_path, VALID)),
                                            "--pass-pipeline=builtin.module(cse{bogus=1})"])
    assert code == 1
    assert err.startswith("<pass-pipeline>:1:16: error: ")
    assert "no such option bogus" in err


# ---------------------------------------------------------------------------------------------
# Verifier: attribute values, guard kinds, structure janus ops do not have
# ---------------------------------------------------------------------------------------------

_VALUES = [math.nan, math.inf, -math.inf, 1e20, -1e20, 3.7, -2.5, 127, 127.9, 128, 128.0, -128,
           -129, -129.5, 2**31, 2**63 - 1, 2**63, 2.0**63, True, False, 0]
_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.bool_, np.float16, np.float32, np.float64]


@pytest.mark.parametrize("dtype", _DTYPES, ids=[np.dtype(d).name for d in _DTYPES])
def test_scalar_conversion_is_numpys(dtype):
    """Rejected exactly when np.array(value, dtype) raises; float dtypes take every number."""
    for value in _VALUES:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            problem = scalar_conversion_problem(value, np.dtype(dtype))
        if np.dtype(dtype).kind == "f":
            assert problem is None, value
            continue
        try:
            np.array(value, dtype=dtype)
            numpy_raises = False
        except (ValueError, OverflowError):
            numpy_raises = True
        assert (problem is not None) == numpy_raises, (value, problem)


def test_full_nan_into_int_is_rejected_without_a_warning(capsys, tmp_path):
    text = VALID.replace(
        '  %0 = "janus.add"',
        '  %nan = "janus.full"() {dtype = i32, shape = array<i64: 3>, value = 0x7FF8000000000000 : '
        'f64} : () -> tensor<3xi32>\n  %0 = "janus.add"')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, _, err = _run_in_process(capsys, [str(_input(tmp_path, text)),
                                                "--janus-to-iree-input"])
    assert code == 1
    assert ("error: 'janus.full' op attribute 'value' = nan is not a value of dtype int32: "
            "cannot convert float NaN to integer") in err


def _guard_kinds_emitted() -> set[str]:
    """The literal kinds of every `guard(builder, predicate, kind, ...)`-style call in the code:
    `b.guard(pred, "kind", ...)` and helpers like `guard_all(b, pred, "kind", ...)`."""
    kinds = set()
    for path in (ROOT / "janus_mlir").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr == "guard":
                index = 1  # b.guard(predicate, kind, message)
            elif isinstance(node.func, ast.Name) and node.func.id == "guard_all":
                index = 2  # guard_all(b, predicate, kind, message)
            else:
                continue
            kind = node.args[index] if len(node.args) > index else None
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                kinds.add(kind.value)
    return kinds


def test_every_guard_kind_the_frontend_emits_is_declared():
    emitted = _guard_kinds_emitted()
    assert {"bounds", "error", "value"} <= emitted  # the scan finds the kinds in use
    assert emitted <= set(janus.GUARD_KINDS), emitted - set(janus.GUARD_KINDS)
    # Every kind an in-graph guard may have (InGraphGuard checks it when made) is declared.
    from janus_mlir.speculation.assumptions import Kind

    in_graph = {k.value for k in Kind if not k.on_host} | {Kind.VALUE.value}
    assert in_graph <= set(janus.GUARD_KINDS), in_graph - set(janus.GUARD_KINDS)


def test_lowering_refuses_a_janus_op_with_a_region():
    """Not only the verifier: the pass itself does not drop the region."""
    with_region = '"janus.tanh"(%0) ({\n"x.body"() : () -> ()\n})'
    module = _parse(VALID.replace('"janus.tanh"(%0)', with_region))
    with pytest.raises(PassError, match=r"'janus.tanh' op expects 0 region\(s\), got 1"):
        run_pipeline(module, [PassStep("convert-janus-to-linalg")])
