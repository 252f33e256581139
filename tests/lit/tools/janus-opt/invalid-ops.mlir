// RUN: not janus-opt %s --split-input-file 2>&1 | FileCheck %s
// Without --verify-diagnostics, verifier errors are printed MLIR-style (unknown janus op,
// wrong operand types) and the exit status is non-zero.

// CHECK: invalid-ops.mlir:[[# @LINE + 2]]:8: error: unknown operation 'janus.frobnicate'
func.func @unknown(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "janus.frobnicate"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK: invalid-ops.mlir:[[# @LINE + 2]]:8: error: 'janus.matmul' op matmul contraction dimensions differ
func.func @operand_types(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = "janus.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
// CHECK-NOT: Traceback
