"""The intake runners: stored mail and Slack messages through the pipelines (PIPELINES as data)."""
