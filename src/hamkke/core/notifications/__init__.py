"""Core's notifications room."""
