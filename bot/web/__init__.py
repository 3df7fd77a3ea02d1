"""What the HTTP server serves: the portal webhook, the customer pages (survey, closure), signed links."""
