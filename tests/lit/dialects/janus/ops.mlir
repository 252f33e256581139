// RUN: janus-opt %s --split-input-file | janus-opt --split-input-file | FileCheck %s
// Round trip of every janus op: parse, verify, print, parse the printed form again, print.

// Binary arithmetic ufuncs broadcast (2x3 with 3) and keep f32.
// CHECK-LABEL: func.func @arithmetic
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<3xf32>
// CHECK: %[[ADD:.+]] = "janus.add"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SUBTRACT:.+]] = "janus.subtract"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[MULTIPLY:.+]] = "janus.multiply"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[DIVIDE:.+]] = "janus.divide"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[POWER:.+]] = "janus.power"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[MAXIMUM:.+]] = "janus.maximum"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[MINIMUM:.+]] = "janus.minimum"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[FMAX:.+]] = "janus.fmax"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[FMIN:.+]] = "janus.fmin"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[ARCTAN2:.+]] = "janus.arctan2"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[COPYSIGN:.+]] = "janus.copysign"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @arithmetic(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %add = "janus.add"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %subtract = "janus.subtract"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %multiply = "janus.multiply"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %divide = "janus.divide"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %power = "janus.power"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %maximum = "janus.maximum"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %minimum = "janus.minimum"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %fmax = "janus.fmax"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %fmin = "janus.fmin"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %arctan2 = "janus.arctan2"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %copysign = "janus.copysign"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %copysign : tensor<2x3xf32>
}

// -----

// floor_divide and remainder on integers keep the integer dtype.
// CHECK-LABEL: func.func @integer_division
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xi32>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<3xi32>
// CHECK: %[[FLOOR_DIVIDE:.+]] = "janus.floor_divide"(%[[X]], %[[Y]]) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: %[[REMAINDER:.+]] = "janus.remainder"(%[[X]], %[[Y]]) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
func.func @integer_division(%x: tensor<2x3xi32>, %y: tensor<3xi32>) -> tensor<2x3xi32> {
  %floor_divide = "janus.floor_divide"(%x, %y) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %remainder = "janus.remainder"(%x, %y) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  return %remainder : tensor<2x3xi32>
}

// -----

// Comparisons of mixed dtypes (f32 with i32) return i1.
// CHECK-LABEL: func.func @comparisons
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<i32>
// CHECK: %[[EQUAL:.+]] = "janus.equal"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
// CHECK: %[[NOT_EQUAL:.+]] = "janus.not_equal"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
// CHECK: %[[LESS:.+]] = "janus.less"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
// CHECK: %[[LESS_EQUAL:.+]] = "janus.less_equal"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
// CHECK: %[[GREATER:.+]] = "janus.greater"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
// CHECK: %[[GREATER_EQUAL:.+]] = "janus.greater_equal"(%[[X]], %[[Y]]) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
func.func @comparisons(%x: tensor<2x3xf32>, %y: tensor<i32>) -> tensor<2x3xi1> {
  %equal = "janus.equal"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  %not_equal = "janus.not_equal"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  %less = "janus.less"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  %less_equal = "janus.less_equal"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  %greater = "janus.greater"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  %greater_equal = "janus.greater_equal"(%x, %y) : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xi1>
  return %greater_equal : tensor<2x3xi1>
}

// -----

// Logical ufuncs on booleans return i1.
// CHECK-LABEL: func.func @logical
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xi1>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<i1>
// CHECK: %[[LOGICAL_AND:.+]] = "janus.logical_and"(%[[X]], %[[Y]]) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
// CHECK: %[[LOGICAL_OR:.+]] = "janus.logical_or"(%[[X]], %[[Y]]) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
// CHECK: %[[LOGICAL_XOR:.+]] = "janus.logical_xor"(%[[X]], %[[Y]]) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
func.func @logical(%x: tensor<2x3xi1>, %y: tensor<i1>) -> tensor<2x3xi1> {
  %logical_and = "janus.logical_and"(%x, %y) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
  %logical_or = "janus.logical_or"(%x, %y) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
  %logical_xor = "janus.logical_xor"(%x, %y) : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
  return %logical_xor : tensor<2x3xi1>
}

// -----

// Bitwise ufuncs on i64 and i32 promote to i64.
// CHECK-LABEL: func.func @bitwise
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xi64>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<4xi32>
// CHECK: %[[BITWISE_AND:.+]] = "janus.bitwise_and"(%[[X]], %[[Y]]) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
// CHECK: %[[BITWISE_OR:.+]] = "janus.bitwise_or"(%[[X]], %[[Y]]) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
// CHECK: %[[BITWISE_XOR:.+]] = "janus.bitwise_xor"(%[[X]], %[[Y]]) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
func.func @bitwise(%x: tensor<4xi64>, %y: tensor<4xi32>) -> tensor<4xi64> {
  %bitwise_and = "janus.bitwise_and"(%x, %y) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
  %bitwise_or = "janus.bitwise_or"(%x, %y) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
  %bitwise_xor = "janus.bitwise_xor"(%x, %y) : (tensor<4xi64>, tensor<4xi32>) -> tensor<4xi64>
  return %bitwise_xor : tensor<4xi64>
}

// -----

