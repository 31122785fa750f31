"""Side-by-side benchmark of this API and json-server (`make bench`); see docs/benchmarks.md."""
