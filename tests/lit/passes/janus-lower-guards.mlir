// RUN: janus-opt %s --split-input-file --janus-lower-guards | FileCheck %s
// RUN: janus-opt %s --split-input-file --janus-lower-guards --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// janus-lower-guards: each janus.guard becomes tensor.extract + cf.assert whose message is
// `janus.guard` and the guard's attributes as JSON (what the runtime decodes on failure).

// One guard: the predicate is read out of its rank-0 tensor and asserted; the compute ops stay.
// CHECK-LABEL: func.func @one_guard
// CHECK: %[[P:.*]] = "janus.greater"
// CHECK-NEXT: %[[FLAG:.*]] = tensor.extract %[[P]][] : tensor<i1>
// CHECK-NEXT: cf.assert %[[FLAG]], "janus.guard{\22id\22:3,\22kind\22:\22branch\22,\22where\22:\22model.py:12\22,\22message\22:\22x > 0 was true\22}"
// CHECK-NOT: janus.guard"
// CHECK: "janus.exp"
func.func @one_guard(%x: tensor<f32>, %zero: tensor<f32>) -> tensor<f32> {
  %p = "janus.greater"(%x, %zero) : (tensor<f32>, tensor<f32>) -> tensor<i1>
  "janus.guard"(%p) {id = 3 : i64, kind = "branch", message = "x > 0 was true", where = "model.py:12"} : (tensor<i1>) -> ()
  %y = "janus.exp"(%x) : (tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}

// -----

// Several guards keep their order and ids; quotes in a message are JSON-escaped.
// CHECK-LABEL: func.func @two_guards
// CHECK: cf.assert %{{.*}}, "janus.guard{\22id\22:0,\22kind\22:\22shape\22
// CHECK: cf.assert %{{.*}}, "janus.guard{\22id\22:1,\22kind\22:\22value\22,\22where\22:\22m.py:7\22,\22message\22:\22mode == \\\22train\\\22\22}"
func.func @two_guards(%a: tensor<i1>, %b: tensor<i1>) {
  "janus.guard"(%a) {id = 0 : i64, kind = "shape", message = "x.shape == (2, 3)", where = "m.py:5"} : (tensor<i1>) -> ()
  "janus.guard"(%b) {id = 1 : i64, kind = "value", message = "mode == \"train\"", where = "m.py:7"} : (tensor<i1>) -> ()
  return
}

// -----

// Guards nested in regions (here an scf.if branch) are lowered too.
// CHECK-LABEL: func.func @nested_guard
// CHECK: scf.if
// CHECK: tensor.extract
// CHECK-NEXT: cf.assert %{{.*}}, "janus.guard{\22id\22:5,\22kind\22:\22trip_count\22
// CHECK: } else {
func.func @nested_guard(%c: i1, %p: tensor<i1>) {
  scf.if %c {
    "janus.guard"(%p) {id = 5 : i64, kind = "trip_count", message = "loop ran 3 times", where = "m.py:9"} : (tensor<i1>) -> ()
  } else {
  }
  return
}

// -----

// The assert keeps the guard's location (the user's file:line).
// LOC-LABEL: func.func @location
// LOC: cf.assert %{{.*}}, "janus.guard{{.*}}" loc(#[[GUARD:loc[0-9]*]])
// LOC: #[[GUARD]] = loc("model.py":42:8)
func.func @location(%p: tensor<i1>) {
  "janus.guard"(%p) {id = 0 : i64, kind = "value", message = "n == 4", where = "model.py:42"} : (tensor<i1>) -> () loc("model.py":42:8)
  return
}
