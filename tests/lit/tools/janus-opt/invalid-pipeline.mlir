// RUN: not janus-opt %s --pass-pipeline='builtin.module(canonicalize,no-such-pass)' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not janus-opt %s --pass-pipeline='builtin.module(cse' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not janus-opt %s --pass-pipeline='builtin.module(convert-janus-to-linalg{bogus=1})' 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not janus-opt %s --pass-pipeline='builtin.module(cse)' --canonicalize 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not janus-opt %s --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG
// RUN: not janus-opt %S/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// Bad pipelines are rejected before any pass runs, with an MLIR-style diagnostic pointing into
// the pipeline text; unknown flags and missing files fail cleanly too.

// UNKNOWN: <pass-pipeline>:1:29: error: 'no-such-pass' does not refer to a registered pass or pass pipeline
// UNKNOWN-NEXT: builtin.module(canonicalize,no-such-pass)
// UNKNOWN-NEXT: {{^}}                            ^
// UNKNOWN-NOT: Traceback
// SYNTAX: <pass-pipeline>:1:{{[0-9]+}}: error: unbalanced braces in pass pipeline
// OPTION: <pass-pipeline>:1:16: error: pass 'convert-janus-to-linalg' has no option 'bogus'
// BOTH: error: --pass-pipeline cannot be combined with pass flags
// FLAG: janus-opt: error: unrecognized arguments: --no-such-flag
// MISSING: does-not-exist.mlir:0:0: error: could not open input file: No such file or directory
func.func @f() {
  return
}
