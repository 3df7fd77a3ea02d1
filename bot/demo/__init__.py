"""`supportbot demo`: the real service on embedded defaults, a scripted scenario, no accounts needed.

Everything runs in one process on 127.0.0.1: the service exactly as `supportbot
run` builds it (bot/app/service.py), a fresh SQLite database in ``./demo/``, a local
SMTP sink that keeps the desk's outgoing mail in the Maildir ``./demo/sent``, and
the Slack Web API stand-in. The script (script.py) sends real mail over SMTP, calls
the portal webhook and submits Slack interactions signed as Slack signs them; each
step waits until its effects are delivered (settle.py), never for a fixed time.
"""
