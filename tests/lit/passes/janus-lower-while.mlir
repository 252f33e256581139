// RUN: janus-opt %s --split-input-file --janus-lower-while | FileCheck %s
// janus-lower-while: a function with an scf.while becomes blocks and branches (IREE 3.13
// miscompiles scf.while whose carried values depend on each other); others are left alone.

// CHECK-LABEL: func.func @counter
// CHECK-NOT: scf.while
// CHECK: cf.br ^[[HEAD:bb[0-9]+]](%{{.*}}, %{{.*}} : tensor<i64>, tensor<i64>)
// CHECK: ^[[HEAD]](%{{.*}}: tensor<i64>, %[[IT:.*]]: tensor<i64>):
// CHECK: cf.cond_br %{{.*}}, ^[[BODY:bb[0-9]+]](%{{.*}}, %[[IT]] : tensor<i64>, tensor<i64>), ^[[EXIT:bb[0-9]+]]
// CHECK: ^[[BODY]](%[[C:.*]]: tensor<i64>, %{{.*}}: tensor<i64>):
// CHECK: %[[C1:.*]] = "janus.add"(%[[C]], %{{.*}})
// CHECK: cf.br ^[[HEAD]](%[[C1]], %[[C]] : tensor<i64>, tensor<i64>)
// CHECK: ^[[EXIT]]:
// CHECK: return %[[IT]]
func.func @counter(%n: tensor<i64>) -> tensor<i64> {
  %z = arith.constant dense<0> : tensor<i64>
  %one = arith.constant dense<1> : tensor<i64>
  %r:2 = scf.while (%c = %z, %it = %z) : (tensor<i64>, tensor<i64>) -> (tensor<i64>, tensor<i64>) {
    %lt = "janus.less"(%c, %n) : (tensor<i64>, tensor<i64>) -> tensor<i1>
    %t = tensor.extract %lt[] : tensor<i1>
    scf.condition(%t) %c, %it : tensor<i64>, tensor<i64>
  } do {
  ^bb0(%c: tensor<i64>, %it: tensor<i64>):
    %c1 = "janus.add"(%c, %one) : (tensor<i64>, tensor<i64>) -> tensor<i64>
    scf.yield %c1, %c : tensor<i64>, tensor<i64>
  }
  return %r#1 : tensor<i64>
}

// -----

// CHECK-LABEL: func.func @no_while
// CHECK: scf.for
func.func @no_while(%x: tensor<3xf32>, %n: index) -> tensor<3xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%h = %x) -> (tensor<3xf32>) {
    %t = "janus.tanh"(%h) : (tensor<3xf32>) -> tensor<3xf32>
    scf.yield %t : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}
