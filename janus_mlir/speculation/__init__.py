"""What the frontend and the runtime share about speculation: the profile of the imperative
calls, keyed by source site."""
