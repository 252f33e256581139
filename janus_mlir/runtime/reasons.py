"""Why calls ran as plain Python or graphs were rebuilt: structured records that read as one
line.

A `Reason` is a `str` (`"fallback: model.py:12: n == 3"`), so it prints and searches like one,
with the parts kept apart: `kind` (fallback, not converted, profiling, recompilation, compile
error, internal error), `where` (the user's file:line, when known) and `detail`.
"""

from __future__ import annotations

import re

_WHERE = re.compile(r"^(?P<where>\S+:\d+): ")


class Reason(str):
    kind: str
    where: str
    detail: str

    def __new__(cls, kind: str, detail: str) -> Reason:
        self = super().__new__(cls, f"{kind}: {detail}")
        self.kind = kind
        m = _WHERE.match(detail)
        self.where = m.group("where") if m else ""
        self.detail = detail[m.end():] if m else detail
        return self
