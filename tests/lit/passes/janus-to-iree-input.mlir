// RUN: janus-opt %s --split-input-file --janus-to-iree-input | FileCheck %s
// RUN: janus-opt %s --split-input-file --pass-pipeline='builtin.module(janus-to-iree-input)' | FileCheck %s
// RUN: janus-opt %s --split-input-file --pass-pipeline='builtin.module(janus-lower-guards,convert-janus-to-linalg,canonicalize,cse)' | FileCheck %s
// janus-to-iree-input: the whole pipeline (janus-lower-guards, convert-janus-to-linalg,
// canonicalize, cse) leaves no janus op, only what iree-compile accepts.

// A dense layer with a guarded branch (n > 0): matmul, bias add, tanh, compare and guard lowered.
// CHECK-LABEL: func.func @dense_layer
// CHECK-NOT: {{"janus\.[a-z_0-9]+"\(}}
// CHECK: linalg.matmul
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: arith.cmpf ogt
// CHECK: cf.assert %{{.*}}, "janus.guard{\22id\22:0,\22kind\22:\22branch\22
// CHECK-NOT: {{"janus\.[a-z_0-9]+"\(}}
// CHECK: return
func.func @dense_layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>, %n: tensor<f32>) -> tensor<4x16xf32> {
  %h = "janus.matmul"(%x, %w) : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %z = "janus.add"(%h, %b) : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %y = "janus.tanh"(%z) : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %zero = "janus.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %c = "janus.greater"(%n, %zero) : (tensor<f32>, tensor<f32>) -> tensor<i1>
  "janus.guard"(%c) {id = 0 : i64, kind = "branch", message = "if taken", where = "net.py:3"} : (tensor<i1>) -> ()
  return %y : tensor<4x16xf32>
}

// -----

// cse merges two identical lowered ops; canonicalize drops the unused ones.
// CHECK-LABEL: func.func @cleanup
// CHECK: %[[E:.*]] = linalg.generic
// CHECK: math.exp
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: arith.addf
// CHECK-NOT: {{"janus\.[a-z_0-9]+"\(}}
func.func @cleanup(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = "janus.exp"(%x) : (tensor<8xf32>) -> tensor<8xf32>
  %b = "janus.exp"(%x) : (tensor<8xf32>) -> tensor<8xf32>
  %unused = "janus.log"(%x) : (tensor<8xf32>) -> tensor<8xf32>
  %s = "janus.add"(%a, %b) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %s : tensor<8xf32>
}
