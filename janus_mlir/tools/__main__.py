"""`python -m janus_mlir.tools`: the janus-opt driver."""

import sys

from .janus_opt import main

sys.exit(main())
