// RUN: not janus-opt %s --pass-pipeline='builtin.module(canonicalize,no-such-pass)' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not janus-opt %s --pass-pipeline='builtin.module(cse' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not janus-opt %s --pass-pipeline='builtin.module(convert-janus-to-linalg{bogus=1})' 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not janus-opt %s --pass-pipeline='builtin.module(cse)' --canonicalize 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not janus-opt %s --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG
// RUN: not janus-opt %S/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not janus-opt %s --pass-pipeline='builtin.module(inline{default-pipeline=nope})' 2>&1 | FileCheck %s --check-prefix=INLINE
// RUN: not janus-opt %s --pass-pipeline='builtin.module(cse,inline{max-iterations=many})' 2>&1 | FileCheck %s --check-prefix=UPSTREAM-OPTION
// Bad pipelines are rejected before any pass runs, with an MLIR-style diagnostic pointing into
// the pipeline text; unknown flags and missing files fail cleanly too. That includes an option
// upstream MLIR only parses when the pass runs, and which it reports by printing, not failing
// (the inliner's default-pipeline), and the reason MLIR prints for a bad upstream option.

// UNKNOWN: <pass-pipeline>:1:29: error: 'no-such-pass' does not refer to a registered pass or pass pipeline
// UNKNOWN-NEXT: builtin.module(canonicalize,no-such-pass)
// UNKNOWN-NEXT: {{^}}                            ^
// UNKNOWN-NOT: Traceback
// SYNTAX: <pass-pipeline>:1:{{[0-9]+}}: error: unbalanced braces in pass pipeline
// OPTION: <pass-pipeline>:1:16: error: pass 'convert-janus-to-linalg' has no option 'bogus'
// BOTH: error: --pass-pipeline cannot be combined with pass flags
// FLAG: janus-opt: error: unrecognized arguments: --no-such-flag
// MISSING: does-not-exist.mlir:0:0: error: could not open input file: No such file or directory
// INLINE-NOT: MLIR Textual PassPipeline Parser
// INLINE: <pass-pipeline>:1:16: error: pass 'inline{default-pipeline=nope}' failed: 'nope' does not refer to a registered pass or pass pipeline
// INLINE-NEXT: builtin.module(inline{default-pipeline=nope})
// INLINE-NEXT: {{^}}               ^
// UPSTREAM-OPTION-NOT: {{^}}: for the
// UPSTREAM-OPTION: <pass-pipeline>:1:20: error: failed to add `inline` with options `max-iterations=many`: for the --max-iterations option: 'many' value invalid for uint argument!
func.func @f() {
  return
}
