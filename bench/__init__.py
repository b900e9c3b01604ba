"""copse benchmarks: realistic tablets, real HTTP, real databases (see bench/README.md)."""