// Unary float ufuncs keep shape and dtype.
// CHECK-LABEL: func.func @unary_math
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[NEGATIVE:.+]] = "janus.negative"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[POSITIVE:.+]] = "janus.positive"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[ABSOLUTE:.+]] = "janus.absolute"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SIGN:.+]] = "janus.sign"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SQUARE:.+]] = "janus.square"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[RECIPROCAL:.+]] = "janus.reciprocal"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SQRT:.+]] = "janus.sqrt"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[EXP:.+]] = "janus.exp"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[EXP2:.+]] = "janus.exp2"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[EXPM1:.+]] = "janus.expm1"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[LOG:.+]] = "janus.log"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[LOG2:.+]] = "janus.log2"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[LOG10:.+]] = "janus.log10"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[LOG1P:.+]] = "janus.log1p"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SIN:.+]] = "janus.sin"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[COS:.+]] = "janus.cos"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[TAN:.+]] = "janus.tan"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[ARCSIN:.+]] = "janus.arcsin"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[ARCCOS:.+]] = "janus.arccos"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[ARCTAN:.+]] = "janus.arctan"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SINH:.+]] = "janus.sinh"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[COSH:.+]] = "janus.cosh"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[TANH:.+]] = "janus.tanh"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[FLOOR:.+]] = "janus.floor"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[CEIL:.+]] = "janus.ceil"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[TRUNC:.+]] = "janus.trunc"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[RINT:.+]] = "janus.rint"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @unary_math(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %negative = "janus.negative"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %positive = "janus.positive"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %absolute = "janus.absolute"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sign = "janus.sign"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %square = "janus.square"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %reciprocal = "janus.reciprocal"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sqrt = "janus.sqrt"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %exp = "janus.exp"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %exp2 = "janus.exp2"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %expm1 = "janus.expm1"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %log = "janus.log"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %log2 = "janus.log2"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %log10 = "janus.log10"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %log1p = "janus.log1p"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sin = "janus.sin"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %cos = "janus.cos"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %tan = "janus.tan"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %arcsin = "janus.arcsin"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %arccos = "janus.arccos"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %arctan = "janus.arctan"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %sinh = "janus.sinh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %cosh = "janus.cosh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %tanh = "janus.tanh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %floor = "janus.floor"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %ceil = "janus.ceil"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %trunc = "janus.trunc"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %rint = "janus.rint"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %rint : tensor<2x3xf32>
}

// -----

// isnan/isinf/isfinite return i1; logical_not and invert on bools.
// CHECK-LABEL: func.func @unary_predicates
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[B:[^:]+]]: tensor<2x3xi1>
// CHECK-SAME: %[[I:[^:]+]]: tensor<2x3xi32>
// CHECK: %[[ISNAN:.+]] = "janus.isnan"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK: %[[ISINF:.+]] = "janus.isinf"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK: %[[ISFINITE:.+]] = "janus.isfinite"(%[[X]]) : (tensor<2x3xf32>) -> tensor<2x3xi1>
// CHECK: %[[LOGICAL_NOT:.+]] = "janus.logical_not"(%[[B]]) : (tensor<2x3xi1>) -> tensor<2x3xi1>
// CHECK: %[[INVERT:.+]] = "janus.invert"(%[[I]]) : (tensor<2x3xi32>) -> tensor<2x3xi32>
func.func @unary_predicates(%x: tensor<2x3xf32>, %b: tensor<2x3xi1>, %i: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %isnan = "janus.isnan"(%x) : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %isinf = "janus.isinf"(%x) : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %isfinite = "janus.isfinite"(%x) : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %logical_not = "janus.logical_not"(%b) : (tensor<2x3xi1>) -> tensor<2x3xi1>
  %invert = "janus.invert"(%i) : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %invert : tensor<2x3xi32>
}

// -----

// where broadcasts condition, x and y and promotes x/y (f32, i32 -> f64).
// CHECK-LABEL: func.func @where
// CHECK-SAME: %[[C:[^:]+]]: tensor<2x3xi1>
// CHECK-SAME: %[[X:[^:]+]]: tensor<3xf32>
// CHECK-SAME: %[[Y:[^:]+]]: tensor<i32>
// CHECK: %[[W:.+]] = "janus.where"(%[[C]], %[[X]], %[[Y]]) : (tensor<2x3xi1>, tensor<3xf32>, tensor<i32>) -> tensor<2x3xf64>
func.func @where(%c: tensor<2x3xi1>, %x: tensor<3xf32>, %y: tensor<i32>) -> tensor<2x3xf64> {
  %w = "janus.where"(%c, %x, %y) : (tensor<2x3xi1>, tensor<3xf32>, tensor<i32>) -> tensor<2x3xf64>
  return %w : tensor<2x3xf64>
}

// -----

