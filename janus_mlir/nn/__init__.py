"""What deep-learning code needs that NumPy lacks, written as plain NumPy functions.

Every function here runs eagerly in plain Python and uses only NumPy calls, operators and
indexing, so inside a `@janus_mlir.compile`d function it converts like any other helper (the
frontend inlines it), and autodiff can trace it. `conv2d`, `max_pool2d` and `avg_pool2d` are
mapped to dedicated janus ops instead (linalg's convolution and pooling ops), which IREE
compiles far better than the unrolled slices of their NumPy form; their NumPy form is the
reference those ops are tested against.

Layouts follow PyTorch: images are NCHW, convolution weights (F, C/groups, KH, KW).
"""

from .activations import gelu, log_softmax, relu, sigmoid, softmax
from .conv import conv2d
from .losses import cross_entropy
from .normalization import layer_norm
from .pooling import avg_pool2d, max_pool2d
from .regularization import dropout
from .sparse import embedding

__all__ = ["avg_pool2d", "conv2d", "cross_entropy", "dropout", "embedding", "gelu",
           "layer_norm", "log_softmax", "max_pool2d", "relu", "sigmoid", "softmax"]
