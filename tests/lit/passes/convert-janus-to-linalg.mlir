// RUN: janus-opt %s --split-input-file --convert-janus-to-linalg | FileCheck %s
// convert-janus-to-linalg: one case per op family; each lowers to linalg/tensor/arith/math.

// A binary ufunc is one parallel linalg.generic; the 1-D operand is read broadcast along rows.
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID2]], #[[$ROW]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = "janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Mixed dtypes are cast to NumPy's loop dtype (i32 + f32 -> f64) inside the body; a rank-0
// operand is read through an empty map, a size-1 dim of the result stays a plain dim.
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @add_promote
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$SCALAR]], #[[$ID2]]]
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: f32, %{{.*}}: f64):
// CHECK-NEXT: %[[AF:.*]] = arith.sitofp %[[A]] : i32 to f64
// CHECK-NEXT: %[[BF:.*]] = arith.extf %[[B]] : f32 to f64
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[AF]], %[[BF]] : f64
// CHECK-NEXT: linalg.yield %[[S]] : f64
func.func @add_promote(%x: tensor<2x1xi32>, %y: tensor<f32>) -> tensor<2x1xf64> {
  %0 = "janus.add"(%x, %y) : (tensor<2x1xi32>, tensor<f32>) -> tensor<2x1xf64>
  return %0 : tensor<2x1xf64>
}

// -----

