// RUN: janus-opt %s --janus-to-iree-input | iree-compile - --compile-to=flow -o - \
// RUN:   --iree-hal-target-device=local --iree-hal-local-target-device-backends=llvm-cpu \
// RUN:   --iree-llvmcpu-target-cpu=host | FileCheck %s
// The cross-entropy tail of the W1 loss (bench/training.py) as janus converts it: log-softmax
// of 128x10 logits, take_along_axis of the labels, mean. Seven dispatches: the max, the sum of
// exp, the labels' bounds guard, the gather (reading each element, with the log-softmax of just
// that element fused into it), the mean's two levels (8 lanes, as NumPy sums) and its
// negation. Before element gathers became one generic it was eight.

// CHECK-LABEL: util.func public @main
// CHECK-COUNT-7: flow.dispatch @
// CHECK-NOT: flow.dispatch @
// CHECK: util.return
func.func @main(%z: tensor<128x10xf32>, %labels: tensor<128xi64>, %rows: tensor<128x1xi64>) -> tensor<f32> {
  %29 = "janus.max"(%z) {axes = array<i64: 1>, keepdims = true} : (tensor<128x10xf32>) -> tensor<128x1xf32>
  %30 = "janus.subtract"(%z, %29) : (tensor<128x10xf32>, tensor<128x1xf32>) -> tensor<128x10xf32>
  %31 = "janus.exp"(%30) : (tensor<128x10xf32>) -> tensor<128x10xf32>
  %32 = "janus.sum"(%31) {axes = array<i64: 1>, keepdims = true} : (tensor<128x10xf32>) -> tensor<128x1xf32>
  %33 = "janus.log"(%32) : (tensor<128x1xf32>) -> tensor<128x1xf32>
  %34 = "janus.subtract"(%30, %33) : (tensor<128x10xf32>, tensor<128x1xf32>) -> tensor<128x10xf32>
  %35 = "janus.reshape"(%labels) {shape = array<i64: 128, 1>} : (tensor<128xi64>) -> tensor<128x1xi64>
  %37 = "janus.in_bounds"(%35) {size = 10 : i64} : (tensor<128x1xi64>) -> tensor<i1>
  "janus.guard"(%37) {id = 0 : i64, kind = "bounds", message = "every index is within [-10, 10) for axis 1", where = "loss.py:7"} : (tensor<i1>) -> ()
  %38 = "janus.gather"(%34, %rows, %35) {axes = array<i64: 0, 1>, position = 0 : i64} : (tensor<128x10xf32>, tensor<128x1xi64>, tensor<128x1xi64>) -> tensor<128x1xf32>
  %39 = "janus.mean"(%38) {axes = array<i64: 0, 1>, keepdims = false} : (tensor<128x1xf32>) -> tensor<f32>
  %40 = "janus.negative"(%39) : (tensor<f32>) -> tensor<f32>
  return %40 : tensor<f32>
}