// matmul: 2-D, matrix-vector, vector-matrix and broadcast batch.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[B:[^:]+]]: tensor<3x4xf32>
// CHECK-SAME: %[[V:[^:]+]]: tensor<3xf32>
// CHECK-SAME: %[[W:[^:]+]]: tensor<2xf32>
// CHECK-SAME: %[[S:[^:]+]]: tensor<5x1x2x3xf32>
// CHECK-SAME: %[[T:[^:]+]]: tensor<7x3x4xf32>
// CHECK: %[[MM:.+]] = "janus.matmul"(%[[A]], %[[B]]) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[MV:.+]] = "janus.matmul"(%[[A]], %[[V]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
// CHECK: %[[VM:.+]] = "janus.matmul"(%[[W]], %[[A]]) : (tensor<2xf32>, tensor<2x3xf32>) -> tensor<3xf32>
// CHECK: %[[BM:.+]] = "janus.matmul"(%[[S]], %[[T]]) : (tensor<5x1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %v: tensor<3xf32>, %w: tensor<2xf32>, %s: tensor<5x1x2x3xf32>, %t: tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32> {
  %mm = "janus.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %mv = "janus.matmul"(%a, %v) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %vm = "janus.matmul"(%w, %a) : (tensor<2xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  %bm = "janus.matmul"(%s, %t) : (tensor<5x1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32>
  return %bm : tensor<5x7x2x4xf32>
}

// -----

