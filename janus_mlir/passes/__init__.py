"""janus passes; importing this package registers every pass."""

from . import (  # noqa: F401  (registration)
    autodiff,
    convert_janus_to_linalg,
    host_matmuls,
    lower_guards,
    lower_state,
    lower_while,
)
from .pipeline import (
    JANUS_TO_IREE_INPUT,
    PassStep,
    lower_to_iree_input,
    parse_pipeline,
    run_pipeline,
)
from .registry import PASSES, Pass, PassError

__all__ = ["JANUS_TO_IREE_INPUT", "PASSES", "Pass", "PassError", "PassStep", "lower_to_iree_input",
           "parse_pipeline", "run_pipeline"]
