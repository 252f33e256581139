"""The runtime: IREE compilation (targets, flags, compile cache), module loading and invocation,
guard-failure decoding, and the graph cache with fallback (dispatch.JanusFunction)."""
