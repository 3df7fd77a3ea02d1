"""The Slack transport: the Bolt app and runner, the Web API client, Block Kit builders, listeners, deliverers."""
