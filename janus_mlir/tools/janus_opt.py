"""janus-opt: an mlir-opt-style driver over the janus pass registry.

    janus-opt input.mlir --convert-janus-to-linalg --canonicalize -o out.mlir
    janus-opt input.mlir --pass-pipeline='builtin.module(janus-to-iree-input)'
    janus-opt invalid.mlir --split-input-file --verify-diagnostics

The input (a file, or stdin for `-` or none) is parsed, verified (MLIR's verifier plus the janus
op checks), run through the requested passes with verification after each one, and printed.
Every failure is reported as an MLIR-style `file:line:col: error: message` at the real line of the
input file, also with `--split-input-file` (or, when there is no line to point at, as one
`janus-opt: error: message` line); the exit status is 0 on success, 1 when the input or a pass
produced errors (or `--verify-diagnostics` found a mismatch, or the output could not be written),
2 for usage and internal errors. Whatever a pass prints as an error on stderr counts as a failure
too. The pass flags are generated from the pass registry.

Nesting limit: input with more than MAX_NESTING (500) brackets `{`, `(`, `[`, `<` open at once is
rejected with a diagnostic at the first bracket past the limit, before parsing: MLIR's parser
recurses once per level and overflows the stack at a few thousand levels (see `nesting`).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from iree.compiler import ir, passmanager

from ..dialects.context import make_context
from ..dialects.verifier import Diagnostic, Severity, errors, location_position, verify_module
from ..passes import JANUS_TO_IREE_INPUT, PASSES, PassError, PassStep, parse_pipeline, run_pipeline
from ..passes.pipeline import expand, make_pass
from .expected_diagnostics import match_diagnostics, parse_expectations
from .files import InputFailure, OutputFailure, read_input, write_output_file, write_stream
from .native_stderr import NativeStderr
from .nesting import MAX_NESTING, find_too_deep

PROG = "janus-opt"
SPLIT_MARKER = "// -----"
PARSER_BUFFER = "-"  # the name MLIR's parser gives the text it parses
_SPLIT_LINE = re.compile(r"[ \t]*//[ \t]*-----[ \t]*")
# MLIR's verifier attaches the failing op's text as a note; like mlir-opt, it is not an
# expectation a test has to state.
_CURRENT_OP_NOTE = re.compile(r"see current operation")

# Upstream MLIR passes offered as flags (any other upstream pass works in --pass-pipeline).
UPSTREAM_PASSES = {
    "canonicalize": "Canonicalize operations (upstream MLIR)",
    "cse": "Eliminate common sub-expressions (upstream MLIR)",
    "symbol-dce": "Eliminate dead symbols (upstream MLIR)",
}
NAMED_PIPELINES = {
    "janus-to-iree-input": "Take janus IR to what iree-compile accepts: "
    + ", ".join(JANUS_TO_IREE_INPUT),
}


class _Failed(Exception):
    """A stage (parse, verification, a pass) produced error diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} diagnostic(s)")
        self.diagnostics = diagnostics


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def pass_flags() -> dict[str, str]:
    """Every pass flag (without `--`) and its help text."""
    return {name: summary for _, group in _flag_groups() for name, summary in group.items()}


def _flag_groups() -> list[tuple[str, dict[str, str]]]:
    return [
        ("janus passes", {n: c.summary + _describe_options(c) for n, c in sorted(PASSES.items())}),
        ("pass pipelines", NAMED_PIPELINES),
        ("upstream MLIR passes", UPSTREAM_PASSES),
    ]


def split_pass_flags(argv: Sequence[str]) -> tuple[list[str], list[PassStep]]:
    """Take `--<pass>[=OPTIONS]` out of `argv` (in order); a pass flag's options need the `=`,
    as in mlir-opt, so `--canonicalize input.mlir` reads input.mlir as the input file."""
    flags = pass_flags()
    rest: list[str] = []
    steps: list[PassStep] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            rest.extend(argv[i:])
            break
        m = re.fullmatch(r"--?([\w.-]+)(?:=(.*))?", arg, re.S)
        if m and m.group(1) in flags:
            steps.append(PassStep(m.group(1), _parse_options(m.group(2) or "")))
        else:
            rest.append(arg)
    return rest, steps


