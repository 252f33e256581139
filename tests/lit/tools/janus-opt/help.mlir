// RUN: janus-opt --help | FileCheck %s
// Intent: --help lists every registered pass, the named pipeline and the upstream pass flags.

// CHECK: usage: janus-opt
// CHECK: janus passes:
// CHECK: --convert-janus-to-linalg
// CHECK-SAME: Lower janus compute ops
// CHECK: --janus-lower-guards
// CHECK-SAME: Lower janus.guard to cf.assert
// CHECK: pass pipelines:
// CHECK: --janus-to-iree-input
// CHECK: upstream MLIR passes:
// CHECK: --canonicalize
// CHECK: --cse
