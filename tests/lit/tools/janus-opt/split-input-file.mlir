// RUN: not janus-opt %s --split-input-file --convert-janus-to-linalg 2>&1 | FileCheck %s
// --split-input-file processes each chunk on its own: valid chunks are printed, separated by
// `// -----`; an error is reported at its line in this file (not in the chunk) and the exit
// status is non-zero.

// CHECK-LABEL: func.func @first
// CHECK: math.exp
// CHECK: // -----
func.func @first(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "janus.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK: split-input-file.mlir:[[# @LINE + 2]]:8: error: 'janus.add' op expects 2 operand(s), got 1
func.func @broken(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "janus.add"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK: split-input-file.mlir:[[# @LINE + 1]]:1: error: custom op 'not_mlir' is unknown
not_mlir at all

// -----

// CHECK-LABEL: func.func @last
// CHECK: math.log
// CHECK-NOT: Traceback
func.func @last(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "janus.log"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
