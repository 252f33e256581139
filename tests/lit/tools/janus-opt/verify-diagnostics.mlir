// RUN: janus-opt %s --split-input-file --verify-diagnostics
// RUN: not janus-opt %S/Inputs/wrong-expectations.mlir --split-input-file --verify-diagnostics 2>&1 | FileCheck %s
// --verify-diagnostics: exit 0 when every expected diagnostic is produced and nothing else;
// otherwise each missing and each unexpected diagnostic is reported and the exit status is 1.
// Designators: @+N / @-N, @above / @below (nearest line without an expectation), same line.

// CHECK: wrong-expectations.mlir:6:6: error: expected error "expects 3 operand(s)" was not produced
// CHECK: wrong-expectations.mlir:7:8: error: unexpected error: 'janus.add' op expects 2 operand(s), got 1
// CHECK: wrong-expectations.mlir:15:6: error: expected error "never produced" was not produced
// CHECK-NOT: Traceback

func.func @same_line(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "janus.exp"() : () -> tensor<2xf32> // expected-error {{expects 1 operand(s), got 0}}
  return %0 : tensor<2xf32>
}

// -----

func.func @minus(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "janus.exp"() : () -> tensor<2xf32>
  // expected-error @-1 {{'janus.exp' op expects 1 operand(s)}}
  return %0 : tensor<2xf32>
}

// -----

func.func @below_skips_expectation_lines(%p: tensor<i1>) {
  // expected-error @below {{requires attribute 'where'}}
  // expected-error-re @below {{attribute '{{[a-z]+}}' must be i64, got "zero"}}
  "janus.guard"(%p) {id = "zero", kind = "branch", message = "m"} : (tensor<i1>) -> ()
  return
}

// -----

func.func @above_skips_expectation_lines(%p: tensor<i1>) {
  "janus.guard"(%p) {id = 1 : i64, kind = "branch"} : (tensor<i1>) -> ()
  // expected-error @above {{requires attribute 'message'}}
  // expected-error @above {{'janus.guard' op requires attribute}}
  return
}

// -----

func.func @no_diagnostics(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "janus.exp"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
