"""CLI commands that take any Pulumi program, not only a kata: `kata scan`, `kata up`."""
