// RUN: janus-opt %s --split-input-file --janus-lower-state --verify-diagnostics
// janus-lower-state refuses what it cannot lower, with a diagnostic at the effect.

// An effect inside a region: its operands are not values of the function's body.
func.func @in_region(%c: i1, %x: tensor<2xf32>) -> tensor<2xf32> {
  scf.if %c {
    // expected-error @+1 {{'janus.effect' op inside a region cannot be lowered}}
    "janus.effect"(%x) {id = 0 : i64, kind = "print", target = "sys.stdout", where = "m.py:2"} : (tensor<2xf32>) -> ()
  }
  return %x : tensor<2xf32>
}

// -----

// An effect kind the write plan does not know.
func.func @bad_kind(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.effect' op}}
  "janus.effect"(%x) {id = 0 : i64, kind = "launch", target = "rocket", where = "m.py:2"} : (tensor<2xf32>) -> ()
  return %x : tensor<2xf32>
}
