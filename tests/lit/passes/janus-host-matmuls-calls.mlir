// RUN: janus-opt %s --split-input-file --pass-pipeline='builtin.module(janus-to-iree-input,janus-host-matmuls{min_count=1})' | FileCheck %s
// How a matmul becomes a call into the host's BLAS (janus-host-matmuls, here for modules of one
// to three contractions): its element type's function, operands read as stored.

// float64 has its own function; a matmul below 2^16 multiply-adds stays in IREE.
// CHECK-LABEL: func.func private @janus_host.matmul_f64(tensor<?x?xf64>, tensor<?x?xf64>, i32) -> tensor<?x?xf64>
// CHECK-LABEL: func.func @f64_and_small
// CHECK: call @janus_host.matmul_f64
// CHECK: linalg.matmul ins({{.*}} : tensor<256x4xf64>, tensor<4x4xf64>)
func.func @f64_and_small(%x: tensor<256x256xf64>, %w: tensor<256x256xf64>, %s: tensor<256x4xf64>, %v: tensor<4x4xf64>) -> (tensor<256x256xf64>, tensor<256x4xf64>) {
  %0 = "janus.matmul"(%x, %w) : (tensor<256x256xf64>, tensor<256x256xf64>) -> tensor<256x256xf64>
  %1 = "janus.matmul"(%s, %v) : (tensor<256x4xf64>, tensor<4x4xf64>) -> tensor<256x4xf64>
  return %0, %1 : tensor<256x256xf64>, tensor<256x4xf64>
}

// -----

// `x @ w.T` and `x.T @ g`: the transposed operand is passed as stored, with its flag (1: a, 2: b),
// and the transpose IREE would have copied is gone.
// CHECK-LABEL: func.func @transposed
// CHECK-NOT: linalg.generic
// CHECK: %[[W:.*]] = tensor.cast %arg1 : tensor<512x784xf32> to tensor<?x?xf32>
// CHECK: %[[TB:.*]] = arith.constant 2 : i32
// CHECK: call @janus_host.matmul_f32(%{{.*}}, %[[W]], %[[TB]])
// CHECK: %[[X:.*]] = tensor.cast %arg0 : tensor<128x784xf32> to tensor<?x?xf32>
// CHECK: %[[TA:.*]] = arith.constant 1 : i32
// CHECK: call @janus_host.matmul_f32(%[[X]], %{{.*}}, %[[TA]])
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @transposed(%x: tensor<128x784xf32>, %w: tensor<512x784xf32>, %g: tensor<128x512xf32>) -> (tensor<128x512xf32>, tensor<784x512xf32>) {
  %wt = "janus.transpose"(%w) {perm = array<i64: 1, 0>} : (tensor<512x784xf32>) -> tensor<784x512xf32>
  %0 = "janus.matmul"(%x, %wt) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  %xt = "janus.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<128x784xf32>) -> tensor<784x128xf32>
  %1 = "janus.matmul"(%xt, %g) : (tensor<784x128xf32>, tensor<128x512xf32>) -> tensor<784x512xf32>
  return %0, %1 : tensor<128x512xf32>, tensor<784x512xf32>
}

// -----

// A transpose something else reads too stays; the call still reads w as stored, with its flag.
// CHECK-LABEL: func.func @transpose_kept
// CHECK: %[[T:.*]] = linalg.generic
// CHECK: %[[W:.*]] = tensor.cast %arg1 : tensor<512x784xf32> to tensor<?x?xf32>
// CHECK: call @janus_host.matmul_f32(%{{.*}}, %[[W]], %{{.*}})
// CHECK: return %{{.*}}, %[[T]]
func.func @transpose_kept(%x: tensor<128x784xf32>, %w: tensor<512x784xf32>) -> (tensor<128x512xf32>, tensor<784x512xf32>) {
  %wt = "janus.transpose"(%w) {perm = array<i64: 1, 0>} : (tensor<512x784xf32>) -> tensor<784x512xf32>
  %0 = "janus.matmul"(%x, %wt) : (tensor<128x784xf32>, tensor<784x512xf32>) -> tensor<128x512xf32>
  return %0, %wt : tensor<128x512xf32>, tensor<784x512xf32>
}

