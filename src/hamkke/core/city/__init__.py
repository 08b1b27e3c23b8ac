"""Core's city room."""
