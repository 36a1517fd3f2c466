"""The needs-attention list: what a scheduler must look at, each with the action that
resolves it on Enter."""