def _parse_options(text: str) -> dict[str, str]:
    """`opt=val other=val` (mlir-opt's per-pass option string); braces optional."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    opts: dict[str, str] = {}
    for kv in text.replace(",", " ").split():
        k, _, v = kv.partition("=")
        opts[k] = v
    return opts


def _describe_options(cls: type) -> str:
    parts = []
    for f in dataclasses.fields(cls):
        typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
        default = "" if f.default is dataclasses.MISSING else f" (default {f.default})"
        parts.append(f"{f.name}=<{typ}>{default}")
    return "; options: " + ", ".join(parts) if parts else ""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, allow_abbrev=False,
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(
            prog, max_help_position=36, width=110),
        description="Parse, verify, transform and print janus/MLIR IR (like mlir-opt).",
        epilog="Pass options: --<pass>='opt=value other=value' or "
        "--pass-pipeline='builtin.module(pass{opt=value})'.\n"
        f"Nesting limit: input with more than {MAX_NESTING} brackets ({{ ( [ <) open at once is "
        "rejected before parsing,\nwith an error at the first bracket past the limit (MLIR's "
        "parser would run out of stack).",
    )
    p.add_argument("input", nargs="?", default="-", help="input file ('-' or none: stdin)")
    p.add_argument("-o", dest="output", default="-", metavar="FILE", help="output file")
    p.add_argument("--pass-pipeline", metavar="PIPELINE",
                   help="textual pipeline, e.g. 'builtin.module(convert-janus-to-linalg,cse)'")
    p.add_argument("--split-input-file", action="store_true",
                   help=f"process each '{SPLIT_MARKER}'-separated chunk on its own")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check diagnostics against expected-error/warning/remark/note comments")
    p.add_argument("--mlir-print-ir-after-all", action="store_true",
                   help="print the IR to stderr after every pass")
    p.add_argument("--mlir-print-op-generic", action="store_true",
                   help="print every op in the generic form")
    p.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
    p.add_argument("--allow-unregistered-dialect", action="store_true",
                   help="accepted for mlir-opt compatibility "
                   "(always on: janus ops are unregistered)")
    for title, passes in _flag_groups():
        group = p.add_argument_group(title)
        for name, summary in passes.items():
            group.add_argument(f"--{name}", action="store_true", dest="_flag_" + name,
                               help=summary.replace("%", "%%"))
    p.set_defaults(passes=[])
    return p


# ---------------------------------------------------------------------------------------------
# Diagnostics output
# ---------------------------------------------------------------------------------------------


@dataclass
class Source:
    """The input text and the name diagnostics use for it."""

    name: str
    text: str

    def __post_init__(self) -> None:
        self.lines = self.text.splitlines()


class Reporter:
    """Prints diagnostics MLIR-style, with the source line and a caret when it is known."""

    def __init__(self, source: Source, stream: TextIO):
        self.source = source
        self.stream = stream

    def where(self, loc: ir.Location) -> tuple[str, int, int] | None:
        """(file, line, col) with the parser's "-" buffer name replaced by the input's name."""
        pos = location_position(loc)
        if pos is None:
            return None
        name, line, col = pos
        return (self.source.name if name == "-" else name), line, col

    def emit(self, diag: Diagnostic) -> None:
        """The diagnostic, then its notes."""
        self.message(self.where(diag.location), diag.severity, diag.message)
        for note in diag.notes:
            self.emit(note)

    def message(self, pos: tuple[str, int, int] | None, severity: Severity | str,
                text: str) -> None:
        if pos is None:
            self.stream.write(f"{self.source.name}: {severity}: {text}\n")
            return
        name, line, col = pos
        self.stream.write(f"{name}:{line}:{col}: {severity}: {text}\n")
        if name == self.source.name and 1 <= line <= len(self.source.lines):
            src = self.source.lines[line - 1]
            self.stream.write(src + "\n" + " " * max(col - 1, 0) + "^\n")


# ---------------------------------------------------------------------------------------------
# Pipeline
# ---------------------------------------------------------------------------------------------


@dataclass
class Pipeline:
    """The checked passes to run, and the pipeline text diagnostics point into."""

    text: str
    steps: list[PassStep]


def build_pipeline(args: argparse.Namespace, reporter: Reporter,
                   ctx: ir.Context) -> Pipeline | None:
    """The requested passes, checked before any runs; None (after reporting) when invalid."""
    if args.pass_pipeline is not None and args.passes:
        _pipeline_error(reporter, "", 1, "--pass-pipeline cannot be combined with pass flags")
        return None
    if args.pass_pipeline is not None:
        text = args.pass_pipeline
        try:
            steps = parse_pipeline(text)
        except PassError as e:
            _pipeline_error(reporter, text, _column(text, str(e)), str(e))
            return None
    else:
        steps = list(args.passes)
        text = "builtin.module(" + ",".join(s.spec() for s in steps) + ")"
    for step in steps:
        problem = _check_step(step, ctx)
        if problem:
            _pipeline_error(reporter, text, _column(text, step.name), problem)
            return None
    return Pipeline(text, steps)


def _check_step(step: PassStep, ctx: ir.Context) -> str | None:
    """What is wrong with one pipeline step (None when it can run)."""
    for s in expand([step]):
        if s.name in PASSES:
            try:
                make_pass(s)
            except PassError as e:
                return str(e)
            except (ValueError, TypeError) as e:
                return f"invalid options for pass '{s.name}': {e}"
            continue
        native = NativeStderr()
        try:
            with native, ctx:
                pm = passmanager.PassManager.parse(f"builtin.module({s.spec()})")
        except ValueError as e:
            return _mlir_pipeline_message(str(e), s, native)
        problem = _dry_run(pm, ctx)
        if problem:
            return f"pass '{s.spec()}' failed: {problem}"
    return None


# What an upstream pipeline is tried on before it runs on the input.
_PROBE_MODULE = "func.func @probe() {\n  return\n}\n"


def _dry_run(pm: passmanager.PassManager, ctx: ir.Context) -> str | None:
    """Run an upstream pipeline on a module with one empty function: an error it prints there
    while succeeding is a bad option (the inliner parses its `default-pipeline` option only when
    it has a function to work on). A failure on the probe says nothing about real input and is
    left to the real run."""
    native = NativeStderr()
    probe = ir.Module.parse(_PROBE_MODULE, ctx)
    try:
        with native:
            pm.run(probe.operation)
    except ir.MLIRError:
        return None
    return native.error


def _mlir_pipeline_message(text: str, step: PassStep, native: NativeStderr) -> str:
    """The reason MLIR's pipeline parser gave, with what it printed to stderr meanwhile."""
    m = re.search(r"error: (.*)", text)
    if m:
        message = m.group(1).strip()
    else:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        message = "; ".join(lines) or f"invalid pass '{step.spec()}'"
    printed = native.reason()
    return f"{message}: {printed}" if printed and printed not in message else message


