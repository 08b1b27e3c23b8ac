"""Core's audit room."""
