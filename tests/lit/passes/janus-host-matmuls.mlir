// RUN: janus-opt %s --split-input-file --janus-to-iree-input --janus-host-matmuls | FileCheck %s
// Which modules call the host's BLAS for their matmuls (runtime/host_calls.py): those of exactly
// 3 contractions (min_count to max_count), one of them with 2^22 or more multiply-adds; the calls
// are the 2-D float matmuls at a function's top level with at least 2^16 each.

// A three-layer forward pass: every matmul is a call, shapes stay static around it, the zero
// fills go.
// CHECK-LABEL: func.func private @janus_host.matmul_f32(tensor<?x?xf32>, tensor<?x?xf32>, i32) -> tensor<?x?xf32>
// CHECK-LABEL: func.func @forward
// CHECK-NOT: linalg.matmul
// CHECK-NOT: linalg.fill
// CHECK: %[[A:.*]] = tensor.cast %arg0 : tensor<128x784xf32> to tensor<?x?xf32>
// CHECK: %[[B:.*]] = tensor.cast %arg1 : tensor<784x512xf32> to tensor<?x?xf32>
// CHECK: %[[F:.*]] = arith.constant 0 : i32
// CHECK: %[[P:.*]] = call @janus_host.matmul_f32(%[[A]], %[[B]], %[[F]]) : (tensor<?x?xf32>, tensor<?x?xf32>, i32) -> tensor<?x?xf32>
// CHECK: tensor.cast %[[P]] : tensor<?x?xf32> to tensor<128x512xf32>
// CHECK: linalg.generic
// CHECK: call @janus_host.matmul_f32
// CHECK: call @janus_host.matmul_f32
// CHECK: tensor.cast {{.*}} to tensor<128x10xf32>
// CHECK-NOT: linalg.matmul
// CHECK: return
func.func @forward(%x: tensor<128x784xf32>, %w1: tensor<784x512xf32>, %b1: tensor<512xf32>, %w2: tensor<512x512xf32>, %w3: tensor<512x10xf32>) -> tensor<128x10xf32> {
  %0 = "janus.matmul"(%x, %w1) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  %1 = "janus.add"(%0, %b1) : (tensor<128x512xf32>, tensor<512xf32>) -> tensor<128x512xf32>
  %2 = "janus.tanh"(%1) : (tensor<128x512xf32>) -> tensor<128x512xf32>
  %3 = "janus.matmul"(%2, %w2) : (tensor<128x512xf32>, tensor<512x512xf32>) -> tensor<128x512xf32>
  %4 = "janus.tanh"(%3) : (tensor<128x512xf32>) -> tensor<128x512xf32>
  %5 = "janus.matmul"(%4, %w3) : (tensor<128x512xf32>, tensor<512x10xf32>) -> tensor<128x10xf32>
  return %5 : tensor<128x10xf32>
}


// -----

// Two layers: IREE's data-tiled kernels are as fast as the BLAS there; nothing is called.
// CHECK-LABEL: func.func @two
// CHECK-NOT: janus_host
// CHECK-COUNT-2: linalg.matmul
func.func @two(%x: tensor<128x784xf32>, %w1: tensor<784x512xf32>, %w2: tensor<512x10xf32>) -> tensor<128x10xf32> {
  %0 = "janus.matmul"(%x, %w1) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  %1 = "janus.tanh"(%0) : (tensor<128x512xf32>) -> tensor<128x512xf32>
  %2 = "janus.matmul"(%1, %w2) : (tensor<128x512xf32>, tensor<512x10xf32>) -> tensor<128x10xf32>
  return %2 : tensor<128x10xf32>
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
// CHECK-COUNT-3: linalg.matmul
func.func @small(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = "janus.matmul"(%x, %x) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  %1 = "janus.matmul"(%0, %x) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  %2 = "janus.matmul"(%1, %x) : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>
  return %2 : tensor<64x64xf32>
}


// -----

// Integers are not BLAS's: NumPy's own loops compute them, and so does IREE.
// CHECK-LABEL: func.func @integers
// CHECK-NOT: janus_host
// CHECK-COUNT-3: linalg.matmul
func.func @integers(%x: tensor<256x256xi32>) -> tensor<256x256xi32> {
  %0 = "janus.matmul"(%x, %x) : (tensor<256x256xi32>, tensor<256x256xi32>) -> tensor<256x256xi32>
  %1 = "janus.matmul"(%0, %x) : (tensor<256x256xi32>, tensor<256x256xi32>) -> tensor<256x256xi32>
  %2 = "janus.matmul"(%1, %x) : (tensor<256x256xi32>, tensor<256x256xi32>) -> tensor<256x256xi32>
  return %2 : tensor<256x256xi32>
}
