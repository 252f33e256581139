// RUN: janus-opt %s --janus-to-iree-input | iree-compile - --compile-to=flow -o - \
// RUN:   --iree-hal-target-device=local --iree-hal-local-target-device-backends=llvm-cpu \
// RUN:   --iree-llvmcpu-target-cpu=host --iree-opt-data-tiling | FileCheck %s
// How many dispatches IREE forms from janus's lowering (what a call pays per kernel launch):
// an elementwise chain must stay one fused dispatch. The chain is bench/workloads.py's
// elementwise_chain (20 NumPy-level ops on two 64x256 arrays) with np.sin replaced by np.tanh:
// sin and cos lower with a whole-array range test (ops/trig.py) that IREE splits into a
// reduction, a host readback and a branch.

// CHECK-LABEL: util.func public @main
// CHECK-COUNT-1: flow.dispatch @
// CHECK-NOT: flow.dispatch @
// CHECK: util.return
func.func @main(%arg0: tensor<64x256xf32>, %arg1: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %0 = "janus.constant"() {value = dense<1.500000e+00> : tensor<f32>} : () -> tensor<f32>
  %1 = "janus.multiply"(%arg0, %0) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %2 = "janus.add"(%1, %arg1) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %3 = "janus.tanh"(%2) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %4 = "janus.constant"() {value = dense<2.500000e-01> : tensor<f32>} : () -> tensor<f32>
  %5 = "janus.multiply"(%4, %arg0) : (tensor<f32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %6 = "janus.subtract"(%3, %5) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %7 = "janus.negative"(%6) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %8 = "janus.multiply"(%7, %6) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %9 = "janus.exp"(%8) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %10 = "janus.absolute"(%arg1) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %11 = "janus.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %12 = "janus.add"(%10, %11) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %13 = "janus.sqrt"(%12) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %14 = "janus.add"(%9, %13) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %15 = "janus.constant"() {value = dense<1.000000e-01> : tensor<f32>} : () -> tensor<f32>
  %16 = "janus.maximum"(%14, %15) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %17 = "janus.absolute"(%arg0) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %18 = "janus.constant"() {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %19 = "janus.add"(%18, %17) : (tensor<f32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %20 = "janus.divide"(%16, %19) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %21 = "janus.multiply"(%20, %20) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %22 = "janus.constant"() {value = dense<5.000000e-01> : tensor<f32>} : () -> tensor<f32>
  %23 = "janus.multiply"(%arg1, %22) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %24 = "janus.subtract"(%21, %23) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %25 = "janus.tanh"(%arg0) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %26 = "janus.add"(%24, %25) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  %27 = "janus.absolute"(%26) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %28 = "janus.constant"() {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %29 = "janus.add"(%27, %28) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %30 = "janus.log"(%29) : (tensor<64x256xf32>) -> tensor<64x256xf32>
  %31 = "janus.constant"() {value = dense<3.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %32 = "janus.multiply"(%30, %31) : (tensor<64x256xf32>, tensor<f32>) -> tensor<64x256xf32>
  %33 = "janus.subtract"(%32, %arg0) : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
  return %33 : tensor<64x256xf32>

}
