"""janus_mlir: make ordinary Python + NumPy code fast by speculative graph compilation.

    import janus_mlir as jm

    @jm.compile
    def forward(x, W, b):
        return np.tanh(x @ W + b)
"""

from .api import JanusFunction, Stats, compile, explain, grad, value_and_grad  # noqa: A004

__all__ = ["JanusFunction", "Stats", "compile", "explain", "grad", "value_and_grad"]
__version__ = "0.1.0"
