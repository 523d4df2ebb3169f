"""Benchmarks: each prints its figure beside its target. Run one with `python -m bench.<name>`."""
