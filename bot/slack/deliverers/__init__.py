"""Outbox deliverers that post to Slack's Web API."""
