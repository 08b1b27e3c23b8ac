"""Core's media room."""
