"""The public face of janus_mlir: what users import."""

from __future__ import annotations

from .autodiff import grad, value_and_grad
from .runtime.dispatch import JanusFunction, Stats, compile  # noqa: A004


def explain(fn: JanusFunction) -> None:
    """Print what `fn` compiled, what each graph assumes, and why calls ran as plain Python."""
    if not isinstance(fn, JanusFunction):
        raise TypeError(f"janus_mlir.explain needs a function made by janus_mlir.compile, got "
                        f"{type(fn).__name__}")
    fn.explain()


__all__ = ["JanusFunction", "Stats", "compile", "explain", "grad", "value_and_grad"]
