"""The benchmark suite: every hot path of the portal measured against its floor and its naive baseline.

`python -m bench --quick` (CI, ~20,000 incidents) or `python -m bench` (1,000,000 incidents over 5
years); see docs/benchmarks.md for what is measured and the latest figures.
"""
