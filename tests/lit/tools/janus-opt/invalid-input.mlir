// RUN: not janus-opt %s 2>&1 | FileCheck %s
// RUN: not janus-opt < %s 2>&1 | FileCheck %s --check-prefix=STDIN
// Text that is not MLIR: an MLIR-style `file:line:col: error:` at the bad line, the source
// line with a caret, a failing exit status, and no Python traceback. From stdin the file is
// called <stdin>.

// CHECK: invalid-input.mlir:[[# @LINE + 5]]:1: error: custom op 'this' is unknown
// CHECK-NEXT: this is not IR
// CHECK-NEXT: ^
// CHECK-NOT: Traceback
// STDIN: <stdin>:[[# @LINE + 1]]:1: error: custom op 'this' is unknown
this is not IR
