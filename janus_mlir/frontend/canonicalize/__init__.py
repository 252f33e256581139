"""Rewrites of the function's AST into forms the converter handles with fewer constructs (the
canonicalize phase): `break` and `continue` as flags."""