def _column(text: str, needle: str) -> int:
    """1-based column of the pass name (or quoted item) an error is about, else 1."""
    m = re.search(r"'([^']*)'", needle)
    for cand in ([needle] if m is None else [m.group(1), needle]):
        hit = re.search(r"(?<![\w.-])" + re.escape(cand) + r"(?![\w.-])", text)
        if hit:
            return hit.start() + 1
    return 1


def _pipeline_error(reporter: Reporter, text: str, col: int, message: str) -> None:
    reporter.stream.write(f"<pass-pipeline>:1:{col}: error: {message}\n")
    if text:
        reporter.stream.write(text + "\n" + " " * (col - 1) + "^\n")


# ---------------------------------------------------------------------------------------------
# Processing one input chunk
# ---------------------------------------------------------------------------------------------


@dataclass
class Chunk:
    first_line: int  # 1-based line of the chunk's first line in the input file
    lines: list[str]


def split_input(text: str, split: bool) -> list[Chunk]:
    lines = text.splitlines()
    if not split:
        return [Chunk(1, lines)]
    chunks, start = [], 0
    for i, line in enumerate(lines):
        if _SPLIT_LINE.fullmatch(line):
            chunks.append(Chunk(start + 1, lines[start:i]))
            start = i + 1
    chunks.append(Chunk(start + 1, lines[start:]))
    return chunks


@dataclass
class Options:
    print_after_all: bool
    generic: bool
    debuginfo: bool


def process_chunk(chunk: Chunk, pipeline: Pipeline, opts: Options,
                  reporter: Reporter) -> tuple[str | None, list[Diagnostic]]:
    """Parse, verify, run the passes: (printed module or None on failure, diagnostics)."""
    ctx = make_context()
    produced: list[Diagnostic] = []

    def handler(diag: ir.Diagnostic) -> bool:
        produced.append(Diagnostic.from_mlir(diag))
        return True

    ctx.attach_diagnostic_handler(handler)
    # Blank lines in front keep the parser's line numbers those of the whole file.
    text = "\n" * (chunk.first_line - 1) + "\n".join(chunk.lines) + "\n"
    try:
        module = _parse(text, ctx)
        _verify(module)
        for step in expand(pipeline.steps):
            _run_step(module, step, reporter.stream)
            _verify(module)
            if opts.print_after_all:
                reporter.stream.write(f"// -----// IR Dump After {step.spec()} //----- //\n")
                reporter.stream.write(_print(module, opts, reporter.source.name) + "\n")
    except _Failed as failure:
        return None, produced + failure.diagnostics
    return _print(module, opts, reporter.source.name), produced


def _parse(text: str, ctx: ir.Context) -> ir.Module:
    """The parsed module; input nested past the limit is refused before the parser sees it."""
    too_deep = find_too_deep(text)
    if too_deep is not None:
        loc = ir.Location.file(PARSER_BUFFER, too_deep.line, too_deep.column, context=ctx)
        raise _Failed([Diagnostic(loc, Severity.ERROR, too_deep.message)])
    try:
        return ir.Module.parse(text, ctx)
    except ir.MLIRError as e:
        raise _Failed(_mlir_error_diagnostics(e, ctx)) from None


