"""The demo city: a believable Shanghai service operation, generated deterministically."""
