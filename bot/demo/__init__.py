"""`supportbot demo`: the real service on embedded defaults, a scripted scenario, no accounts needed.

Everything runs in one process on 127.0.0.1: the service exactly as `supportbot
run` builds it (bot/app/service.py), a fresh SQLite database in ``./demo/``, a local
SMTP sink that keeps the desk's outgoing mail in the Maildir ``./demo/sent``, and
the Slack Web API stand-in. The scenario sends real mail over SMTP to the ingress
and waits for each effect in the database, never for a fixed time.
"""
