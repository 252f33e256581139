// Expectations that do not hold (used by ../verify-diagnostics.mlir); line numbers matter.
// -----
func.func @wrong_text(%x: tensor<2xf32>) -> tensor<2xf32> {
  // an expectation whose text is not the produced message, so the
  // produced one is unexpected and the expected one missing
  // expected-error @+1 {{expects 3 operand(s)}}
  %0 = "janus.add"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @nothing_wrong(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "janus.exp"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  // expected-error {{never produced}}
  return %0 : tensor<2xf32>
}
