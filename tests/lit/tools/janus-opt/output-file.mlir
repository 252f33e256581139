// RUN: janus-opt %s --convert-janus-to-linalg -o %t
// RUN: FileCheck %s < %t
// RUN: janus-opt < %s --allow-unregistered-dialect --cse | FileCheck %s --check-prefix=STDIN
// RUN: janus-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: not janus-opt %s -o %t.missing/out.mlir 2>&1 | FileCheck %s --check-prefix=UNWRITABLE -DOUT=%t.missing/out.mlir
// RUN: not janus-opt %s -o %S 2>&1 | FileCheck %s --check-prefix=DIRECTORY -DOUT=%S
// -o writes the output to a file; the input can come from stdin; --allow-unregistered-dialect
// is accepted (janus IR always allows it); --mlir-print-op-generic prints the generic form.
// An output file that cannot be written is one error line naming it and why, and exit status 1.

// CHECK-LABEL: func.func @f
// CHECK: math.sqrt
// STDIN: "janus.sqrt"
// GENERIC: "func.func"() <{function_type = (tensor<3xf32>) -> tensor<3xf32>, sym_name = "f"}>
// GENERIC: "func.return"
// UNWRITABLE: janus-opt: error: cannot write output file '[[OUT]]': No such file or directory
// UNWRITABLE-NOT: Traceback
// DIRECTORY: janus-opt: error: cannot write output file '[[OUT]]': Is a directory
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = "janus.sqrt"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
