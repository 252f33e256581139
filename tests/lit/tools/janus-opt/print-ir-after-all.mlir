// RUN: janus-opt %s --janus-to-iree-input --mlir-print-ir-after-all -o %t 2>&1 | FileCheck %s
// RUN: FileCheck %s --check-prefix=OUT < %t
// --mlir-print-ir-after-all prints the module to stderr after each pass of the pipeline, in
// order; the final module still goes to the output.

// CHECK: // -----// IR Dump After janus-lower-guards //----- //
// CHECK: cf.assert
// CHECK: "janus.exp"
// CHECK: // -----// IR Dump After convert-janus-to-linalg //----- //
// CHECK-NOT: "janus.exp"
// CHECK: math.exp
// CHECK: // -----// IR Dump After canonicalize //----- //
// CHECK: // -----// IR Dump After cse //----- //
// CHECK-NOT: IR Dump

// OUT-LABEL: func.func @f
// OUT: cf.assert
// OUT: math.exp
func.func @f(%x: tensor<4xf32>, %p: tensor<i1>) -> tensor<4xf32> {
  "janus.guard"(%p) {id = 0 : i64, kind = "value", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  %0 = "janus.exp"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
