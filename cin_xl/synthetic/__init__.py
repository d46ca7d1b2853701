"""Synthetic returns for the demo, tests and benchmarks (never used by a real job)."""
