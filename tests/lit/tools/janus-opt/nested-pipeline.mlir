// RUN: janus-opt %s --pass-pipeline='builtin.module(convert-janus-to-linalg,func.func(cse,canonicalize))' | FileCheck %s
// A nested upstream pipeline (func.func(...)) runs after janus passes in one pipeline string.

// cse inside func.func merges the two identical exp generics.
// CHECK-LABEL: func.func @twice
// CHECK: math.exp
// CHECK-NOT: math.exp
// CHECK: return
func.func @twice(%a: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = "janus.exp"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  %1 = "janus.exp"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}
