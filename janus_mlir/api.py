"""The public face of janus_mlir: what users import."""

from __future__ import annotations

from .runtime.dispatch import JanusFunction, Stats, compile  # noqa: A004

__all__ = ["JanusFunction", "Stats", "compile"]
