"""Operating newsrank: Prometheus metrics, JSON log lines, and who may read the metrics."""
