"""Rendering for people: e-mail templates, canned Slack replies, template samples."""
