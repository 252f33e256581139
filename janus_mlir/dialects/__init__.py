"""The janus dialect: op signatures and classes (janus), types, the verifier."""
