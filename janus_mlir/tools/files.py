"""janus-opt's input and output: reading the input text, writing the result, failing in words.

Every way reading or writing can fail (a missing or unreadable file, input that is not UTF-8 or
holds a NUL character, an output path in a missing directory, a closed pipe, a full disk)
becomes an `InputFailure` (its message is a located diagnostic, `file:line:col: error: ...`) or
an `OutputFailure` (its message says what could not be written and why; the driver prints it as
`janus-opt: error: ...`), so the driver exits non-zero with a sentence, not an internal error.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO, TextIO

STDIN_NAME = "<stdin>"


class InputFailure(Exception):
    """The input could not be read; str() is the diagnostic line to print."""


class OutputFailure(Exception):
    """The output could not be written; str() says what and why."""


def read_input(path: str) -> tuple[str, str]:
    """(the name diagnostics use, the text) of the file `path`, or of stdin for `-`."""
    name = STDIN_NAME if path == "-" else path
    try:
        data = _read_stdin() if path == "-" else _read_file(path)
    except OSError as e:
        raise InputFailure(f"{name}:0:0: error: could not open input file: {_reason(e)}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _line_col(data, e.start)
        raise InputFailure(f"{name}:{line}:{col}: error: input is not valid UTF-8 "
                           f"(byte 0x{data[e.start]:02x})") from None
    nul = data.find(b"\0")
    if nul >= 0:  # the parser would stop reading there and drop the rest without a word
        line, col = _line_col(data, nul)
        raise InputFailure(f"{name}:{line}:{col}: error: input contains a NUL character")
    return name, text


def _read_file(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _read_stdin() -> bytes:
    stream: TextIO | None = sys.stdin
    if stream is None:
        raise OSError(0, "standard input is closed")
    raw: BinaryIO | None = getattr(stream, "buffer", None)
    return raw.read() if raw is not None else stream.read().encode("utf-8")


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters: the line up to `offset` is valid UTF-8)."""
    start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[start:offset].decode("utf-8")) + 1


def write_output_file(path: str, text: str) -> None:
    """Write the output file `path` (created or replaced)."""
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise OutputFailure(f"cannot write output file '{path}': {_reason(e)}") from None


def write_stream(stream: TextIO, text: str) -> None:
    """Write and flush `text` to `stream` (stdout). A closed pipe or a full disk is an
    OutputFailure, after which the stream's file descriptor is pointed at the null device, so
    the interpreter's final flush of what is still buffered cannot fail again."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as e:
        _silence(stream)
        raise OutputFailure(f"cannot write output: {_reason(e)}") from None


def _silence(stream: TextIO) -> None:
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _reason(e: Exception) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__
