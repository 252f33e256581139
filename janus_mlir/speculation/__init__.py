"""What the frontend and the runtime share about speculation: the profile of the imperative
calls keyed by source site (profile.py), where a graph's values come from and the guards on them
(sources.py), what the converter speculates on per signature (policy.py), and the message of a
failed in-graph guard (guard_messages.py)."""
