// RUN: not janus-opt %s 2>&1 | FileCheck %s
// RUN: not janus-opt < %s 2>&1 | FileCheck %s --check-prefix=STDIN
// RUN: %PYTHON %S/Inputs/make_input.py not-utf8 | not janus-opt 2>&1 | FileCheck %s --check-prefix=UTF8
// RUN: %PYTHON %S/Inputs/make_input.py nul | not janus-opt 2>&1 | FileCheck %s --check-prefix=NUL
// Text that is not MLIR: an MLIR-style `file:line:col: error:` at the bad line, the source
// line with a caret, a failing exit status, and no Python traceback. From stdin the file is
// called <stdin>. Bytes that are not UTF-8, and a NUL (where MLIR's parser would silently stop
// reading), are errors at their position too.

// CHECK: invalid-input.mlir:[[# @LINE + 7]]:1: error: custom op 'this' is unknown
// CHECK-NEXT: this is not IR
// CHECK-NEXT: ^
// CHECK-NOT: Traceback
// STDIN: <stdin>:[[# @LINE + 3]]:1: error: custom op 'this' is unknown
// UTF8: <stdin>:2:16: error: input is not valid UTF-8 (byte 0xe9)
// NUL: <stdin>:2:9: error: input contains a NUL character
this is not IR
