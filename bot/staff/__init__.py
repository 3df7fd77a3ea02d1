"""What agents do from Slack, as transactions on the database (no Slack API here)."""
