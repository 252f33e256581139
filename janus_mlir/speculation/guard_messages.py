"""The message of a failed in-graph guard: `janus.guard` followed by a JSON object (id, kind,
where, message). janus-lower-guards puts it in the `cf.assert`; the runtime finds it in IREE's
FAILED_PRECONDITION error and decodes it back into the failed assumption.
"""

from __future__ import annotations

import json

GUARD_TAG = "janus.guard"


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
