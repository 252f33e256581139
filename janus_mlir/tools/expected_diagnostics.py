"""`--verify-diagnostics`: expected-error/warning/remark/note comments, matched like mlir-opt.

A test file states the diagnostics it expects in comments next to the IR:

    %0 = "janus.matmul"(%a, %b) : ... // expected-error {{contraction dimensions differ}}
    // expected-error @+1 {{requires attribute 'dtype'}}
    // expected-error @below {{...}}     (the next line without an expectation)
    // expected-error @above {{...}}     (the previous line without an expectation)
    // expected-error @unknown {{...}}   (a diagnostic with no source position)
    // expected-error-re {{op {{[0-9]+}} operands}}   ({{...}} parts are regexes)

A produced diagnostic matches an expectation of the same severity on the same line whose text is
contained in (or, for `-re`, found by regex in) its message. Every expectation must be matched
and every produced diagnostic must be expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..dialects.verifier import Diagnostic, Severity

_DIRECTIVE = re.compile(
    r"expected-(?P<sev>error|warning|remark|note)(?P<re>-re)?"
    r"\s*(?:@(?P<where>[+-]\d+|above|below|unknown))?\s*\{\{(?P<text>.*)\}\}"
)


@dataclass
class Expected:
    """One expectation: what, where it must be produced, and where the comment is."""

    severity: Severity
    pattern: re.Pattern[str]
    text: str
    line: int | None  # None: a diagnostic without a source position
    directive_line: int
    directive_col: int
    matched: bool = False


def parse_expectations(lines: list[str], first_line: int) -> list[Expected]:
    """The expectations in `lines`, whose first element is line `first_line` of the file."""
    found: list[Expected] = []
    pending_below: list[Expected] = []
    last_plain: int | None = None
    for i, text in enumerate(lines):
        lineno = first_line + i
        here = list(_DIRECTIVE.finditer(text))
        for m in here:
            exp = Expected(Severity(m["sev"]), _compile(m["text"], bool(m["re"])), m["text"],
                           lineno, lineno, m.start() + 1)
            where = m["where"]
            if where == "unknown":
                exp.line = None
            elif where == "above":
                exp.line = last_plain if last_plain is not None else lineno
            elif where == "below":
                pending_below.append(exp)
            elif where:
                exp.line = lineno + int(where)
            found.append(exp)
        if not here:
            last_plain = lineno
            for exp in pending_below:
                exp.line = lineno
            pending_below = []
    return found


def _compile(text: str, is_regex: bool) -> re.Pattern[str]:
    if not is_regex:
        return re.compile(re.escape(text))
    parts = re.split(r"\{\{(.*?)\}\}", text)
    # Even positions are literal text, odd positions regexes.
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def match_diagnostics(
    produced: list[Diagnostic], expected: list[Expected], source_file: str,
    ignore_note: re.Pattern[str] | None = None,
) -> list[Diagnostic]:
    """Mark the expectations `produced` fulfils; return the produced diagnostics not expected.

    Notes are matched like diagnostics; a note whose message matches `ignore_note` (MLIR's
    "see current operation" dumps) is skipped.
    """
    unexpected: list[Diagnostic] = []
    for diag in _flatten(produced):
        if diag.severity is Severity.NOTE and ignore_note and ignore_note.match(diag.message):
            continue
        pos = diag.position()
        line = pos[1] if pos and pos[0] == source_file else None
        if pos is not None and line is None:
            unexpected.append(diag)  # a position in some other file cannot be annotated here
            continue
        for exp in expected:
            if (not exp.matched and exp.severity is diag.severity and exp.line == line
                    and exp.pattern.search(diag.message)):
                exp.matched = True
                break
        else:
            unexpected.append(diag)
    return unexpected


def _flatten(diags: list[Diagnostic]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for d in diags:
        out.append(d)
        out.extend(_flatten(list(d.notes)))
    return out
