"""The child director's visit report: questions, parsing, quick SMS form and digests (pure)."""
