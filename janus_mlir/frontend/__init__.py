"""The frontend: speculative conversion of a Python function's AST into janus IR.

`convert(fn, params, policy)` is the entry point (frontend.convert); the converter is split by
concern: values and sources of what a graph reads (values, sources, lift), the AST visitor
(converter), calls/attributes/subscripts (calls, indexing), and NumPy semantics (operators,
numpy_api).
"""
