// RUN: janus-opt %s --janus-to-iree-input | iree-compile - --compile-to=flow -o - \
// RUN:   --iree-hal-target-device=local --iree-hal-local-target-device-backends=llvm-cpu \
// RUN:   --iree-llvmcpu-target-cpu=host --iree-opt-data-tiling | FileCheck %s
// The W1 MLP forward (128x784 -> 512 -> 512 -> 10, ReLU) as janus converts it: one dispatch per
// layer, the bias add and ReLU fused into the matmul's dispatch.

// CHECK-LABEL: util.func public @main
// CHECK-COUNT-3: flow.dispatch @{{.*}}matmul
// CHECK-NOT: flow.dispatch @
// CHECK: util.return
func.func @main(%arg0: tensor<128x784xf32>, %arg1: tensor<784x512xf32>, %arg2: tensor<512xf32>, %arg3: tensor<512x512xf32>, %arg4: tensor<512xf32>, %arg5: tensor<512x10xf32>, %arg6: tensor<10xf32>) -> tensor<128x10xf32> {
  %0 = "janus.matmul"(%arg0, %arg1) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  %1 = "janus.add"(%0, %arg2) : (tensor<128x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  %2 = "janus.constant"() {value = dense<0.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %3 = "janus.maximum"(%1, %2) : (tensor<128x512xf32>, tensor<f32>) -> tensor<128x512xf32>
  %4 = "janus.matmul"(%3, %arg3) : (tensor<128x512xf32>, tensor<512x512xf32>) -> tensor<128x512xf32>
  %5 = "janus.add"(%4, %arg4) : (tensor<128x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  %6 = "janus.constant"() {value = dense<0.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %7 = "janus.maximum"(%5, %6) : (tensor<128x512xf32>, tensor<f32>) -> tensor<128x512xf32>
  %8 = "janus.matmul"(%7, %arg5) : (tensor<128x512xf32>, tensor<512x10xf32>) -> tensor<128x10xf32>
  %9 = "janus.add"(%8, %arg6) : (tensor<128x10xf32>, tensor<10xf32>) -> tensor<128x10xf32>
  return %9 : tensor<128x10xf32>

}
