"""Print a generated janus-opt input to stdout: `make_input.py KIND [DEPTH]`.

For inputs a test cannot hold as text: nesting thousands of levels deep (which crashed MLIR's
parser before janus-opt limited nesting), and bytes that are not UTF-8 or are NUL.
"""

import sys


def _nested(kind: str, n: int) -> str:
    if kind == "modules":
        return "module {\n" * n + "}\n" * n
    if kind == "regions":
        return '"x.op"() ({\n' * n + "}) : () -> ()\n" * n
    if kind == "execute-region":
        body = "scf.execute_region {\n" * n + "scf.yield\n}\n" * n
        return "func.func @f() {\n" + body + "return\n}\n"
    if kind == "type-parens":
        return "func.func private @f() -> " + "(() -> " * n + "i32" + ")" * n + "\n"
    if kind == "attr-brackets":  # the attribute dictionary's '{' is one more level
        return '"x.op"() {a = ' + "[" * n + "1" + "]" * n + "} : () -> ()\n"
    if kind == "quoted":  # brackets in a string and a comment, and arrows: no nesting at all
        return ('"x.op"() {a = "' + "(" * n + '"} : () -> ()\n// ' + "{" * n + "\n"
                + '"x.op"() {m = affine_map<(d0) -> (d0)>} : () -> ()\n' * n)
    raise SystemExit(f"unknown kind {kind!r}")


_BYTES = {
    "not-utf8": b"func.func @f() {\n  return // caf\xe9\n}\n",
    "nul": b"func.func @f() {\n  return\x00\n}\n",
}

if __name__ == "__main__":
    kind = sys.argv[1]
    if kind in _BYTES:
        sys.stdout.buffer.write(_BYTES[kind])
    else:
        sys.stdout.write(_nested(kind, int(sys.argv[2])))
