// RUN: janus-opt %s --split-input-file --verify-diagnostics
// Every janus op check of the verifier, one broken op per case, each with the diagnostic it gives.

// A binary op with one operand.
func.func @operand_count(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.add' op expects 2 operand(s), got 1}}
  %0 = "janus.add"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A variadic-free op with no operands where one is needed.
func.func @operand_count_zero() -> tensor<f32> {
  %0 = "janus.exp"() : () -> tensor<f32> // expected-error {{'janus.exp' op expects 1 operand(s), got 0}}
  return %0 : tensor<f32>
}

// -----

// astype without its dtype attribute.
func.func @missing_attribute(%x: tensor<2xf32>) -> tensor<2xi32> {
  // expected-error @below {{'janus.astype' op requires attribute 'dtype'}}
  %0 = "janus.astype"(%x) : (tensor<2xf32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// An attribute of the wrong kind: dtype must be a type, not an integer.
func.func @wrong_attribute_kind(%x: tensor<2xf32>) -> tensor<2xi32> {
  %0 = "janus.astype"(%x) {dtype = 1 : i64} : (tensor<2xf32>) -> tensor<2xi32>
  // expected-error @above {{'janus.astype' op attribute 'dtype' must be dtype, got 1 : i64}}
  return %0 : tensor<2xi32>
}

// -----

// full's shape must be an i64 array, not an array attribute of integers.
func.func @wrong_array_kind() -> tensor<2xf32> {
  // expected-error @+1 {{'janus.full' op attribute 'shape' must be i64 array}}
  %0 = "janus.full"() {dtype = f32, shape = [2], value = 0.0 : f64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Shapes that do not broadcast (NumPy rules).
func.func @broadcast_mismatch(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'janus.add' op operand shapes (2, 3) and (4,) cannot be broadcast together}}
  %0 = "janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// matmul whose contraction dimensions differ.
func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'janus.matmul' op matmul contraction dimensions differ: (2, 3) and (4, 5) (3 != 4)}}
  %0 = "janus.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// matmul of a rank-0 operand.
func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'janus.matmul' op matmul operands must have at least one dimension}}
  %0 = "janus.matmul"(%a, %b) : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A declared result type that is not the one NumPy's promotion gives (f32 + i32 is f64).
