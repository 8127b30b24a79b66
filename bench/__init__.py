"""ORAKL's benchmarks: pytest-benchmark files (`test_*.py`) and plain scripts printing a table.

`bash bench/run_all.sh` runs them all; BENCHMARKS.md holds the results and the targets.
"""
