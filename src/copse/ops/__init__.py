"""What a service operator needs around the server: tracing, metrics, health, TLS."""
