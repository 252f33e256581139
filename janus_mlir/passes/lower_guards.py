"""janus-lower-guards: janus.guard -> cf.assert with a structured message.

The message is `janus.guard` followed by a JSON object (id, kind, where, message); the runtime
finds it in IREE's FAILED_PRECONDITION error and decodes it back into the failed assumption.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from iree.compiler import ir
from iree.compiler.dialects import cf, tensor

from ..dialects import janus
from .registry import Pass, PassError, register
from .walk import ops_named

GUARD_TAG = "janus.guard"


@register
@dataclass(frozen=True)
class LowerGuards(Pass):
    name = "janus-lower-guards"
    summary = "Lower janus.guard to cf.assert with a message the runtime decodes"

    def run(self, module: ir.Module) -> None:
        for op in ops_named(module.operation, janus.GuardOp.SIGNATURE.op_name):
            guard = janus.GuardOp(op)
            problems = guard.verify()
            if problems:
                raise PassError(f"'{op.name}' op {problems[0]}", op.location)
            with op.location, ir.InsertionPoint(op):
                flag = tensor.ExtractOp(guard.predicate, []).result
                cf.AssertOp(flag, encode_guard_message(guard.attributes()))
            op.erase()


def encode_guard_message(attrs: dict) -> str:
    payload = {k: attrs[k] for k in ("id", "kind", "where", "message")}
    return GUARD_TAG + json.dumps(payload, separators=(",", ":"))


def decode_guard_message(text: str) -> dict | None:
    """The guard attributes encoded in an error text (any message content), or None if it holds
    no complete janus guard."""
    start = text.find(GUARD_TAG + "{")
    if start < 0:
        return None
    try:
        payload, _ = json.JSONDecoder().raw_decode(text, start + len(GUARD_TAG))
        return {"id": int(payload["id"]), "kind": str(payload["kind"]),
                "where": str(payload["where"]), "message": str(payload["message"])}
    except (ValueError, KeyError, TypeError):
        return None
