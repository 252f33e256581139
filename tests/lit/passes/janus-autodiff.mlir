// RUN: janus-opt %s --split-input-file --janus-autodiff | FileCheck %s
// janus-autodiff: a janus.value_and_grad becomes its region's ops (the forward pass) followed
// by the ops of each op's derivative rule in reverse order (the backward pass).

// sum(tanh(x @ w)) with respect to w: the seed is broadcast back over the sum, tanh's rule
// multiplies by 1 - tanh^2, matmul's gives x^T @ g.
// CHECK-LABEL: func.func @mlp
// CHECK-NOT: janus.value_and_grad
// CHECK: %[[H:.*]] = "janus.matmul"(%arg1, %arg0)
// CHECK: %[[T:.*]] = "janus.tanh"(%[[H]])
// CHECK: %[[S:.*]] = "janus.sum"(%[[T]])
// CHECK: %[[ONE:.*]] = "janus.full"() {dtype = f32, shape = array<i64>, value = 1 : i64}
// CHECK: %[[SQ:.*]] = "janus.multiply"(%[[T]], %[[T]])
// CHECK: %[[D:.*]] = "janus.subtract"(%{{.*}}, %[[SQ]])
// CHECK: %[[G:.*]] = "janus.multiply"(%{{.*}}, %[[D]])
// CHECK: %[[XT:.*]] = "janus.transpose"(%arg1) {perm = array<i64: 1, 0>}
// CHECK: %[[GW:.*]] = "janus.matmul"(%[[XT]], %[[G]]) : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK: return %[[S]], %[[GW]]
func.func @mlp(%w: tensor<3x4xf32>, %x: tensor<2x3xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g = "janus.value_and_grad"(%w) ({
  ^bb0(%a: tensor<3x4xf32>):
    %h = "janus.matmul"(%x, %a) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %t = "janus.tanh"(%h) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %s = "janus.sum"(%t) {axes = array<i64: 0, 1>} : (tensor<2x4xf32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g : tensor<f32>, tensor<3x4xf32>
}

// -----

// A value used twice gets the sum of both cotangents; an operand the value does not depend
// on gets zeros; an aux value is passed through.
// CHECK-LABEL: func.func @fanout
// CHECK: %[[P:.*]] = "janus.multiply"(%arg0, %arg0)
// CHECK: %[[S:.*]] = "janus.sum"(%[[P]])
// CHECK: %[[A:.*]] = "janus.multiply"(%{{.*}}, %arg0)
// CHECK: %[[B:.*]] = "janus.multiply"(%{{.*}}, %arg0)
// CHECK: %[[GX:.*]] = "janus.add"(%[[A]], %[[B]])
// CHECK: %[[Z:.*]] = "janus.full"() {dtype = f64, shape = array<i64: 2>, value = 0 : i64}
// CHECK: return %[[S]], %[[P]], %[[GX]], %[[Z]]
func.func @fanout(%x: tensor<3xf32>, %y: tensor<2xf64>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf64>) {
  %v, %aux, %gx, %gy = "janus.value_and_grad"(%x, %y) ({
  ^bb0(%a: tensor<3xf32>, %b: tensor<2xf64>):
    %p = "janus.multiply"(%a, %a) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %s = "janus.sum"(%p) {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
    "janus.yield"(%s, %p) : (tensor<f32>, tensor<3xf32>) -> ()
  }) {aux = 1} : (tensor<3xf32>, tensor<2xf64>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf64>)
  return %v, %aux, %gx, %gy : tensor<f32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf64>
}

// -----

// Nested: the inner gradient is expanded first, then differentiated like any ops
// (d/dx of d/dx sum(exp(x)) = exp(x)).
// CHECK-LABEL: func.func @nested
// CHECK-NOT: janus.value_and_grad
// CHECK: "janus.exp"
// CHECK: return
func.func @nested(%x: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  %v, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %iv, %ig = "janus.value_and_grad"(%a) ({
    ^bb0(%b: tensor<2xf32>):
      %e = "janus.exp"(%b) : (tensor<2xf32>) -> tensor<2xf32>
      %s = "janus.sum"(%e) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
      "janus.yield"(%s) : (tensor<f32>) -> ()
    }) {aux = 0} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
    %t = "janus.sum"(%ig) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "janus.yield"(%t) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %v, %g : tensor<f32>, tensor<2xf32>
}

// -----

// scf.if: an scf.if on the same condition whose sides recompute the forward side and run it
// backwards, yielding the cotangent of what the branch read.
// CHECK-LABEL: func.func @branch
// CHECK: %[[R:.*]] = scf.if %arg1 -> (tensor<3xf32>)
// CHECK: %[[G:.*]] = scf.if %arg1 -> (tensor<3xf32>) {
// CHECK-NEXT: %[[T:.*]] = "janus.tanh"(%arg0)
// CHECK: "janus.multiply"(%[[T]], %[[T]])
// CHECK: } else {
// CHECK-NEXT: "janus.multiply"(%arg0, %arg0)
// CHECK: "janus.add"
// CHECK: return %{{.*}}, %[[G]]
func.func @branch(%x: tensor<3xf32>, %c: i1) -> (tensor<f32>, tensor<3xf32>) {
  %v, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<3xf32>):
    %r = scf.if %c -> (tensor<3xf32>) {
      %t = "janus.tanh"(%a) : (tensor<3xf32>) -> tensor<3xf32>
      scf.yield %t : tensor<3xf32>
    } else {
      %m = "janus.multiply"(%a, %a) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      scf.yield %m : tensor<3xf32>
    }
    %s = "janus.sum"(%r) {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %v, %g : tensor<f32>, tensor<3xf32>
}

// -----

// scf.for with a run-time trip count: the loop records the value carried into each trip in a
// stack of the trip count's length; a reverse loop recomputes each trip from it and runs it
// backwards (sin's rule: g * cos(h)).
// CHECK-LABEL: func.func @loop
// CHECK: %[[N:.*]] = arith.maxsi
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<?x1x2xf32>
// CHECK: %[[FWD:.*]]:2 = scf.for %{{.*}} iter_args(%[[H:.*]] = %arg0, %[[ST:.*]] = %[[EMPTY]])
// CHECK: tensor.insert_slice %[[H]] into %[[ST]]
// CHECK: "janus.sin"(%[[H]])
// CHECK: %[[BACK:.*]] = scf.for %{{.*}} = %{{.*}} to %[[N]]
// CHECK: %[[HJ:.*]] = tensor.extract_slice %[[FWD]]#1
// CHECK: %[[COS:.*]] = "janus.cos"(%[[HJ]])
// CHECK: "janus.multiply"(%{{.*}}, %[[COS]])
// CHECK: return %{{.*}}, %[[BACK]]
func.func @loop(%x: tensor<2xf32>, %n: index) -> (tensor<f32>, tensor<2xf32>) {
  %v, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %a) -> (tensor<2xf32>) {
      %t = "janus.sin"(%h) : (tensor<2xf32>) -> tensor<2xf32>
      scf.yield %t : tensor<2xf32>
    }
    %s = "janus.sum"(%r) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %v, %g : tensor<f32>, tensor<2xf32>
}

// -----

// scf.while: a counting copy of the loop (its trip count), a recording scf.for over that many
// trips, then the reverse loop.
// CHECK-LABEL: func.func @until
// CHECK: %[[W:.*]]:2 = scf.while
// CHECK: scf.condition
// CHECK: arith.addi
// CHECK: %[[V:.*]] = "janus.sum"(%[[W]]#0)
// CHECK: %[[REC:.*]]:2 = scf.for %{{.*}} to %[[W]]#1
// CHECK: tensor.insert_slice
// CHECK: %[[BACK:.*]] = scf.for %{{.*}} to %[[W]]#1
// CHECK: tensor.extract_slice %[[REC]]#1
// CHECK: return %[[V]], %[[BACK]]
func.func @until(%x: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  %v, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %r = scf.while (%h = %a) : (tensor<2xf32>) -> tensor<2xf32> {
      %s = "janus.sum"(%h) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
      %z = "janus.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
      %gt = "janus.greater"(%s, %z) : (tensor<f32>, tensor<f32>) -> tensor<i1>
      %b = tensor.extract %gt[] : tensor<i1>
      scf.condition(%b) %h : tensor<2xf32>
    } do {
    ^bb0(%h: tensor<2xf32>):
      %t = "janus.tanh"(%h) : (tensor<2xf32>) -> tensor<2xf32>
      scf.yield %t : tensor<2xf32>
    }
    %s = "janus.sum"(%r) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %v, %g : tensor<f32>, tensor<2xf32>
}

// -----

// Slices at run-time offsets (how rows of a memo are written and read): an extract_slice
// sends its cotangent into that slice of zeros; an insert_slice gives its source the slice of
// the cotangent and its destination the cotangent with the slice zeroed (overwritten).
// CHECK-LABEL: func.func @slices
// CHECK: %[[ZERO:.*]] = "janus.full"() {dtype = f32, shape = array<i64: 4, 3>, value = 0 : i64}
// CHECK: %[[ROW:.*]] = tensor.insert_slice %{{.*}} into %[[ZERO]][%arg2, 0] [1, 3] [1, 1]
// CHECK: %[[GW:.*]] = "janus.add"(%{{.*}}, %[[ROW]])
// CHECK: %[[GR:.*]] = tensor.extract_slice %[[GW]][%arg2, 0] [1, 3] [1, 1]
// CHECK: %[[Z3:.*]] = "janus.full"() {dtype = f32, shape = array<i64: 3>, value = 0 : i64}
// CHECK: %[[GM:.*]] = tensor.insert_slice %[[Z3]] into %[[GW]][%arg2, 0] [1, 3] [1, 1]
// CHECK: return %{{.*}}, %[[GM]], %[[GR]]
func.func @slices(%m: tensor<4x3xf32>, %r: tensor<3xf32>, %i: index) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>) {
  %v, %gm, %gr = "janus.value_and_grad"(%m, %r) ({
  ^bb0(%a: tensor<4x3xf32>, %b: tensor<3xf32>):
    %w = tensor.insert_slice %b into %a[%i, 0] [1, 3] [1, 1] : tensor<3xf32> into tensor<4x3xf32>
    %row = tensor.extract_slice %w[%i, 0] [1, 3] [1, 1] : tensor<4x3xf32> to tensor<3xf32>
    %e = "janus.exp"(%row) : (tensor<3xf32>) -> tensor<3xf32>
    %s1 = "janus.sum"(%e) {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
    %s2 = "janus.sum"(%w) {axes = array<i64: 0, 1>} : (tensor<4x3xf32>) -> tensor<f32>
    %s = "janus.add"(%s1, %s2) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<4x3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>)
  return %v, %gm, %gr : tensor<f32>, tensor<4x3xf32>, tensor<3xf32>
}

// -----

// A symbolic batch: mean(x @ w) over a batch of any size. The mean's count is read when the
// graph runs (janus.dim), the seed spreads over the batch by a where on the forward value,
// and w's cotangent contracts over the batch: x^T (3x?) @ g (?x4).
// CHECK-LABEL: func.func @symbolic_batch
// CHECK: %[[H:.*]] = "janus.matmul"(%arg1, %arg0) : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
// CHECK: "janus.dim"(%[[H]]) {axis = 0 : i64} : (tensor<?x4xf32>) -> tensor<i64>
// CHECK: "janus.where"({{.*}}) : (tensor<i1>, tensor<1x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[XT:.*]] = "janus.transpose"(%arg1) {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>
// CHECK: "janus.matmul"(%[[XT]], %{{.*}}) : (tensor<3x?xf32>, tensor<?x4xf32>) -> tensor<3x4xf32>
func.func @symbolic_batch(%w: tensor<3x4xf32>, %x: tensor<?x3xf32>) -> (tensor<f32>, tensor<3x4xf32>) {
  %v, %g = "janus.value_and_grad"(%w) ({
  ^bb0(%a: tensor<3x4xf32>):
    %h = "janus.matmul"(%x, %a) : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
    %m = "janus.mean"(%h) {axes = array<i64: 0, 1>} : (tensor<?x4xf32>) -> tensor<f32>
    "janus.yield"(%m) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<3x4xf32>) -> (tensor<f32>, tensor<3x4xf32>)
  return %v, %g : tensor<f32>, tensor<3x4xf32>
}
