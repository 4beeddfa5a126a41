"""Benchmarks with printed figures (not timed tests)."""