def _run_step(module: ir.Module, step: PassStep, stderr: TextIO) -> None:
    """Run one pass. What native code prints to stderr meanwhile is passed on, and an error in
    it fails the step even when MLIR reports success."""
    ctx = module.context
    native = NativeStderr()
    try:
        with native:
            run_pipeline(module, [step])
    except PassError as e:
        loc = e.location if e.location is not None else ir.Location.unknown(ctx)
        raise _Failed([Diagnostic(loc, Severity.ERROR, str(e))]) from None
    except ir.MLIRError as e:
        raise _Failed(_mlir_error_diagnostics(e, ctx)) from None
    finally:
        stderr.write(native.text)
    if native.error is not None:
        message = f"pass '{step.spec()}' failed: {native.error}"
        raise _Failed([Diagnostic(ir.Location.unknown(ctx), Severity.ERROR, message)])


def _mlir_error_diagnostics(e: ir.MLIRError, ctx: ir.Context) -> list[Diagnostic]:
    """The error diagnostics an MLIRError carries; never empty, so a failure always says why."""
    diags = [Diagnostic.from_mlir(d) for d in e.error_diagnostics]
    return diags or [Diagnostic(ir.Location.unknown(ctx), Severity.ERROR, str(e))]


def _verify(module: ir.Module) -> None:
    diags = verify_module(module)
    if errors(diags):
        raise _Failed(diags)


def _print(module: ir.Module, opts: Options, source_name: str) -> str:
    text = module.operation.get_asm(print_generic_op_form=opts.generic,
                                    enable_debug_info=opts.debuginfo)
    if opts.debuginfo:  # the parser names its buffer "-": print the input's real name
        quoted = source_name.replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace('loc("-":', f'loc("{quoted}":')
    return text


def _check_expectations(chunk: Chunk, produced: list[Diagnostic], reporter: Reporter) -> bool:
    """--verify-diagnostics for one chunk: report mismatches; True when all is as expected."""
    expected = parse_expectations(chunk.lines, chunk.first_line)
    unexpected = match_diagnostics(produced, expected, "-", _CURRENT_OP_NOTE)
    missing = [e for e in expected if not e.matched]
    reports = [(reporter.where(d.location), f"unexpected {d.severity}: {d.message}")
               for d in unexpected]
    reports += [((reporter.source.name, e.directive_line, e.directive_col),
                 f'expected {e.severity} "{e.text}" was not produced') for e in missing]
    for pos, text in sorted(reports, key=lambda r: (r[0] is not None, r[0] or ("", 0, 0))):
        reporter.message(pos, Severity.ERROR, text)
    return not unexpected and not missing


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        source = Source(*read_input(args.input))
    except InputFailure as e:
        stderr.write(f"{e}\n")
        return 1
    reporter = Reporter(source, stderr)
    pipeline = build_pipeline(args, reporter, make_context())
    if pipeline is None:
        return 1
    opts = Options(args.mlir_print_ir_after_all, args.mlir_print_op_generic,
                   args.mlir_print_debuginfo)
    to_stdout = args.output == "-"
    ok, outputs = True, []
    for i, chunk in enumerate(split_input(source.text, args.split_input_file)):
        if i:  # separators first, so a chunk's diagnostics follow its separator in a 2>&1 log
            _write(stdout if to_stdout else None, outputs, SPLIT_MARKER + "\n", stderr)
        printed, produced = process_chunk(chunk, pipeline, opts, reporter)
        if args.verify_diagnostics:
            ok &= _check_expectations(chunk, produced, reporter)
        else:
            for diag in produced:
                reporter.emit(diag)
            ok &= printed is not None and not errors(produced)
        _write(stdout if to_stdout else None, outputs, printed or "", stderr)
    if not to_stdout and ok:
        write_output_file(args.output, "".join(outputs))
    return 0 if ok else 1


def _write(stream: TextIO | None, outputs: list[str], text: str, stderr: TextIO) -> None:
    """Output text goes straight to stdout (flushed after stderr, to keep their order) or is
    kept for the output file, written once everything succeeded."""
    if stream is None:
        outputs.append(text)
        return
    stderr.flush()
    write_stream(stream, text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run janus-opt; returns the exit status (never raises, never prints a traceback)."""
    stdout, stderr = sys.stdout, sys.stderr
    try:
        rest, steps = split_pass_flags(sys.argv[1:] if argv is None else list(argv))
        args = build_parser().parse_args(rest)
        args.passes = steps
        return run(args, stdout, stderr)
    except SystemExit as e:  # argparse: --help, usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except OutputFailure as e:
        stderr.write(f"{PROG}: error: {e}\n")
        return 1
    except KeyboardInterrupt:
        stderr.write(f"{PROG}: error: interrupted\n")
        return 130
    except Exception as e:  # noqa: BLE001  (the driver reports, it does not crash)
        stderr.write(f"{PROG}: error: internal: {type(e).__name__}: {e}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
