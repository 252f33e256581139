// RUN: janus-opt %s --convert-janus-to-linalg -o %t
// RUN: FileCheck %s < %t
// RUN: janus-opt < %s --allow-unregistered-dialect --cse | FileCheck %s --check-prefix=STDIN
// RUN: janus-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// -o writes the output to a file; the input can come from stdin; --allow-unregistered-dialect
// is accepted (janus IR always allows it); --mlir-print-op-generic prints the generic form.

// CHECK-LABEL: func.func @f
// CHECK: math.sqrt
// STDIN: "janus.sqrt"
// GENERIC: "func.func"() <{function_type = (tensor<3xf32>) -> tensor<3xf32>, sym_name = "f"}>
// GENERIC: "func.return"
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "janus.sqrt"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
