// RUN: %PYTHON %S/Inputs/make_input.py modules 20000 | not janus-opt 2>&1 | FileCheck %s --check-prefix=MODULES
// RUN: %PYTHON %S/Inputs/make_input.py regions 2500 | not janus-opt 2>&1 | FileCheck %s --check-prefix=REGIONS
// RUN: %PYTHON %S/Inputs/make_input.py execute-region 10000 | not janus-opt 2>&1 | FileCheck %s --check-prefix=EXECUTE
// RUN: %PYTHON %S/Inputs/make_input.py type-parens 20000 | not janus-opt 2>&1 | FileCheck %s --check-prefix=TYPE
// RUN: %PYTHON %S/Inputs/make_input.py attr-brackets 20000 | not janus-opt 2>&1 | FileCheck %s --check-prefix=ATTR
// RUN: %PYTHON %S/Inputs/make_input.py attr-brackets 499 | janus-opt | FileCheck %s --check-prefix=AT-LIMIT
// RUN: %PYTHON %S/Inputs/make_input.py attr-brackets 500 | not janus-opt 2>&1 | FileCheck %s --check-prefix=PAST-LIMIT
// RUN: %PYTHON %S/Inputs/make_input.py quoted 2000 | janus-opt | FileCheck %s --check-prefix=QUOTED
// RUN: janus-opt --help | FileCheck %s --check-prefix=HELP
// Input with more than 500 brackets ({, (, [, <) open at once is rejected before parsing, with a
// diagnostic at the first bracket past the limit: MLIR's parser would overflow its stack (these
// inputs crashed it with a segfault). 500 open brackets are still accepted; brackets in strings
// and comments do not count, nor does the '>' of '->'. --help states the limit.

// Deeply nested modules: the 501st 'module {' is on line 501.
// MODULES: <stdin>:501:8: error: nesting too deep: more than 500 open brackets ('{', '(', '[', '<')
// MODULES-NEXT: module {
// MODULES-NEXT: {{^}}       ^
// MODULES-NOT: Traceback

// Generic-form regions open two brackets a level: '(' and '{'.
// REGIONS: <stdin>:251:7: error: nesting too deep

// scf.execute_region inside a function.
// EXECUTE: <stdin>:501:20: error: nesting too deep

// Function types nested in parentheses, all on line 1: the 500th result type's '()' is the
// 501st bracket.
// TYPE: <stdin>:1:3521: error: nesting too deep

// An array attribute inside the attribute dictionary.
// ATTR: <stdin>:1:514: error: nesting too deep

// 500 open brackets: the dictionary's '{' and 499 '['.
// AT-LIMIT: "x.op"() {a = {{\[+}}1{{\]+}}} : () -> ()
// PAST-LIMIT: <stdin>:1:514: error: nesting too deep

// 2000 '(' in a string, 2000 '{' in a comment, 2000 affine maps with their '->'.
// QUOTED: "x.op"() {a = "{{\(+}}"} : () -> ()
// QUOTED-COUNT-2000: "x.op"() {m = #map} : () -> ()

// HELP: Nesting limit: input with more than 500 brackets
