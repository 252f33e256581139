// RUN: janus-opt %s --split-input-file --janus-lower-state | FileCheck %s
// RUN: janus-opt %s --split-input-file --janus-lower-state --janus-to-iree-input | FileCheck %s --check-prefix=IREE
// janus-lower-state: each janus.effect's operands become results of the function, after the
// results it had, and the module's janus.write_plan lists per effect its id, kind, target and
// result numbers (what the runtime commits once the graph has succeeded).

// An in-place write to an argument, then a print of two values, after the return value.
// CHECK: module attributes {janus.write_plan = [{id = 0 : i64, kind = "write", results = [1], target = "x"}, {id = 1 : i64, kind = "print", results = [2, 3], target = "sys.stdout"}]}
// CHECK-LABEL: func.func @write_and_print
// CHECK-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<3xf32>)
// CHECK: %[[NEW:.*]] = "janus.add"
// CHECK: %[[S:.*]] = "janus.sum"
// CHECK-NOT: janus.effect
// CHECK: return %[[Y:.*]], %[[NEW]], %[[S]], %[[NEW]] : tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<3xf32>
// IREE-LABEL: func.func @write_and_print
// IREE-NOT: janus.
// IREE: return
func.func @write_and_print(%x: tensor<3xf32>, %one: tensor<3xf32>) -> tensor<3xf32> {
  %new = "janus.add"(%x, %one) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %s = "janus.sum"(%new) {axes = array<i64: 0>, keepdims = false} : (tensor<3xf32>) -> tensor<f32>
  %y = "janus.multiply"(%new, %new) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  "janus.effect"(%new) {id = 0 : i64, kind = "write", target = "x", where = "m.py:3"} : (tensor<3xf32>) -> ()
  "janus.effect"(%s, %new) {id = 1 : i64, kind = "print", target = "sys.stdout", where = "m.py:4"} : (tensor<f32>, tensor<3xf32>) -> ()
  return %y : tensor<3xf32>
}

// -----

// An effect with nothing from the graph (`self.step = 1`, print("done")) gets no result.
// CHECK: janus.write_plan = [{id = 0 : i64, kind = "setattr", results = [], target = "self.step"}]
// CHECK-LABEL: func.func @static_effect
// CHECK-SAME: -> tensor<2xf32>
// CHECK-NEXT: return %arg0 : tensor<2xf32>
func.func @static_effect(%x: tensor<2xf32>) -> tensor<2xf32> {
  "janus.effect"() {id = 0 : i64, kind = "setattr", target = "self.step", where = "m.py:9"} : () -> ()
  return %x : tensor<2xf32>
}

// -----

// No effects: the module is unchanged and gets no plan.
// CHECK-NOT: janus.write_plan
// CHECK-LABEL: func.func @pure
func.func @pure(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
