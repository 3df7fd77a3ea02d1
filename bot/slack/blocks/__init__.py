"""Block Kit builders: plain views in, payloads out. Pure; no Slack client here."""
