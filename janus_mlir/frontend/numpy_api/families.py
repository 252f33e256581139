"""Every family module of numpy_api, in one list: each registers FUNCTIONS and METHODS."""

from __future__ import annotations

from . import (
    comparisons,
    contractions,
    counting,
    covariance,
    creation,
    indexing_funcs,
    joining,
    linalg,
    matrices,
    nan_quantiles,
    nn_functions,
    numerical,
    reductions,
    scans,
    selection,
    shapes,
    sorting,
    statistics,
    ufunc_methods,
    ufuncs,
)

FAMILIES = (ufuncs, reductions, shapes, linalg, selection, creation, contractions, matrices,
            joining, scans, statistics, sorting, indexing_funcs, nn_functions, comparisons,
            covariance, numerical, counting, nan_quantiles, ufunc_methods)
