"""Security helpers shared by every feature: client identity, tokens, headers."""
