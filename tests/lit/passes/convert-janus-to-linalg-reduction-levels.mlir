// RUN: janus-opt %s --split-input-file --convert-janus-to-linalg | FileCheck %s
// How many levels (one reduction generic each, a dispatch each in IREE) a reduction takes.

// An exact reduction of at most BLOCK (128) elements per output and SMALL (4096) in all folds
// in one level: rows of 100 int32 summed (into int64). A float sum keeps its levels: 10 lanes
// of 10 side by side, then those 10, as NumPy sums.
// CHECK-LABEL: func.func @int_row_sum
// CHECK-COUNT-1: linalg.generic {{.*}}"reduction"
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @int_row_sum(%x: tensor<32x100xi32>) -> tensor<32xi64> {
  %0 = "janus.sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<32x100xi32>) -> tensor<32xi64>
  return %0 : tensor<32xi64>
}

// -----

// CHECK-LABEL: func.func @float_row_sum
// CHECK-COUNT-2: linalg.generic {{.*}}"reduction"
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @float_row_sum(%x: tensor<32x100xf32>) -> tensor<32xf32> {
  %0 = "janus.sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<32x100xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}

// -----

// Columns of a wide array: at most STREAMS (32) rows 4000 bytes apart per level, so the 1000 rows
// are folded 25 at a time into (40, 1000) partials, then those 40.
// CHECK-LABEL: func.func @column_sum
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 25, 40000]
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK-SAME: tensor<1x25x40000xf32>
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK-SAME: tensor<1x40x1000xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @column_sum(%x: tensor<1000x1000xf32>) -> tensor<1000xf32> {
  %0 = "janus.sum"(%x) {axes = array<i64: 0>, keepdims = false} : (tensor<1000x1000xf32>) -> tensor<1000xf32>
  return %0 : tensor<1000xf32>
}
