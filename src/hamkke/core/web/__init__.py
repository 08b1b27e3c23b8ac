"""Core's web room."""
