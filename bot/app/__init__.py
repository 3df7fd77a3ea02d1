"""The composition root and the process shell: settings, runtime, service, supervisor, HTTP server, metrics, logging."""
