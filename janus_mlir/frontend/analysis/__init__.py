"""Analyses of the function's AST the converter asks before it converts a construct (which
names a loop body binds)."""
