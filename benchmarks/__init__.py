"""Side-by-side speed measurements against peers, printed as ratios (run each as ``python -m benchmarks.NAME``)."""
