"""Tools for tests and the demo: local stand-ins for the services the bot talks to. Not used in production."""