// astype, constant, full and arange with their attributes.
// CHECK-LABEL: func.func @creation
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[CAST:.+]] = "janus.astype"(%[[X]]) {dtype = i32} : (tensor<2x3xf32>) -> tensor<2x3xi32>
// CHECK: %[[CST:.+]] = "janus.constant"() {value = dense<[1.000000e+00, 2.500000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK: %[[SPLAT:.+]] = "janus.constant"() {value = dense<7> : tensor<2x2xi64>} : () -> tensor<2x2xi64>
// CHECK: %[[ZEROS:.+]] = "janus.full"() {dtype = f32, shape = array<i64: 2, 3>, value = 0.000000e+00 : f64} : () -> tensor<2x3xf32>
// CHECK: %[[ONES:.+]] = "janus.full"() {dtype = i1, shape = array<i64: 4>, value = true} : () -> tensor<4xi1>
// CHECK: %[[RANGE:.+]] = "janus.arange"() {dtype = i64, shape = array<i64: 5>, start = 1 : i64, step = 2 : i64} : () -> tensor<5xi64>
func.func @creation(%x: tensor<2x3xf32>) -> tensor<5xi64> {
  %cast = "janus.astype"(%x) {dtype = i32} : (tensor<2x3xf32>) -> tensor<2x3xi32>
  %cst = "janus.constant"() {value = dense<[1.000000e+00, 2.500000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
  %splat = "janus.constant"() {value = dense<7> : tensor<2x2xi64>} : () -> tensor<2x2xi64>
  %zeros = "janus.full"() {dtype = f32, shape = array<i64: 2, 3>, value = 0.000000e+00 : f64} : () -> tensor<2x3xf32>
  %ones = "janus.full"() {dtype = i1, shape = array<i64: 4>, value = true} : () -> tensor<4xi1>
  %range = "janus.arange"() {dtype = i64, shape = array<i64: 5>, start = 1 : i64, step = 2 : i64} : () -> tensor<5xi64>
  return %range : tensor<5xi64>
}

// -----

// Reductions over axes, with and without keepdims (i32 sums to i64).
// CHECK-LABEL: func.func @reductions
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4xf32>
// CHECK-SAME: %[[I:[^:]+]]: tensor<2x3xi32>
// CHECK-SAME: %[[B:[^:]+]]: tensor<2x3xi1>
// CHECK: %[[SUM:.+]] = "janus.sum"(%[[X]]) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
// CHECK: %[[MEAN:.+]] = "janus.mean"(%[[X]]) {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
// CHECK: %[[PROD:.+]] = "janus.prod"(%[[I]]) {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xi32>) -> tensor<3xi64>
// CHECK: %[[MAX:.+]] = "janus.max"(%[[X]]) {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
// CHECK: %[[MIN:.+]] = "janus.min"(%[[I]]) {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xi32>) -> tensor<2x1xi32>
// CHECK: %[[ALL:.+]] = "janus.all"(%[[B]]) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<2xi1>
// CHECK: %[[ANY:.+]] = "janus.any"(%[[B]]) {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<i1>
// CHECK: %[[ISUM:.+]] = "janus.sum"(%[[I]]) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi64>
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3xi32>, %b: tensor<2x3xi1>) -> tensor<2xi64> {
  %sum = "janus.sum"(%x) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %mean = "janus.mean"(%x) {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
  %prod = "janus.prod"(%i) {axes = array<i64: 0>, keepdims = false} : (tensor<2x3xi32>) -> tensor<3xi64>
  %max = "janus.max"(%x) {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  %min = "janus.min"(%i) {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xi32>) -> tensor<2x1xi32>
  %all = "janus.all"(%b) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<2xi1>
  %any = "janus.any"(%b) {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xi1>) -> tensor<i1>
  %isum = "janus.sum"(%i) {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi32>) -> tensor<2xi64>
  return %isum : tensor<2xi64>
}

// -----

// argmax/argmin along one axis (or the flattened array) give i64.
// CHECK-LABEL: func.func @arg_reductions
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK: %[[ARGMAX:.+]] = "janus.argmax"(%[[X]]) {axis = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>
// CHECK: %[[ARGMIN:.+]] = "janus.argmin"(%[[X]]) {axis = 0 : i64, keepdims = true} : (tensor<2x3xf32>) -> tensor<1x3xi64>
// CHECK: %[[FLAT:.+]] = "janus.argmax"(%[[X]]) {keepdims = false} : (tensor<2x3xf32>) -> tensor<i64>
func.func @arg_reductions(%x: tensor<2x3xf32>) -> tensor<i64> {
  %argmax = "janus.argmax"(%x) {axis = 1 : i64, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xi64>
  %argmin = "janus.argmin"(%x) {axis = 0 : i64, keepdims = true} : (tensor<2x3xf32>) -> tensor<1x3xi64>
  %flat = "janus.argmax"(%x) {keepdims = false} : (tensor<2x3xf32>) -> tensor<i64>
  return %flat : tensor<i64>
}

// -----

// reshape, expand_dims, squeeze, transpose and broadcast_to with resolved shapes.
// CHECK-LABEL: func.func @shape_ops
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[U:[^:]+]]: tensor<1x3x1xf32>
// CHECK: %[[RESHAPE:.+]] = "janus.reshape"(%[[X]]) {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK: %[[EXPAND_DIMS:.+]] = "janus.expand_dims"(%[[X]]) {axes = array<i64: 0, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3x1xf32>
// CHECK: %[[SQUEEZE:.+]] = "janus.squeeze"(%[[U]]) {axes = array<i64: 0, 2>} : (tensor<1x3x1xf32>) -> tensor<3xf32>
// CHECK: %[[TRANSPOSE:.+]] = "janus.transpose"(%[[X]]) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK: %[[BROADCAST_TO:.+]] = "janus.broadcast_to"(%[[X]]) {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
func.func @shape_ops(%x: tensor<2x3xf32>, %u: tensor<1x3x1xf32>) -> tensor<4x2x3xf32> {
  %reshape = "janus.reshape"(%x) {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %expand_dims = "janus.expand_dims"(%x) {axes = array<i64: 0, 3>} : (tensor<2x3xf32>) -> tensor<1x2x3x1xf32>
  %squeeze = "janus.squeeze"(%u) {axes = array<i64: 0, 2>} : (tensor<1x3x1xf32>) -> tensor<3xf32>
  %transpose = "janus.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %broadcast_to = "janus.broadcast_to"(%x) {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
  return %broadcast_to : tensor<4x2x3xf32>
}

// -----

// dim reads an axis's length (a symbolic one's when the graph runs); a slice of size -1 takes
// all of a symbolic dim.
// CHECK-LABEL: func.func @symbolic_shape_ops
// CHECK: "janus.dim"(%{{.*}}) {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<i64>
// CHECK: "janus.slice"(%{{.*}}) {sizes = array<i64: -1, 2>, starts = array<i64: 0, 1>, steps = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x2xf32>
func.func @symbolic_shape_ops(%x: tensor<?x3xf32>) -> (tensor<i64>, tensor<?x2xf32>) {
  %n = "janus.dim"(%x) {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<i64>
  %s = "janus.slice"(%x) {starts = array<i64: 0, 1>, sizes = array<i64: -1, 2>, steps = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x2xf32>
  return %n, %s : tensor<i64>, tensor<?x2xf32>
}

// -----

// concatenate and stack take any number of operands and promote dtypes.
// CHECK-LABEL: func.func @joining
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[B:[^:]+]]: tensor<1x3xf32>
// CHECK-SAME: %[[C:[^:]+]]: tensor<2x3xi32>
// CHECK: %[[CONCATENATE:.+]] = "janus.concatenate"(%[[A]], %[[B]], %[[A]]) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
// CHECK: %[[STACK:.+]] = "janus.stack"(%[[A]], %[[C]]) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x2x3xf64>
// CHECK: %[[SINGLE:.+]] = "janus.concatenate"(%[[B]]) {axis = 1 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
func.func @joining(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>, %c: tensor<2x3xi32>) -> tensor<1x3xf32> {
  %concatenate = "janus.concatenate"(%a, %b, %a) {axis = 0 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  %stack = "janus.stack"(%a, %c) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<2x2x3xf64>
  %single = "janus.concatenate"(%b) {axis = 1 : i64} : (tensor<1x3xf32>) -> tensor<1x3xf32>
  return %single : tensor<1x3xf32>
}

// -----

// slice (start, size, step per dim), take along an axis, in_bounds.
// CHECK-LABEL: func.func @indexing
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x6xf32>
// CHECK-SAME: %[[IDX:[^:]+]]: tensor<3xi64>
// CHECK: %[[SLICE:.+]] = "janus.slice"(%[[X]]) {sizes = array<i64: 2, 3>, starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
// CHECK: %[[TAKE:.+]] = "janus.take"(%[[X]], %[[IDX]]) {axis = 1 : i64} : (tensor<4x6xf32>, tensor<3xi64>) -> tensor<4x3xf32>
// CHECK: %[[IN_BOUNDS:.+]] = "janus.in_bounds"(%[[IDX]]) {size = 6 : i64} : (tensor<3xi64>) -> tensor<i1>
func.func @indexing(%x: tensor<4x6xf32>, %idx: tensor<3xi64>) -> tensor<i1> {
  %slice = "janus.slice"(%x) {sizes = array<i64: 2, 3>, starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  %take = "janus.take"(%x, %idx) {axis = 1 : i64} : (tensor<4x6xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  %in_bounds = "janus.in_bounds"(%idx) {size = 6 : i64} : (tensor<3xi64>) -> tensor<i1>
  return %in_bounds : tensor<i1>
}

// -----

// slice_update writes a source of the slice's shape back into its destination (starts, steps).
// CHECK-LABEL: func.func @slice_update
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x6xf32>
// CHECK-SAME: %[[V:[^:]+]]: tensor<2x3xf32>
// CHECK: "janus.slice_update"(%[[X]], %[[V]]) {starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<4x6xf32>, tensor<2x3xf32>) -> tensor<4x6xf32>
func.func @slice_update(%x: tensor<4x6xf32>, %v: tensor<2x3xf32>) -> tensor<4x6xf32> {
  %0 = "janus.slice_update"(%x, %v) {starts = array<i64: 1, 5>, steps = array<i64: 2, -2>} : (tensor<4x6xf32>, tensor<2x3xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// A guard on a rank-0 i1 predicate carries id, kind, where and message.
// CHECK-LABEL: func.func @guard
// CHECK-SAME: %[[X:[^:]+]]: tensor<f32>
// CHECK-SAME: %[[ZERO:[^:]+]]: tensor<f32>
// CHECK: %[[P:.+]] = "janus.greater"(%[[X]], %[[ZERO]]) : (tensor<f32>, tensor<f32>) -> tensor<i1>
// CHECK: "janus.guard"(%[[P]]) {id = 3 : i64, kind = "branch", message = "x > 0 was true", where = "model.py:12"} : (tensor<i1>) -> ()
func.func @guard(%x: tensor<f32>, %zero: tensor<f32>) {
  %p = "janus.greater"(%x, %zero) : (tensor<f32>, tensor<f32>) -> tensor<i1>
  "janus.guard"(%p) {id = 3 : i64, kind = "branch", message = "x > 0 was true", where = "model.py:12"} : (tensor<i1>) -> ()
  return
}

// -----

// Every guard kind of the closed set (GUARD_KINDS) verifies.
// CHECK-LABEL: func.func @guard_kinds
// CHECK-COUNT-8: "janus.guard"
func.func @guard_kinds(%p: tensor<i1>) {
  "janus.guard"(%p) {id = 0 : i64, kind = "branch", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 1 : i64, kind = "trip_count", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 2 : i64, kind = "value", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 3 : i64, kind = "shape", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 4 : i64, kind = "type", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 5 : i64, kind = "callee", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 6 : i64, kind = "bounds", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  "janus.guard"(%p) {id = 7 : i64, kind = "error", message = "m", where = "f.py:1"} : (tensor<i1>) -> ()
  return
}

// -----

// full takes every value NumPy converts to its dtype: the int8 extremes, a float truncated to
// an integer, NaN for a float dtype, any number for bool; a dialect-prefixed attribute is kept.
// CHECK-LABEL: func.func @full_values
// CHECK: "janus.full"() {dtype = i8, shape = array<i64: 2>, value = 127 : i64}
// CHECK: "janus.full"() {dtype = i8, shape = array<i64: 2>, value = -128 : i64}
// CHECK: "janus.full"() {dtype = i32, shape = array<i64: 2>, value = -2.500000e+00 : f64}
// CHECK: "janus.full"() {dtype = f32, shape = array<i64: 2>, value = 0x7FF8000000000000 : f64}
// CHECK: "janus.full"() {dtype = i1, shape = array<i64: 2>, value = 5 : i64}
// CHECK: "janus.full"() {dtype = f32, janus.note = "kept", shape = array<i64: 2>, value = 1.000000e+00 : f64}
func.func @full_values() {
  %max = "janus.full"() {dtype = i8, shape = array<i64: 2>, value = 127 : i64} : () -> tensor<2xi8>
  %min = "janus.full"() {dtype = i8, shape = array<i64: 2>, value = -128 : i64} : () -> tensor<2xi8>
  %trunc = "janus.full"() {dtype = i32, shape = array<i64: 2>, value = -2.5 : f64} : () -> tensor<2xi32>
  %nan = "janus.full"() {dtype = f32, shape = array<i64: 2>, value = 0x7FF8000000000000 : f64} : () -> tensor<2xf32>
  %bool = "janus.full"() {dtype = i1, shape = array<i64: 2>, value = 5 : i64} : () -> tensor<2xi1>
  %note = "janus.full"() {dtype = f32, janus.note = "kept", shape = array<i64: 2>, value = 1.0 : f64} : () -> tensor<2xf32>
  "func.return"() : () -> ()
}

// -----

// Shifts and fmod keep the integer dtype; hypot, logaddexp(2), heaviside keep f32; float_power
// computes in f64; cbrt, deg2rad, radians, rad2deg, degrees keep f32; signbit returns i1.
// CHECK-LABEL: func.func @more_ufuncs
// CHECK: "janus.left_shift"(%{{.+}}, %{{.+}}) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: "janus.right_shift"(%{{.+}}, %{{.+}}) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: "janus.fmod"(%{{.+}}, %{{.+}}) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
// CHECK: "janus.hypot"(%{{.+}}, %{{.+}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: "janus.logaddexp"(%{{.+}}, %{{.+}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: "janus.logaddexp2"(%{{.+}}, %{{.+}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: "janus.heaviside"(%{{.+}}, %{{.+}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: "janus.float_power"(%{{.+}}, %{{.+}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf64>
// CHECK: "janus.cbrt"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "janus.signbit"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xi1>
// CHECK: "janus.deg2rad"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "janus.radians"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "janus.rad2deg"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
// CHECK: "janus.degrees"(%{{.+}}) : (tensor<3xf32>) -> tensor<3xf32>
func.func @more_ufuncs(%i: tensor<2x3xi32>, %j: tensor<3xi32>, %x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<3xi1> {
  %left_shift = "janus.left_shift"(%i, %j) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %right_shift = "janus.right_shift"(%i, %j) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %fmod = "janus.fmod"(%i, %j) : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %hypot = "janus.hypot"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %logaddexp = "janus.logaddexp"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %logaddexp2 = "janus.logaddexp2"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %heaviside = "janus.heaviside"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %float_power = "janus.float_power"(%x, %y) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf64>
  %cbrt = "janus.cbrt"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  %signbit = "janus.signbit"(%y) : (tensor<3xf32>) -> tensor<3xi1>
  %deg2rad = "janus.deg2rad"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  %radians = "janus.radians"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  %rad2deg = "janus.rad2deg"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  %degrees = "janus.degrees"(%y) : (tensor<3xf32>) -> tensor<3xf32>
  return %signbit : tensor<3xi1>
}

// -----

// gather with two index tensors broadcast together (2x1 with 3) placed at position 1 among the
// other dims; scatter of updates of that shape into the same elements, accumulating.
// CHECK-LABEL: func.func @gather_scatter
// CHECK: %[[G:.+]] = "janus.gather"(%{{.+}}, %{{.+}}, %{{.+}}) {axes = array<i64: 0, 2>, position = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x1xi64>, tensor<3xi32>) -> tensor<5x2x3xf32>
// CHECK: "janus.scatter"(%{{.+}}, %[[G]], %{{.+}}, %{{.+}}) {axes = array<i64: 0, 2>, mode = "add", position = 1 : i64} : (tensor<4x5x6xf32>, tensor<5x2x3xf32>, tensor<2x1xi64>, tensor<3xi32>) -> tensor<4x5x6xf32>
func.func @gather_scatter(%x: tensor<4x5x6xf32>, %i: tensor<2x1xi64>, %j: tensor<3xi32>) -> tensor<4x5x6xf32> {
  %g = "janus.gather"(%x, %i, %j) {axes = array<i64: 0, 2>, position = 1 : i64} : (tensor<4x5x6xf32>, tensor<2x1xi64>, tensor<3xi32>) -> tensor<5x2x3xf32>
  %s = "janus.scatter"(%x, %g, %i, %j) {axes = array<i64: 0, 2>, mode = "add", position = 1 : i64} : (tensor<4x5x6xf32>, tensor<5x2x3xf32>, tensor<2x1xi64>, tensor<3xi32>) -> tensor<4x5x6xf32>
  return %s : tensor<4x5x6xf32>
}

// -----

// cumsum/cumprod along a non-negative axis: int32 sums give i64, dtype= sets the result type.
// CHECK-LABEL: func.func @scans
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xi32>
// CHECK: "janus.cumsum"(%[[X]]) {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi64>
// CHECK: "janus.cumprod"(%[[X]]) {axis = 0 : i64, dtype = f32} : (tensor<2x3xi32>) -> tensor<2x3xf32>
func.func @scans(%x: tensor<2x3xi32>) -> tensor<2x3xf32> {
  %sum = "janus.cumsum"(%x) {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi64>
  %prod = "janus.cumprod"(%x) {axis = 0 : i64, dtype = f32} : (tensor<2x3xi32>) -> tensor<2x3xf32>
  return %prod : tensor<2x3xf32>
}

// -----

// sort keeps the dtype, argsort gives i64 indices; searchsorted counts into a 1-d array.
// CHECK-LABEL: func.func @sorting
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[A:[^:]+]]: tensor<5xf32>
// CHECK: "janus.sort"(%[[X]]) {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: "janus.argsort"(%[[X]]) {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
// CHECK: "janus.searchsorted"(%[[A]], %[[X]]) {right = true} : (tensor<5xf32>, tensor<2x3xf32>) -> tensor<2x3xi64>
func.func @sorting(%x: tensor<2x3xf32>, %a: tensor<5xf32>) -> tensor<2x3xi64> {
  %s = "janus.sort"(%x) {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %i = "janus.argsort"(%x) {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  %n = "janus.searchsorted"(%a, %x) {right = true} : (tensor<5xf32>, tensor<2x3xf32>) -> tensor<2x3xi64>
  return %n : tensor<2x3xi64>
}

// -----

// Compactions: their counted result dims are `?` (a count the graph computes); compress's mask
// covers x's dims from `axis` on; unique's flags add the first indices, the inverse (x's shape)
// and the counts.
// CHECK-LABEL: func.func @compaction
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>
// CHECK-SAME: %[[M:[^:]+]]: tensor<3xi1>
// CHECK: "janus.compress"(%[[X]], %[[M]]) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi1>) -> tensor<2x?xf32>
// CHECK: "janus.nonzero"(%[[X]]) : (tensor<2x3xf32>) -> (tensor<?xi64>, tensor<?xi64>)
// CHECK: "janus.argwhere"(%[[X]]) : (tensor<2x3xf32>) -> tensor<?x2xi64>
// CHECK: "janus.unique"(%[[X]]) {return_counts = true, return_inverse = true} : (tensor<2x3xf32>) -> (tensor<?xf32>, tensor<2x3xi64>, tensor<?xi64>)
func.func @compaction(%x: tensor<2x3xf32>, %m: tensor<3xi1>) -> tensor<2x?xf32> {
  %c = "janus.compress"(%x, %m) {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi1>) -> tensor<2x?xf32>
  %i:2 = "janus.nonzero"(%x) : (tensor<2x3xf32>) -> (tensor<?xi64>, tensor<?xi64>)
  %w = "janus.argwhere"(%x) : (tensor<2x3xf32>) -> tensor<?x2xi64>
  %u:3 = "janus.unique"(%x) {return_counts = true, return_inverse = true} : (tensor<2x3xf32>) -> (tensor<?xf32>, tensor<2x3xi64>, tensor<?xi64>)
  return %c : tensor<2x?xf32>
}

// -----

// bincount: a count of bins the graph computes (`?`); int64 counts, or float64 sums of weights.
// CHECK-LABEL: func.func @bincount
// CHECK-SAME: %[[X:[^:]+]]: tensor<5xi64>
// CHECK-SAME: %[[W:[^:]+]]: tensor<5xf32>
// CHECK: "janus.bincount"(%[[X]]) {minlength = 3 : i64} : (tensor<5xi64>) -> tensor<?xi64>
// CHECK: "janus.bincount"(%[[X]], %[[W]]) : (tensor<5xi64>, tensor<5xf32>) -> tensor<?xf64>
func.func @bincount(%x: tensor<5xi64>, %w: tensor<5xf32>) -> tensor<?xf64> {
  %c = "janus.bincount"(%x) {minlength = 3 : i64} : (tensor<5xi64>) -> tensor<?xi64>
  %s = "janus.bincount"(%x, %w) : (tensor<5xi64>, tensor<5xf32>) -> tensor<?xf64>
  return %s : tensor<?xf64>
}

// -----

// einsum of one or two operands: a batched contraction, a trace, a diagonal with a sum over
// one operand's own label, and a size-1 label that broadcasts; int32 with f32 promotes to f64.
// CHECK-LABEL: func.func @einsum
// CHECK-SAME: %[[Q:[^:]+]]: tensor<2x3x4x5xf32>
// CHECK-SAME: %[[K:[^:]+]]: tensor<2x3x6x5xf32>
// CHECK-SAME: %[[M:[^:]+]]: tensor<4x4xi32>
// CHECK-SAME: %[[R:[^:]+]]: tensor<1x4xf32>
// CHECK: %[[SCORES:.+]] = "janus.einsum"(%[[Q]], %[[K]]) {subscripts = "bhqd,bhkd->bhqk"} : (tensor<2x3x4x5xf32>, tensor<2x3x6x5xf32>) -> tensor<2x3x4x6xf32>
// CHECK: %[[TRACE:.+]] = "janus.einsum"(%[[M]]) {subscripts = "ii->"} : (tensor<4x4xi32>) -> tensor<i32>
// CHECK: %[[DIAG:.+]] = "janus.einsum"(%[[M]], %[[R]]) {subscripts = "ii,ji->i"} : (tensor<4x4xi32>, tensor<1x4xf32>) -> tensor<4xf64>
func.func @einsum(%q: tensor<2x3x4x5xf32>, %k: tensor<2x3x6x5xf32>, %m: tensor<4x4xi32>, %r: tensor<1x4xf32>) -> tensor<4xf64> {
  %scores = "janus.einsum"(%q, %k) {subscripts = "bhqd,bhkd->bhqk"} : (tensor<2x3x4x5xf32>, tensor<2x3x6x5xf32>) -> tensor<2x3x4x6xf32>
  %trace = "janus.einsum"(%m) {subscripts = "ii->"} : (tensor<4x4xi32>) -> tensor<i32>
  %diag = "janus.einsum"(%m, %r) {subscripts = "ii,ji->i"} : (tensor<4x4xi32>, tensor<1x4xf32>) -> tensor<4xf64>
  return %diag : tensor<4xf64>
}

// -----

// eye (shape, offset, dtype), tri (tril / triu of the last two dims), diag_embed (diag of 1-D).
// CHECK-LABEL: func.func @matrices
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4xf32>
// CHECK-SAME: %[[V:[^:]+]]: tensor<3xi64>
// CHECK: %[[EYE:.+]] = "janus.eye"() {dtype = i1, k = -1 : i64, shape = array<i64: 3, 5>} : () -> tensor<3x5xi1>
// CHECK: %[[TRIL:.+]] = "janus.tri"(%[[X]]) {k = 1 : i64, upper = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[TRIU:.+]] = "janus.tri"(%[[X]]) {k = -2 : i64, upper = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[DIAG:.+]] = "janus.diag_embed"(%[[V]]) {k = 2 : i64} : (tensor<3xi64>) -> tensor<5x5xi64>
func.func @matrices(%x: tensor<2x3x4xf32>, %v: tensor<3xi64>) -> tensor<5x5xi64> {
  %eye = "janus.eye"() {dtype = i1, k = -1 : i64, shape = array<i64: 3, 5>} : () -> tensor<3x5xi1>
  %tril = "janus.tri"(%x) {k = 1 : i64, upper = false} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %triu = "janus.tri"(%x) {k = -2 : i64, upper = true} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %diag = "janus.diag_embed"(%v) {k = 2 : i64} : (tensor<3xi64>) -> tensor<5x5xi64>
  return %diag : tensor<5x5xi64>
}

// -----

// is_sorted of a 1-d array is a rank-0 i1 (the guard behind searchsorted).
// CHECK-LABEL: func.func @is_sorted
// CHECK-SAME: %[[A:[^:]+]]: tensor<5xf32>
// CHECK: "janus.is_sorted"(%[[A]]) : (tensor<5xf32>) -> tensor<i1>
func.func @is_sorted(%a: tensor<5xf32>) -> tensor<i1> {
  %ok = "janus.is_sorted"(%a) : (tensor<5xf32>) -> tensor<i1>
  return %ok : tensor<i1>
}

// -----

// value_and_grad: a region taking the operands, ended by janus.yield of the value (and aux
// values); results are the yielded values, then one gradient per operand.
// CHECK-LABEL: func.func @value_and_grad
// CHECK: %{{.*}}:3 = "janus.value_and_grad"(%arg0) ({
// CHECK: ^bb0(%[[A:.*]]: tensor<3xf32>):
// CHECK: "janus.yield"(%{{.*}}, %[[A]]) : (tensor<f32>, tensor<3xf32>) -> ()
// CHECK: }) {aux = 1 : i64} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
func.func @value_and_grad(%x: tensor<3xf32>) -> tensor<3xf32> {
  %v, %aux, %g = "janus.value_and_grad"(%x) ({
  ^bb0(%a: tensor<3xf32>):
    %s = "janus.sum"(%a) {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<f32>
    "janus.yield"(%s, %a) : (tensor<f32>, tensor<3xf32>) -> ()
  }) {aux = 1} : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// conv2d (NCHW input, (F, C/groups, KH, KW) weights) and the two poolings keep NCHW.
// CHECK-LABEL: func.func @convolution
// CHECK: %[[Y:.+]] = "janus.conv2d"(%{{.*}}, %{{.*}}) {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32>
// CHECK: "janus.max_pool2d"(%[[Y]]) {kernel = array<i64: 2, 2>, padding = array<i64: 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x6x4x4xf32>) -> tensor<2x6x2x2xf32>
// CHECK: "janus.avg_pool2d"(%[[Y]]) {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
func.func @convolution(%x: tensor<2x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32> {
  %y = "janus.conv2d"(%x, %w) {strides = array<i64: 2, 2>, padding = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<2x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32>
  %m = "janus.max_pool2d"(%y) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>} : (tensor<2x6x4x4xf32>) -> tensor<2x6x2x2xf32>
  %a = "janus.avg_pool2d"(%y) {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<2x6x4x4xf32>) -> tensor<2x6x4x4xf32>
  return %a : tensor<2x6x4x4xf32>
}

// -----

// Unsigned dtypes are MLIR's unsigned integer types: uint8 + uint8 stays ui8, uint8 + int8
// promotes to i16 (NumPy), a uint8 sum accumulates in ui64.
// CHECK-LABEL: func.func @unsigned
// CHECK: "janus.add"(%{{.*}}, %{{.*}}) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
// CHECK: "janus.add"(%{{.*}}, %{{.*}}) : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xi16>
// CHECK: "janus.sum"(%{{.*}}) {axes = array<i64: 0>} : (tensor<4xui8>) -> tensor<ui64>
func.func @unsigned(%x: tensor<4xui8>, %y: tensor<4xi8>) -> tensor<ui64> {
  %a = "janus.add"(%x, %x) : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %b = "janus.add"(%a, %y) : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xi16>
  %s = "janus.sum"(%a) {axes = array<i64: 0>} : (tensor<4xui8>) -> tensor<ui64>
  return %s : tensor<ui64>
}

// -----

// Effects carry id, kind, target and where, and any number of operands of any types.
// CHECK-LABEL: func.func @effects
// CHECK: "janus.effect"(%{{.*}}) {id = 0 : i64, kind = "write", target = "x", where = "m.py:2"} : (tensor<2xf32>) -> ()
// CHECK: "janus.effect"(%{{.*}}, %{{.*}}) {id = 1 : i64, kind = "print", target = "sys.stdout", where = "m.py:3"} : (tensor<f32>, tensor<2xi64>) -> ()
// CHECK: "janus.effect"() {id = 2 : i64, kind = "setname", target = "global STEP", where = "m.py:4"} : () -> ()
func.func @effects(%x: tensor<2xf32>, %s: tensor<f32>, %i: tensor<2xi64>) {
  "janus.effect"(%x) {id = 0 : i64, kind = "write", target = "x", where = "m.py:2"} : (tensor<2xf32>) -> ()
  "janus.effect"(%s, %i) {id = 1 : i64, kind = "print", target = "sys.stdout", where = "m.py:3"} : (tensor<f32>, tensor<2xi64>) -> ()
  "janus.effect"() {id = 2 : i64, kind = "setname", target = "global STEP", where = "m.py:4"} : () -> ()
  return
}
