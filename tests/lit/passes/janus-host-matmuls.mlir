// RUN: janus-opt %s --split-input-file --janus-to-iree-input --janus-host-matmuls | FileCheck %s
// Which matmuls become calls into the host's BLAS (runtime/host_calls.py): the 2-D float ones at
// a function's top level in a module of at most 3 contractions, one of them with 2^22 or more
// multiply-adds; each call of at least 2^16.

// A forward pass: every matmul is a call, shapes stay static around it, the zero fills go.
// CHECK-LABEL: func.func private @janus_host.matmul_f32(tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.fill
// CHECK: %[[A:.*]] = tensor.cast %arg0 : tensor<128x784xf32> to tensor<?x?xf32>
// CHECK: %[[B:.*]] = tensor.cast %arg1 : tensor<784x512xf32> to tensor<?x?xf32>
// CHECK: %[[P:.*]] = call @janus_host.matmul_f32(%[[A]], %[[B]]) : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
// CHECK: tensor.cast %[[P]] : tensor<?x?xf32> to tensor<128x512xf32>
// CHECK: linalg.generic
// CHECK: call @janus_host.matmul_f32
// CHECK-SAME: -> tensor<?x?xf32>
// CHECK: tensor.cast {{.*}} to tensor<128x10xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @forward(%x: tensor<128x784xf32>, %w1: tensor<784x512xf32>, %b1: tensor<512xf32>, %w2: tensor<512x10xf32>) -> tensor<128x10xf32> {
  %0 = "janus.matmul"(%x, %w1) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  %1 = "janus.add"(%0, %b1) : (tensor<128x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  %2 = "janus.tanh"(%1) : (tensor<128x512xf32>) -> tensor<128x512xf32>
  %3 = "janus.matmul"(%2, %w2) : (tensor<128x512xf32>, tensor<512x10xf32>) -> tensor<128x10xf32>
  return %3 : tensor<128x10xf32>
}

// -----

// float64 has its own function; a matmul below 2^16 multiply-adds stays in IREE.
// CHECK-LABEL: func.func private @janus_host.matmul_f64(tensor<?x?xf64>, tensor<?x?xf64>) -> tensor<?x?xf64>
// CHECK-LABEL: func.func @f64_and_small
// CHECK: call @janus_host.matmul_f64
// CHECK: linalg.matmul ins({{.*}} : tensor<256x4xf64>, tensor<4x4xf64>)
func.func @f64_and_small(%x: tensor<256x256xf64>, %w: tensor<256x256xf64>, %s: tensor<256x4xf64>, %v: tensor<4x4xf64>) -> (tensor<256x256xf64>, tensor<256x4xf64>) {
  %0 = "janus.matmul"(%x, %w) : (tensor<256x256xf64>, tensor<256x256xf64>) -> tensor<256x256xf64>
  %1 = "janus.matmul"(%s, %v) : (tensor<256x4xf64>, tensor<4x4xf64>) -> tensor<256x4xf64>
  return %0, %1 : tensor<256x256xf64>, tensor<256x4xf64>
}

// -----

// Four matmuls (a training step's worth): IREE keeps them all.
// CHECK-LABEL: func.func @four
// CHECK-NOT: janus_host
// CHECK-COUNT-4: linalg.matmul
func.func @four(%x: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %0 = "janus.matmul"(%x, %x) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %1 = "janus.matmul"(%0, %x) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %2 = "janus.matmul"(%1, %x) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %3 = "janus.matmul"(%2, %x) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  return %3 : tensor<256x256xf32>
}

// -----

// No matmul of 2^22 multiply-adds: nothing is worth a call.
// CHECK-LABEL: func.func @small
// CHECK-NOT: janus_host
// CHECK: linalg.matmul
func.func @small(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = "janus.matmul"(%x, %x) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

// Integers are not BLAS's: NumPy's own loops compute them, and so does IREE.
// CHECK-LABEL: func.func @integers
// CHECK-NOT: janus_host
// CHECK: linalg.matmul
func.func @integers(%x: tensor<256x256xi32>) -> tensor<256x256xi32> {
  %0 = "janus.matmul"(%x, %x) : (tensor<256x256xi32>, tensor<256x256xi32>) -> tensor<256x256xi32>
  return %0 : tensor<256x256xi32>
}
