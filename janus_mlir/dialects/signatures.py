"""Every janus op's signature, by name: the dialect's own table, filled from above.

The structural ops (janus.py) and the op registry's families (`janus_mlir.ops`, through
`defop`) register here; the dialect builds its op classes from this table when they are first
used. So imports run one way: ops -> dialects, never back.
"""

from __future__ import annotations

from .opdef import OpSignature

SIGNATURES: dict[str, OpSignature] = {}


def register(sig: OpSignature) -> OpSignature:
    if sig.name in SIGNATURES:
        raise ValueError(f"janus op {sig.name!r} registered twice")
    SIGNATURES[sig.name] = sig
    return sig
