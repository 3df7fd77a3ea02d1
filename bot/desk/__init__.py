"""The desk's use cases, as transactions on the database with their outbox rows (no transport here)."""