func.func @result_type_mismatch(%x: tensor<2xf32>, %y: tensor<2xi32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.add' op result type(s) tensor<2xf32> do not match the inferred tensor<2xf64>}}
  %0 = "janus.add"(%x, %y) : (tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A declared result shape that is not the broadcast shape.
func.func @result_shape_mismatch(%x: tensor<2x1xf32>, %y: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'janus.multiply' op result type(s) tensor<2x1xf32> do not match the inferred tensor<2x3xf32>}}
  %0 = "janus.multiply"(%x, %y) : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// A ufunc NumPy does not define for the operand dtypes.
func.func @no_ufunc_loop(%x: tensor<2xi1>, %y: tensor<2xi1>) -> tensor<2xi1> {
  // expected-error @+1 {{'janus.subtract' op numpy.subtract is not defined for (bool, bool)}}
  %0 = "janus.subtract"(%x, %y) : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// where needs a boolean condition.
func.func @where_condition(%c: tensor<2xf32>, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.where' op condition must be a bool tensor, got tensor<2xf32>}}
  %0 = "janus.where"(%c, %x, %x) : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// janus values have static shapes, except for ops whose signature is symbolic (elementwise,
// where, astype, matmul, reductions, slice, transpose, expand_dims, squeeze, dim).
func.func @dynamic_shape(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'janus.reshape' op expected a static shape, got tensor<?x3xf32>}}
  %0 = "janus.reshape"(%x) {shape = array<i64: 6>} : (tensor<?x3xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A sum over a `?` dim (a count the graph computes) keeps static dims only: the lowering sizes
// every `?` from the first one.
func.func @symbolic_sum(%x: tensor<?x?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'janus.sum' op sum over a dim the graph computes, keeping a symbolic dim}}
  %0 = "janus.sum"(%x) {axes = array<i64: 0>, keepdims = false} : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A symbolic dim broadcasts with 1 or itself only: a static size might equal it at run time.
func.func @symbolic_broadcast(%x: tensor<?x3xf32>, %y: tensor<4x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{'janus.add' op}}
  %0 = "janus.add"(%x, %y) : (tensor<?x3xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// janus values are ranked tensors, not scalars.
func.func @scalar_operand(%x: f32) -> tensor<f32> {
  // expected-error @+1 {{'janus.exp' op expected a ranked tensor type, got f32}}
  %0 = "janus.exp"(%x) : (f32) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// An element type janus does not support.
func.func @element_type(%x: tensor<2xbf16>) -> tensor<2xbf16> {
  // expected-error @+1 {{'janus.exp' op element type bf16 is not supported by janus}}
  %0 = "janus.exp"(%x) : (tensor<2xbf16>) -> tensor<2xbf16>
  return %0 : tensor<2xbf16>
}

// -----

// full with a negative dimension.
func.func @negative_dimension() -> tensor<2xf32> {
  // expected-error @+1 {{'janus.full' op negative dimensions are not allowed: (-2,)}}
  %0 = "janus.full"() {dtype = f32, shape = array<i64: -2>, value = 0.0 : f64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A variadic op needs at least one operand.
func.func @variadic_empty() -> tensor<2xf32> {
  // expected-error @+1 {{'janus.concatenate' op expects at least 1 operand(s), got 0}}
  %0 = "janus.concatenate"() {axis = 0 : i64} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// reshape must keep the number of elements.
func.func @reshape_size(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'janus.reshape' op cannot reshape array of size 6 into shape (4, 2)}}
  %0 = "janus.reshape"(%x) {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// A reduction axis out of range.
func.func @reduction_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.sum' op axes (2,) out of range for an array of rank 2}}
  %0 = "janus.sum"(%x) {axes = array<i64: 2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// transpose needs a permutation.
func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'janus.transpose' op perm (0, 0) is not a permutation of the axes of rank 2}}
  %0 = "janus.transpose"(%x) {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// take needs integer indices.
func.func @take_float_indices(%x: tensor<2x3xf32>, %i: tensor<2xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'janus.take' op take indices must be integers, got tensor<2xf32>}}
  %0 = "janus.take"(%x, %i) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// An op the janus dialect does not have.
func.func @unknown_op(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{unknown operation 'janus.frobnicate'}}
  %0 = "janus.frobnicate"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A guard's predicate must be a rank-0 i1 tensor: not f32 ...
func.func @guard_float_predicate(%p: tensor<f32>) {
  // expected-error @+1 {{'janus.guard' op predicate must be a rank-0 i1 tensor, got tensor<f32>}}
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:1"} : (tensor<f32>) -> ()
  return
}

// -----

// ... and not a vector of i1.
func.func @guard_vector_predicate(%p: tensor<2xi1>) {
  // expected-error @+1 {{'janus.guard' op predicate must be a rank-0 i1 tensor, got tensor<2xi1>}}
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:1"} : (tensor<2xi1>) -> ()
  return
}

// -----

// A guard names its assumption: all of id, kind, where and message are required.
func.func @guard_attributes(%p: tensor<i1>) {
  // expected-error @+2 {{'janus.guard' op requires attribute 'where'}}
  // expected-error @+1 {{'janus.guard' op attribute 'id' must be i64, got "zero"}}
  "janus.guard"(%p) {id = "zero", kind = "branch", message = "m"} : (tensor<i1>) -> ()
  return
}

// -----

// MLIR's own verifier still runs: a return that does not match the function type.
func.func @mlir_verifier(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{type of return operand 0 ('tensor<2xf32>') doesn't match function result type ('tensor<3xf32>')}}
  return %x : tensor<2xf32>
}

// -----

// Parse errors are reported at their line too.
func.func @parse_error() {
  // expected-error @+1 {{use of undeclared SSA value name}}
  "janus.exp"(%undefined) : (tensor<f32>) -> tensor<f32>
  return
}

// -----

// full's value must convert to its dtype as np.array(value, dtype) does: NaN into an integer ...
func.func @full_nan_into_int() -> tensor<3xi32> {
  // expected-error @+1 {{'janus.full' op attribute 'value' = nan is not a value of dtype int32: cannot convert float NaN to integer}}
  %0 = "janus.full"() {dtype = i32, shape = array<i64: 3>, value = 0x7FF8000000000000 : f64} : () -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// ... nor infinity ...
func.func @full_inf_into_int() -> tensor<3xi64> {
  // expected-error @+1 {{'janus.full' op attribute 'value' = -inf is not a value of dtype int64: cannot convert float infinity to integer}}
  %0 = "janus.full"() {dtype = i64, shape = array<i64: 3>, value = 0xFFF0000000000000 : f64} : () -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// ... nor an integer outside the dtype's range ...
func.func @full_int_out_of_range() -> tensor<3xi8> {
  // expected-error @+1 {{'janus.full' op attribute 'value' = 128 is not a value of dtype int8: Python integer 128 out of bounds for int8}}
  %0 = "janus.full"() {dtype = i8, shape = array<i64: 3>, value = 128 : i64} : () -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

// ... nor a float whose integer part is outside it.
func.func @full_float_out_of_range() -> tensor<3xi32> {
  // expected-error @+1 {{'janus.full' op attribute 'value' = 1e+20 is not a value of dtype int32: Python integer 100000000000000000000 out of bounds for int32}}
  %0 = "janus.full"() {dtype = i32, shape = array<i64: 3>, value = 1.0e20 : f64} : () -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// arange's start and step are values of its dtype too.
func.func @arange_nan_step() -> tensor<4xi16> {
  // expected-error @+1 {{'janus.arange' op attribute 'step' = nan is not a value of dtype int16}}
  %0 = "janus.arange"() {dtype = i16, shape = array<i64: 4>, start = 0 : i64, step = 0x7FF8000000000000 : f64} : () -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

// A guard's kind is one of the closed set GUARD_KINDS.
func.func @guard_unknown_kind(%p: tensor<i1>) {
  // expected-error @+1 {{'janus.guard' op attribute 'kind' must be one of 'branch', 'trip_count', 'value', 'shape', 'type', 'callee', 'bounds', 'error', got "hunch"}}
  "janus.guard"(%p) {id = 0 : i64, kind = "hunch", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  return
}

// -----

// No janus op has regions: the lowering would drop one, so the verifier rejects it ...
func.func @region_on_compute_op(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.exp' op expects 0 region(s), got 1}}
  %0 = "janus.exp"(%x) ({
    "x.body"() : () -> ()
  }) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// ... even an empty one, on a guard too.
func.func @region_on_guard(%p: tensor<i1>) {
  // expected-error @+1 {{'janus.guard' op expects 0 region(s), got 1}}
  "janus.guard"(%p) ({
  }) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  return
}

// -----

// janus ops have no successors (and a janus op with one ends its block) ...
func.func @successor(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{'janus.exp' op expects no successors, got 1}}
  // expected-error @+1 {{'janus.exp' op ends its block, but janus ops are not terminators}}
  %0 = "janus.exp"(%x)[^next] : (tensor<2xf32>) -> tensor<2xf32>
^next:
  return %0 : tensor<2xf32>
}

// -----

// ... no properties ...
func.func @properties(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.exp' op expects no properties (`<{...}>`)}}
  %0 = "janus.exp"(%x) <{fast = true}> : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// ... and no attributes they do not declare (a misspelt optional one would be ignored).
func.func @undeclared_attribute(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'janus.sum' op has no attribute 'keepdim' (attributes: 'axes', 'keepdims')}}
  %0 = "janus.sum"(%x) {axes = array<i64: 1>, keepdim = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// janus ops are not terminators: a block that ends in one has none.
func.func @janus_op_ends_block(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'janus.exp' op ends its block, but janus ops are not terminators}}
  %0 = "janus.exp"(%x) : (tensor<2xf32>) -> tensor<2xf32>
}

// -----

// value_and_grad results: the yielded values, then one gradient per operand.
func.func @value_and_grad_results(%x: tensor<2xf32>) -> tensor<f32> {
  // expected-error @below {{'janus.value_and_grad' op expects results: the yielded values, then one gradient per operand}}
  %v = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    %s = "janus.sum"(%a) {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<f32>
    "janus.yield"(%s) : (tensor<f32>) -> ()
  }) {aux = 0} : (tensor<2xf32>) -> tensor<f32>
  return %v : tensor<f32>
}

// -----

// Only a rank-0 float value can be differentiated.
func.func @value_and_grad_of_a_vector(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  // expected-error @below {{'janus.value_and_grad' op expects a rank-0 float value to differentiate, got tensor<2xf32>}}
  %v, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<2xf32>):
    "janus.yield"(%a) : (tensor<2xf32>) -> ()
  }) {aux = 0} : (tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %v, %g : tensor<2xf32>, tensor<2xf32>
}

// -----

// janus.yield only ends a value_and_grad region.
func.func @stray_yield(%x: tensor<f32>) {
  // expected-error @below {{'janus.yield' op expects to end the region of 'janus.value_and_grad'}}
  "janus.yield"(%x) : (tensor<f32>) -> ()
  return
}

// -----

// An op whose lowering is not unsigned-exact refuses unsigned operands.
func.func @unique_of_uint8(%x: tensor<4xui8>) -> tensor<?xui8> {
  // expected-error @below {{'janus.unique' op janus.unique on unsigned integers is not converted by janus}}
  %y = "janus.unique"(%x) : (tensor<4xui8>) -> tensor<?xui8>
  return %y : tensor<?xui8>
}

// -----

// An effect of a kind outside EFFECT_KINDS.
func.func @effect_kind(%x: tensor<2xf32>) {
  // expected-error @+1 {{'janus.effect' op attribute 'kind' must be one of}}
  "janus.effect"(%x) {id = 0 : i64, kind = "launch", target = "rocket", where = "m.py:2"} : (tensor<2xf32>) -> ()
  return
}
