"""Core's comments room."""
