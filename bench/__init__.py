"""Benchmarks: one module per capability, each measured against a baseline run beside it."""
