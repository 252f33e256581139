"""Malformed janus-opt inputs, generated deterministically: what the fuzz test feeds the driver.

Each case is (id, input bytes, extra arguments). The mutations start from the round-trip file
of every janus op (tests/lit/dialects/janus/ops.mlir) and a small valid function: truncations,
random bytes, invalid UTF-8, huge integers in attributes, unknown janus ops, wrong operand
counts, bad types, structure janus ops do not have (regions, successors), and deep nesting.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPS_FILE = ROOT / "tests" / "lit" / "dialects" / "janus" / "ops.mlir"

BASE = """\
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %p: tensor<i1>) -> tensor<2x3xf32> {
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:2"} : (tensor<i1>) -> ()
  %0 = "janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = "janus.full"() {dtype = f32, shape = array<i64: 2, 3>, value = 1.0 : f64} : () -> tensor<2x3xf32>
  %2 = "janus.multiply"(%0, %1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "janus.sum"(%2) {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %4 = "janus.tanh"(%2) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}
"""

Case = tuple[str, bytes, list[str]]


def _chunks() -> list[str]:
    """The chunks of the round-trip file, without their CHECK lines."""
    text = OPS_FILE.read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("// CHECK")
             and not ln.startswith("// RUN")]
    return [c.strip() + "\n" for c in "\n".join(lines).split("// -----") if "func.func" in c]


def _op_lines(text: str) -> list[tuple[int, str]]:
    return [(i, ln) for i, ln in enumerate(text.splitlines()) if '"janus.' in ln]


def _replace_line(text: str, index: int, new: str) -> str:
    lines = text.splitlines()
    lines[index] = new
    return "\n".join(lines) + "\n"


def _truncations(rng: random.Random, texts: list[str], count: int) -> list[Case]:
    cases = []
    for k in range(count):
        text = texts[k % len(texts)]
        cut = rng.randrange(1, len(text))
        cases.append((f"truncated-{k}", text[:cut].encode(), []))
    return cases


def _random_bytes(rng: random.Random) -> list[Case]:
    cases: list[Case] = []
    for k in range(8):
        cases.append((f"random-bytes-{k}", bytes(rng.randrange(256) for _ in range(200)), []))
    alphabet = '{}()[]<>"%@^#!:=,.-> \n\tabcdefxyz0123456789janus.add tensor<2xf32>'
    for k in range(8):
        text = "".join(rng.choice(alphabet) for _ in range(300))
        cases.append((f"random-text-{k}", text.encode(), []))
    for k in range(4):  # a valid file with one random byte overwritten
        data = bytearray(BASE.encode())
        data[rng.randrange(len(data))] = rng.randrange(256)
        cases.append((f"flipped-byte-{k}", bytes(data), []))
    return cases


def _encodings() -> list[Case]:
    return [
        ("empty", b"", []),
        ("only-whitespace", b"  \n\t\n", []),
        ("only-comments", b"// nothing here\n// -----\n", ["--split-input-file"]),
        ("latin-1", BASE.replace("m", "m\xe9").encode("latin-1"), []),
        ("invalid-utf8-start", b"\xff\xfe" + BASE.encode(), []),
        ("utf16", BASE.encode("utf-16"), []),
        ("bom", b"\xef\xbb\xbf" + BASE.encode(), []),
        ("nul-inside", BASE.encode().replace(b"janus.tanh", b"janus\x00tanh"), []),
        ("nul-at-start", b"\x00" + BASE.encode(), []),
        ("lone-surrogate", BASE.encode().replace(b'"m"', b'"\xed\xa0\x80"'), []),
        ("non-ascii-string", BASE.replace('"m"', '"m\u00e9\u4e2d"').encode(), []),
    ]


_HUGE = ["99999999999999999999999999999", "-99999999999999999999999999999",
         "9223372036854775807", "-9223372036854775808", "18446744073709551616"]


def _huge_integers() -> list[Case]:
    cases: list[Case] = []
    for k, big in enumerate(_HUGE):
        cases += [
            (f"huge-axes-{k}", BASE.replace("array<i64: 1>", f"array<i64: {big}>").encode(), []),
            (f"huge-shape-{k}", BASE.replace("array<i64: 2, 3>", f"array<i64: {big}, 3>").encode(),
             []),
            (f"huge-id-{k}", BASE.replace("id = 0 : i64", f"id = {big} : i128").encode(), []),
            (f"huge-full-value-{k}", BASE.replace("value = 1.0 : f64", f"value = {big} : i128")
             .encode(), ["--janus-to-iree-input"]),
            (f"huge-dim-{k}", BASE.replace("tensor<2x3xf32>", f"tensor<{big.lstrip('-')}x3xf32>")
             .encode(), []),
        ]
    cases += [
        ("float-overflow", BASE.replace("value = 1.0 : f64", "value = 1.0e400 : f64").encode(), []),
        ("huge-dims-valid", BASE.replace("2x3", "100000x100000").replace("2x1", "100000x1")
         .replace("array<i64: 2, 3>", "array<i64: 100000, 100000>").encode(), []),
        ("i128-axis", BASE.replace("array<i64: 1>", "array<i128: 1>").encode(), []),
        ("huge-dense", b'func.func @f() -> tensor<2xi8> {\n  %0 = "janus.constant"() '
         b"{value = dense<[1, 99999999999999999999]> : tensor<2xi8>} : () -> tensor<2xi8>\n"
         b"  return %0 : tensor<2xi8>\n}\n", []),
        ("huge-dense-i128", b'func.func @f() -> tensor<2xi128> {\n  %0 = "janus.constant"() '
         b"{value = dense<[1, 99999999999999999999]> : tensor<2xi128>} : () -> tensor<2xi128>\n"
         b"  return %0 : tensor<2xi128>\n}\n", []),
    ]
    for dtype, value in [("i32", "0x7FF8000000000000 : f64"), ("i32", "0x7FF0000000000000 : f64"),
                         ("i8", "300 : i64"), ("i64", "1.0e19 : f64"), ("i1", "5 : i64"),
                         ("f16", "1.0e300 : f64"), ("i16", "-32769 : i64")]:
        ttype = f"tensor<3x{dtype}>"
        text = (f'func.func @f() -> {ttype} {{\n  %0 = "janus.full"() {{dtype = {dtype}, '
                f"shape = array<i64: 3>, value = {value}}} : () -> {ttype}\n"
                f"  return %0 : {ttype}\n}}\n")
        cases.append((f"full-{dtype}-{value.split()[0]}", text.encode(), ["--janus-to-iree-input"]))
    return cases


def _op_mutations(rng: random.Random, chunks: list[str]) -> list[Case]:
    """One janus op of a chunk changed: its name, its operands, its types, its structure."""
    cases: list[Case] = []
    ops = [(c, i, ln) for c in chunks for i, ln in _op_lines(c)]
    rng.shuffle(ops)
    mutations = [
        ("unknown-op", lambda ln: re.sub(r'"janus\.(\w+)"', r'"janus.\1_nope"', ln, count=1)),
        ("bare-prefix", lambda ln: re.sub(r'"janus\.\w+"', '"janus."', ln, count=1)),
        ("no-operands", lambda ln: re.sub(r'"\((%[^)]*)\) :', '"() :', ln, count=1)),
        ("extra-operand", lambda ln: re.sub(r'"\((%\w+)', r'"(\1, \1', ln, count=1)),
        ("dynamic-type", lambda ln: ln.replace("tensor<2x3", "tensor<?x3")),
        ("unranked-type", lambda ln: re.sub(r"tensor<[^>]*>", "tensor<*xf32>", ln, count=1)),
        ("memref-type", lambda ln: ln.replace("tensor<", "memref<")),
        ("vector-type", lambda ln: ln.replace("tensor<2x3x", "vector<2x3x")),
        ("complex-type", lambda ln: ln.replace("f32>", "complex<f32>>")),
        ("unsigned-type", lambda ln: ln.replace("i32>", "ui32>").replace("f32>", "ui8>")),
        ("i128-type", lambda ln: ln.replace("f32>", "i128>").replace("i32>", "i128>")),
        ("index-type", lambda ln: ln.replace("f32>", "index>")),
        ("scalar-type", lambda ln: re.sub(r"tensor<[^>]*>", "f32", ln)),
        ("no-results", lambda ln: re.sub(r"-> .*$", "-> ()", ln)),
        ("two-results", lambda ln: re.sub(r"-> (tensor<[^>]*>)$", r"-> (\1, \1)", ln)),
        ("drop-attrs", lambda ln: re.sub(r"\{[^}]*\} :", ":", ln, count=1)),
        ("string-attrs", lambda ln: re.sub(r"= [^,}]+", '= "s"', ln)),
        ("negative-attrs", lambda ln: re.sub(r"(array<i64: )(\d)", r"\1-\2", ln)),
        ("huge-attrs", lambda ln: re.sub(r"(array<i64: )(\d)", r"\g<1>4611686018427387904", ln)),
        ("region", lambda ln: re.sub(r"\) : \(", ') ({\n  "x.y"() : () -> ()\n  }) : (', ln,
                                     count=1)),
        ("properties", lambda ln: re.sub(r"\) : \(", ") <{p = 1}> : (", ln, count=1)),
        ("unknown-attr", lambda ln: re.sub(r"\) : \(", ") {bogus = 1 : i64} : (", ln, count=1)),
    ]
    for k, (chunk, index, line) in enumerate(ops):
        name, mutate = mutations[k % len(mutations)]
        new = mutate(line)
        if new == line:
            continue
        text = _replace_line(chunk, index, new)
        args = ["--janus-to-iree-input"] if k % 3 == 0 else []
        cases.append((f"{name}-{k}", text.encode(), args))
    return cases


def _structure() -> list[Case]:
    guard = '"janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:2"}'
    successor = BASE.replace('"janus.tanh"(%2)', '"janus.tanh"(%2)[^bb1]').replace(
        "  return %4", "^bb1:\n  return %4")
    return [
        ("guard-kind", BASE.replace('kind = "branch"', 'kind = "nope"').encode(),
         ["--janus-lower-guards"]),
        ("guard-kind-int", BASE.replace('kind = "branch"', "kind = 3 : i64").encode(), []),
        ("guard-region", BASE.replace(guard, guard.replace(" {id", ' ({\n}) {id')).encode(),
         ["--janus-to-iree-input"]),
        ("successor", successor.encode(), ["--janus-to-iree-input"]),
        ("janus-in-region", BASE.replace("  %4 = ", '  "x.wrap"() ({\n  %9 = "janus.exp"(%x) : '
                                         "(tensor<2x3xf32>) -> tensor<2x3xf32>\n  }) : () -> ()\n"
                                         "  %4 = ").encode(), ["--janus-to-iree-input"]),
        ("undefined-value", BASE.replace("(%0, %1)", "(%0, %9)").encode(), []),
        ("redefined-value", BASE.replace("%3 = ", "%2 = ").encode(), []),
        ("missing-return", BASE.replace("  return %4 : tensor<2x3xf32>\n", "").encode(), []),
        ("split-mixed", (BASE + "// -----\n" + BASE[:50] + "\n// -----\n" + BASE).encode(),
         ["--split-input-file", "--janus-to-iree-input"]),
        ("verify-diagnostics-none", BASE.encode(), ["--verify-diagnostics"]),
        ("verify-diagnostics-bad", b"// expected-error @+1 {{never}}\n" + BASE.encode(),
         ["--verify-diagnostics"]),
        ("bad-expectation-syntax", b"// expected-error @+x {{never\n" + BASE.encode(),
         ["--verify-diagnostics"]),
        ("bad-pipeline", BASE.encode(),
         ["--pass-pipeline=builtin.module(inline{default-pipeline=x})"]),
        ("bad-pipeline-nested", BASE.encode(), ["--pass-pipeline=builtin.module(func.func(nope))"]),
        ("bad-pipeline-garbage", BASE.encode(), ["--pass-pipeline=))(({{"]),
        ("bad-pass-option", BASE.encode(), ["--cse=foo=bar"]),
        ("upstream-bad-option", BASE.encode(),
         ["--pass-pipeline=builtin.module(canonicalize{max-iterations=x})"]),
        ("unwritable-output", BASE.encode(), ["-o", "/nonexistent-dir/out.mlir"]),
        ("output-is-directory", BASE.encode(), ["-o", "/"]),
    ]


def _deep() -> list[Case]:
    def wrap(body: str) -> bytes:
        return ("func.func @f() {\n" + body + "return\n}\n").encode()

    return [
        ("deep-modules", ("module {\n" * 20000 + "}\n" * 20000).encode(), []),
        ("deep-regions", ('"x.op"() ({\n' * 2500 + "}) : () -> ()\n" * 2500).encode(), []),
        ("deep-execute-region", wrap("scf.execute_region {\n" * 10000
                                     + "scf.yield\n}\n" * 10000), []),
        ("deep-type-parens", ("func.func private @f() -> " + "(" * 20000 + "i32" + ")" * 20000
                              + "\n").encode(), []),
        ("deep-attr-brackets", ('"x.op"() {a = ' + "[" * 20000 + "1" + "]" * 20000
                                + "} : () -> ()\n").encode(), []),
        ("deep-angles", ("func.func private @f() -> " + "tuple<" * 20000 + "i32" + ">" * 20000
                         + "\n").encode(), []),
        ("deep-unclosed", ("{" * 30000).encode(), []),
        ("deep-dict", ('"x.op"() {a = ' + "{b = " * 20000 + "1" + "}" * 20000
                       + "} : () -> ()\n").encode(), []),
        ("deep-within-limit", ('"x.op"() ({\n' * 200 + "}) : () -> ()\n" * 200).encode(),
         ["--janus-to-iree-input"]),
        ("deep-in-string", ('"x.op"() {a = "' + "(" * 20000 + '"} : () -> ()\n').encode(), []),
    ]


def fuzz_cases(seed: int = 0) -> list[Case]:
    """Every generated case (about 200), the same ones for the same seed."""
    rng = random.Random(seed)
    chunks = _chunks()
    cases = (_truncations(rng, [BASE, *chunks], 40) + _random_bytes(rng) + _encodings()
             + _huge_integers() + _op_mutations(rng, chunks) + _structure() + _deep())
    return cases