// A unary math ufunc maps to its math dialect op.
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @exp
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK: %[[E:.*]] = math.exp %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[E]] : f32
func.func @exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "janus.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Comparisons of floats are ordered arith.cmpf predicates yielding i1.
// CHECK-LABEL: func.func @less
// CHECK: outs(%{{.*}} : tensor<4xi1>)
// CHECK: %[[C:.*]] = arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: linalg.yield %[[C]] : i1
func.func @less(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xi1> {
  %0 = "janus.less"(%x, %y) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Integer floor division never traps: a zero divisor is replaced before arith.floordivsi and
// the result selected afterwards (NumPy gives 0).
// CHECK-LABEL: func.func @floor_divide
// CHECK: ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %[[B]] : i32
// CHECK: arith.floordivsi %[[A]], %[[SAFE]] : i32
// CHECK: arith.select
// CHECK: linalg.yield %{{.*}} : i32
func.func @floor_divide(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = "janus.floor_divide"(%x, %y) : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// where is an arith.select over three broadcast operands.
// CHECK-DAG: #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @where
// CHECK: linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]], #[[$SCALAR]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-NEXT: ^bb0(%[[C:.*]]: i1, %[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[S:.*]] = arith.select %[[C]], %[[A]], %[[B]] : f32
func.func @where(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<f32>) -> tensor<4xf32> {
  %0 = "janus.where"(%c, %x, %y) : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// astype float -> int truncates like NumPy (arith.fptosi).
// CHECK-LABEL: func.func @astype
// CHECK: %[[T:.*]] = arith.fptosi %{{.*}} : f32 to i32
// CHECK-NEXT: linalg.yield %[[T]] : i32
func.func @astype(%x: tensor<4xf32>) -> tensor<4xi32> {
  %0 = "janus.astype"(%x) {dtype = i32} : (tensor<4xf32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// constant and full become dense arith.constants; arange computes start + i * step from linalg.index.
// CHECK-LABEL: func.func @creation
// CHECK-DAG: %[[CST:.*]] = arith.constant dense<[1.000000e+00, 2.500000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[FULL:.*]] = arith.constant dense<1.000000e+00> : tensor<2x3xf32>
// CHECK: %[[RANGE:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<5xi64>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: %[[M:.*]] = arith.muli %[[I64]], %{{.*}} : i64
// CHECK: %[[V:.*]] = arith.addi %{{.*}}, %[[M]] : i64
// CHECK-NEXT: linalg.yield %[[V]] : i64
// CHECK: return %[[CST]], %[[FULL]], %[[RANGE]]
func.func @creation() -> (tensor<2xf32>, tensor<2x3xf32>, tensor<5xi64>) {
  %0 = "janus.constant"() {value = dense<[1.0, 2.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = "janus.full"() {dtype = f32, shape = array<i64: 2, 3>, value = 1.0 : f64} : () -> tensor<2x3xf32>
  %2 = "janus.arange"() {dtype = i64, shape = array<i64: 5>, start = 1 : i64, step = 2 : i64} : () -> tensor<5xi64>
  return %0, %1, %2 : tensor<2xf32>, tensor<2x3xf32>, tensor<5xi64>
}

// -----

// 2-D matmul is linalg.matmul into a zero-filled init.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[FILL]] : tensor<2x4xf32>)
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = "janus.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Equal batch dims: linalg.batch_matmul.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<5x2x3xf32>, tensor<5x3x4xf32>) outs(%{{.*}} : tensor<5x2x4xf32>)
func.func @batch_matmul(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %0 = "janus.matmul"(%a, %b) : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

// Matrix @ vector: the vector becomes a 3x1 column and the 2x1 result is collapsed back.
// CHECK-LABEL: func.func @matvec
// CHECK: %[[COL:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: %[[R:.*]] = linalg.matmul ins(%{{.*}}, %[[COL]] : tensor<2x3xf32>, tensor<3x1xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[\[}}0, 1]] : tensor<2x1xf32> into tensor<2xf32>
func.func @matvec(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2xf32> {
  %0 = "janus.matmul"(%a, %v) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Broadcast batch dims: one contraction linalg.generic (k is the reduction dim, size-1 batch
// dims read at 0).
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @broadcast_batch_matmul
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
func.func @broadcast_batch_matmul(%a: tensor<5x1x2x3xf32>, %b: tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32> {
  %0 = "janus.matmul"(%a, %b) : (tensor<5x1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32>
  return %0 : tensor<5x7x2x4xf32>
}

// -----

// sum over the middle axis: a zero-filled init and one generic with a reduction iterator.
// CHECK-DAG: #[[$IN3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$OUT02:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @sum
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$IN3]], #[[$OUT02]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[IN]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
func.func @sum(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = "janus.sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// An i32 sum accumulates in i64 (NumPy's default integer), extending each element.
// CHECK-LABEL: func.func @integer_sum
// CHECK: arith.constant 0 : i64
// CHECK: iterator_types = ["reduction", "parallel"]
// CHECK: %[[E:.*]] = arith.extsi %{{.*}} : i32 to i64
// CHECK-NEXT: arith.addi %{{.*}}, %[[E]] : i64
func.func @integer_sum(%x: tensor<2x3xi32>) -> tensor<3xi64> {
  %0 = "janus.sum"(%x) {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xi32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// mean is a sum divided by the count; keepdims reshapes the result back to rank 2.
// CHECK-LABEL: func.func @mean_keepdims
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: arith.divf
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
func.func @mean_keepdims(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  %0 = "janus.mean"(%x) {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// f32 max reduces order-preserving integer keys in one pass with two folds, the largest and
// the smallest key (a NaN of either sign lies beyond +-inf's keys, so no element is tested for
// NaN), and maps the result back to f32, NaN when either fold is beyond the infinities.
// CHECK-LABEL: func.func @max_all
// CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<i32>, tensor<i32>)
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK-NOT: arith.cmpf
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpi slt
// CHECK-NOT: arith.maximumf
func.func @max_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = "janus.max"(%x) {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// f32 argmax packs each element's order-preserving integer key with its position into one
// i64 word (NaN as the largest key; ties go to the first index) and takes one integer max.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.cmpf uno
// CHECK: linalg.index 1 : index
// CHECK: arith.shli
// CHECK: arith.maxsi
// CHECK: return %{{.*}} : tensor<2xi64>
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %0 = "janus.argmax"(%x) {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// reshape, expand_dims and squeeze are collapse_shape/expand_shape pairs (no data movement).
// CHECK-LABEL: func.func @reshapes
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
// CHECK: tensor.expand_shape %{{.*}} output_shape [1, 2, 3, 1] : tensor<6xf32> into tensor<1x2x3x1xf32>
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK-NOT: linalg.generic
func.func @reshapes(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %0 = "janus.reshape"(%x) {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = "janus.expand_dims"(%x) {axes = array<i64: 0, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3x1xf32>
  %2 = "janus.squeeze"(%1) {axes = array<i64: 0, 3>} : (tensor<1x2x3x1xf32>) -> tensor<2x3xf32>
  return %0, %2 : tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// transpose is a copy through a permuted input map.
// CHECK-DAG: #[[$SWAP:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.generic {indexing_maps = [#[[$SWAP]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[IN]] : f32
func.func @transpose(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = "janus.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// broadcast_to is a copy through a broadcasting input map.
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcast_to
// CHECK: linalg.generic {indexing_maps = [#[[$ROW]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: outs(%{{.*}} : tensor<4x3xf32>)
func.func @broadcast_to(%x: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = "janus.broadcast_to"(%x) {shape = array<i64: 4, 3>} : (tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// concatenate is tensor.concat; stack expands each operand by one dim first.
// CHECK-LABEL: func.func @joining
// CHECK: tensor.concat dim(0) %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
// CHECK: %[[A:.*]] = tensor.expand_shape %{{.*}} output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: %[[B:.*]] = tensor.expand_shape %{{.*}} output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK: tensor.concat dim(0) %[[A]], %[[B]] : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
func.func @joining(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %c: tensor<3xf32>) -> (tensor<3x3xf32>, tensor<2x3xf32>) {
  %0 = "janus.concatenate"(%a, %b) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<3x3xf32>
  %1 = "janus.stack"(%c, %c) {axis = 0 : i64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3x3xf32>, tensor<2x3xf32>
}

// -----

// A strided slice (negative step too) gathers with tensor.extract at start + i * step per dim.
// CHECK-LABEL: func.func @slice
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: arith.muli %[[I]], %{{.*}} : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: arith.constant -2 : index
// CHECK: %[[V:.*]] = tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<4x6xf32>
// CHECK-NEXT: linalg.yield %[[V]] : f32
func.func @slice(%x: tensor<4x6xf32>) -> tensor<2x3xf32> {
  %0 = "janus.slice"(%x) {sizes = array<i64: 2, 3>, starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// take wraps negative indices once and clamps into range before tensor.extract (never reads
// out of bounds; IndexError is a guard on in_bounds).
// CHECK-LABEL: func.func @take
// CHECK: ^bb0(%[[IDX:.*]]: i64, %{{.*}}: f32):
// CHECK: arith.cmpi slt, %[[IDX]], %{{.*}} : i64
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: %[[K:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %[[K]]] : tensor<4x6xf32>
func.func @take(%x: tensor<4x6xf32>, %idx: tensor<3xi64>) -> tensor<4x3xf32> {
  %0 = "janus.take"(%x, %idx) {axis = 1 : i64} : (tensor<4x6xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// in_bounds is an and-reduction of -size <= i < size into a rank-0 i1.
// CHECK-LABEL: func.func @in_bounds
// CHECK: arith.constant true
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]
// CHECK: arith.constant -6 : i64
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: -> tensor<i1>
func.func @in_bounds(%idx: tensor<3xi64>) -> tensor<i1> {
  %0 = "janus.in_bounds"(%idx) {size = 6 : i64} : (tensor<3xi64>) -> tensor<i1>
  return %0 : tensor<i1>
}

// -----

// Guards are left for janus-lower-guards.
// CHECK-LABEL: func.func @guard_kept
// CHECK: "janus.guard"
func.func @guard_kept(%p: tensor<i1>) {
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  return
}

// -----

// A symbolic dim (a batch size that varies): the result's `?` takes the size of the operand's
// (tensor.dim), the matmul's init too; the bias is read broadcast along the rows.
// CHECK-LABEL: func.func @symbolic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %[[C0]] : tensor<?x4xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x3xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x3xf32>)
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x4xf32>, tensor<4x3xf32>) outs(%[[F]] : tensor<?x3xf32>)
// CHECK: %[[N2:.*]] = tensor.dim %[[M]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[E2:.*]] = tensor.empty(%[[N2]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[M]], %[[B]] : tensor<?x3xf32>, tensor<3xf32>) outs(%[[E2]] : tensor<?x3xf32>)
func.func @symbolic_batch(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = "janus.matmul"(%x, %w) : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = "janus.add"(%0, %b) : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// A batch of matrices with a symbolic batch: its leading dims fold into one dynamic row dim
// for one linalg.matmul, and the result is expanded back with the operand's own size.
// CHECK-LABEL: func.func @symbolic_batched_rows
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>, %[[W:.*]]: tensor<4x5xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x3x4xf32> into tensor<?x4xf32>
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[R]], %[[W]] : tensor<?x4xf32>, tensor<4x5xf32>) outs(%{{.*}} : tensor<?x5xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3x4xf32>
// CHECK: tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [%[[N]], 3, 5] : tensor<?x5xf32> into tensor<?x3x5xf32>
func.func @symbolic_batched_rows(%x: tensor<?x3x4xf32>, %w: tensor<4x5xf32>) -> tensor<?x3x5xf32> {
  %0 = "janus.matmul"(%x, %w) : (tensor<?x3x4xf32>, tensor<4x5xf32>) -> tensor<?x3x5xf32>
  return %0 : tensor<?x3x5xf32>
}

// -----

// janus ops inside the regions of scf.for and scf.if (the relaxed forms of loops and branches)
// are lowered in place; the control flow is left as it is.
// CHECK-LABEL: func.func @in_regions
// CHECK: scf.for {{.*}} iter_args(%[[H:.*]] = %{{.*}}) -> (tensor<3xf32>)
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[H]] : tensor<3xf32>)
// CHECK: math.tanh
// CHECK: scf.if %{{.*}} -> (tensor<3xf32>)
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: scf.yield
// CHECK-NOT: janus.
func.func @in_regions(%x: tensor<3xf32>, %n: index, %p: i1) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %0 = scf.for %i = %c0 to %n step %c1 iter_args(%h = %x) -> (tensor<3xf32>) {
    %t = "janus.tanh"(%h) : (tensor<3xf32>) -> tensor<3xf32>
    %r = scf.if %p -> (tensor<3xf32>) {
      %m = "janus.multiply"(%t, %t) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %m : tensor<3xf32>
    } else {
      scf.yield %t : tensor<3xf32>
    }
    scf.yield %r : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// A reduction over the static axis of a (?, 3) array is one plain generic; keepdims expands the
// result with the symbolic size as the output shape.
// CHECK-LABEL: func.func @symbolic_keepdims
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xf32> into tensor<?x1xf32>
func.func @symbolic_keepdims(%x: tensor<?x3xf32>) -> tensor<?x1xf32> {
  %0 = "janus.sum"(%x) {axes = array<i64: 1>, keepdims = true} : (tensor<?x3xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// Unsigned dtypes are `ui8` in janus types and compare with unsigned predicates; the lowered
// body is signless, and a public function keeps its `ui8` arguments, bitcast on entry.
// CHECK-LABEL: func.func @less_u8
// CHECK-SAME: (%[[X:.*]]: tensor<4xui8>, %[[Y:.*]]: tensor<4xui8>) -> tensor<4xi1>
// CHECK-DAG: %[[YS:.*]] = flow.tensor.bitcast %[[Y]] : tensor<4xui8> -> tensor<4xi8>
// CHECK-DAG: %[[XS:.*]] = flow.tensor.bitcast %[[X]] : tensor<4xui8> -> tensor<4xi8>
// CHECK: linalg.generic {{.*}} ins(%[[XS]], %[[YS]] : tensor<4xi8>, tensor<4xi8>)
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i8
func.func @less_u8(%x: tensor<4xui8>, %y: tensor<4xui8>) -> tensor<4xi1> {
  %0 = "janus.less"(%x, %y) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Unsigned floor division is arith.divui (x // 0 is 0); a `?` result is bitcast back to `ui8`
// with its size.
// CHECK-LABEL: func.func @floordiv_u8
// CHECK-SAME: -> tensor<?xui8>
// CHECK: arith.divui %{{.*}}, %{{.*}} : i8
// CHECK: %[[N:.*]] = tensor.dim %[[R:.*]], %{{.*}} : tensor<?xi8>
// CHECK: %[[U:.*]] = flow.tensor.bitcast %[[R]] : tensor<?xi8>{%[[N]]} -> tensor<?xui8>{%[[N]]}
// CHECK: return %[[U]] : tensor<?xui8>
func.func @floordiv_u8(%x: tensor<?xui8>, %y: tensor<?xui8>) -> tensor<?xui8> {
  %0 = "janus.floor_divide"(%x, %y) : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xui8>
  return %0 : tensor<?xui8>
}

// -----

// uint8 -> float32 is arith.uitofp (255 stays 255.0).
// CHECK-LABEL: func.func @u8_to_f32
// CHECK: arith.uitofp %{{.*}} : i8 to f32
func.func @u8_to_f32(%x: tensor<4xui8>) -> tensor<4xf32> {
  %0 = "janus.astype"(%x) {dtype = f32} : (tensor<4xui8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
