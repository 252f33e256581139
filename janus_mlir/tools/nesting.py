"""The nesting limit: input nested too deeply is rejected before the MLIR parser sees it.

MLIR's parser (and printer) recurse once per nesting level, on the C++ stack; past a few
thousand levels they overflow it and the process dies with a segfault. Measured with IREE
3.13's parser under an 8 MiB stack, the first depth that crashed was:

    gpu.launch / scf.forall regions        2,460 / 2,578 levels (one '{' each)
    scf.for / affine.for / scf.while       2,851 / 2,929 / 3,007
    module { ... } / scf.execute_region    3,593 / 3,984
    generic regions "x.op"() ({ ... })     2,109 levels (4,218 brackets)
    dictionary / array attributes          5,468 '{' / 6,640 '['
    affine expressions / function types    7,031 '(' / 13,437 '('
    tuple types                            17,187 '<'

Printing, verifying and the janus and upstream passes (janus-to-iree-input, symbol-dce) survived
every input the parser survived, once the janus IR walks kept their own stack (recursive, they
hit Python's recursion limit at about 1,000 levels). MAX_NESTING is about a fifth of the
shallowest crash: gpu.launch and scf.forall nested right up to it still parse, verify and lower
with a 2 MiB stack (1.5 MiB is too little), a quarter of the usual 8 MiB default. Real janus IR
nests a few tens of levels.

The check is lexical: one pass over the text tracks how many `{`, `(`, `[` and `<` are open
(strings, comments, `->`, `>=` and `<=` skipped; a closer pops back to its own opener), and
reports the first bracket past the limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NESTING = 500

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|//[^\n]*|->|>=|<=|[{}()\[\]<>]')
_OPENERS = frozenset("{([<")
_CLOSER_OPENER = {"}": "{", ")": "(", "]": "[", ">": "<"}


@dataclass(frozen=True)
class TooDeep:
    """Where nesting first went past the limit: 1-based line and column of that bracket."""

    line: int
    column: int
    limit: int

    @property
    def message(self) -> str:
        return (f"nesting too deep: more than {self.limit} open brackets ('{{', '(', '[', '<'); "
                "janus-opt's limit keeps the MLIR parser from running out of stack")


def find_too_deep(text: str, limit: int = MAX_NESTING) -> TooDeep | None:
    """The first bracket of `text` nested deeper than `limit`, or None when all are within it."""
    open_brackets: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in _OPENERS:
            open_brackets.append(tok)
            if len(open_brackets) > limit:
                return _at(text, m.start(), limit)
        elif tok in _CLOSER_OPENER:
            _close(open_brackets, _CLOSER_OPENER[tok])
    return None


def _close(open_brackets: list[str], opener: str) -> None:
    """Pop back to the innermost `opener`; a `>` only closes a `<` right at the top (it is also
    a comparison), and a closer with no opener is ignored."""
    if opener == "<":
        if open_brackets and open_brackets[-1] == "<":
            open_brackets.pop()
        return
    if opener not in open_brackets:
        return
    while open_brackets.pop() != opener:
        pass


def _at(text: str, offset: int, limit: int) -> TooDeep:
    line_start = text.rfind("\n", 0, offset) + 1
    return TooDeep(text.count("\n", 0, offset) + 1, offset - line_start + 1, limit)
