"""Capturing what native code writes straight to the process's stderr (file descriptor 2).

Some MLIR code reports a problem by printing it to `llvm::errs()` instead of emitting a
diagnostic: the inliner, given a `default-pipeline` that does not parse, prints the parse error
and then runs as if nothing had happened; a bad pass option prints its reason before the
pipeline parser fails with a reason-less message. janus-opt runs upstream pipeline parsing and
upstream passes inside `NativeStderr`, so that text can be turned into a diagnostic and an error
in it fails the run instead of scrolling past with exit status 0.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from types import TracebackType
from typing import IO

# An MLIR-style error line: `error: message` or `<where>: error: message`.
_ERROR_LINE = re.compile(r"^(?:.*?:\s*)?error:\s*(.*)$", re.M)


class NativeStderr:
    """A context manager that redirects file descriptor 2 into a buffer; `text` holds what was
    written once the block has exited. When descriptor 2 cannot be redirected (it is closed),
    nothing is captured and native output goes where it would have gone."""

    def __init__(self) -> None:
        self.text = ""
        self._saved: int | None = None
        self._buffer: IO[bytes] | None = None

    def __enter__(self) -> NativeStderr:
        if sys.stderr is not None:
            sys.stderr.flush()
        try:
            self._saved = os.dup(2)
        except OSError:
            return self
        self._buffer = tempfile.TemporaryFile()
        os.dup2(self._buffer.fileno(), 2)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._saved is None or self._buffer is None:
            return
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._buffer.seek(0)
        self.text = self._buffer.read().decode("utf-8", "replace")
        self._buffer.close()
        self._saved = self._buffer = None

    @property
    def error(self) -> str | None:
        """The message of the first error line written, or None when none was."""
        m = _ERROR_LINE.search(self.text)
        return m.group(1).strip() if m else None

    def reason(self) -> str:
        """What was written, as one line: the first error's message, else every line joined."""
        error = self.error
        if error is not None:
            return error
        return "; ".join(ln.strip(" :") for ln in self.text.splitlines() if ln.strip(" :^"))
