"""Configuration that is complete or refused (issue 18, point 3), through the console script.

`config check` said OK with Slack enabled and no token; `run` then died with a 40-line
traceback and exit 1, which systemd restarts forever. Now both name every problem at
once, one line each, exit 2, before the database is touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.config import Settings, load_settings
from bot.app.config_rules import problems

SUPPORTBOT = Path(sys.executable).parent / "supportbot"
SECRETS = ("hunter2-imap", "xoxb-bot-secret-1", "xapp-app-secret-1", "signing-secret-1", "desk-key-0123456789")

# Each combination named in the issue: settings (environment) → the error lines, in order.
REFUSED = {
    "slack-without-anything": (
        {"SLACK_ENABLED": "true"},
        ["slack.bot_token: required when slack.enabled (set SUPPORTBOT_SLACK_BOT_TOKEN)",
         'slack.app_token: required in Socket Mode (slack.mode = "socket") (set SUPPORTBOT_SLACK_APP_TOKEN)',
         "slack.staff_channel: required when slack.enabled: the cards go there"]),
    "socket-mode-without-app-token": (
        {"SLACK_ENABLED": "true", "SLACK_BOT_TOKEN": SECRETS[1], "SLACK_STAFF_CHANNEL": "C0STAFF0001"},
        ['slack.app_token: required in Socket Mode (slack.mode = "socket") (set SUPPORTBOT_SLACK_APP_TOKEN)']),
    "http-mode-without-signing-secret": (
        {"SLACK_ENABLED": "true", "SLACK_MODE": "http", "SLACK_BOT_TOKEN": SECRETS[1],
         "SLACK_STAFF_CHANNEL": "C0STAFF0001"},
        ['slack.signing_secret: required in HTTP mode (slack.mode = "http") (set SUPPORTBOT_SLACK_SIGNING_SECRET)']),
    "http-mode-without-the-public-listener": (
        {"SLACK_ENABLED": "true", "SLACK_MODE": "http", "SLACK_BOT_TOKEN": SECRETS[1],
         "SLACK_SIGNING_SECRET": SECRETS[3], "SLACK_STAFF_CHANNEL": "C0STAFF0001", "HTTP_ENABLED": "false"},
        ['http.enabled: must be true for slack.mode = "http": Slack posts to /slack/events']),
    "slack-without-staff-channel-and-tokens-swapped": (
        {"SLACK_ENABLED": "true", "SLACK_BOT_TOKEN": SECRETS[2], "SLACK_APP_TOKEN": SECRETS[1]},
        ["slack.bot_token: is not the Bot User OAuth Token (it starts with xoxb-…)",
         "slack.app_token: is not an App-Level Token (it starts with xapp-…)",
         "slack.staff_channel: required when slack.enabled: the cards go there"]),
    "staff-channel-by-name": (
        {"SLACK_ENABLED": "true", "SLACK_BOT_TOKEN": SECRETS[1], "SLACK_APP_TOKEN": SECRETS[2],
         "SLACK_STAFF_CHANNEL": "#support-staff"},
        ["slack.staff_channel: '#support-staff' is not a channel id (C… or G…; the channel's details in Slack "
         "show it), not a #name"]),
    "imap-without-login": (
        {"IMAP_ENABLED": "true", "IMAP_HOST": ""},
        ["imap.host: required when imap.enabled", "imap.username: required when imap.enabled",
         "imap.password: required when imap.enabled (set SUPPORTBOT_IMAP_PASSWORD)"]),
    "http-without-secret-key": (
        {"SMTP_INGRESS_ENABLED": "true", "DESK_SECRET_KEY": ""},
        ["desk.secret_key: required when http.enabled (set SUPPORTBOT_DESK_SECRET_KEY): it signs the close and "
         "survey links; a random key breaks them at every restart"]),
    "from-address-disagrees": (
        {"SMTP_INGRESS_ENABLED": "true", "DESK_SUPPORT_ADDRESS": "support@vendor.se",
         "SMTP_FROM_ADDRESS": "noreply@vendor.se"},
        ["smtp.from_address: 'noreply@vendor.se' differs from desk.support_address 'support@vendor.se': customers "
         "who answer the From would miss the desk; leave it unset to send from desk.support_address"]),
    "support-address-from-smtp-only": (  # the old way: only smtp.from_address set, replies went to example.com
        {"SMTP_INGRESS_ENABLED": "true", "SMTP_FROM_ADDRESS": "support@vendor.se"},
        ["smtp.from_address: 'support@vendor.se' differs from desk.support_address 'support@example.com': "
         "customers who answer the From would miss the desk; leave it unset to send from desk.support_address"]),
    "everything-at-once": (
        {"SLACK_ENABLED": "true", "SLACK_MODE": "http", "SLACK_BOT_TOKEN": SECRETS[1], "IMAP_ENABLED": "true",
         "IMAP_USERNAME": "support", "DESK_SECRET_KEY": ""},
        ['slack.signing_secret: required in HTTP mode (slack.mode = "http") (set SUPPORTBOT_SLACK_SIGNING_SECRET)',
         "slack.staff_channel: required when slack.enabled: the cards go there",
         "imap.password: required when imap.enabled (set SUPPORTBOT_IMAP_PASSWORD)",
         "desk.secret_key: required when http.enabled (set SUPPORTBOT_DESK_SECRET_KEY): it signs the close and "
         "survey links; a random key breaks them at every restart"]),
}


def environment(tmp_path: Path, settings: dict[str, str]) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SUPPORTBOT_DESK_SECRET_KEY": SECRETS[4],
           "SUPPORTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'never-created.db'}"}
    env.update({f"SUPPORTBOT_{name}": value for name, value in settings.items()})
    return env


def supportbot(tmp_path: Path, settings: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SUPPORTBOT), *argv], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env=environment(tmp_path, settings))


@pytest.mark.parametrize("command", [("config", "check"), ("run",)], ids=" ".join)
@pytest.mark.parametrize("case", REFUSED)
def test_every_error_at_once_one_line_each_exit_2(tmp_path, case, command):
    settings, expected = REFUSED[case]
    result = supportbot(tmp_path, settings, *command)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.splitlines() == [f"supportbot: config error: {line}" for line in expected]
    assert not any(secret in result.stderr for secret in SECRETS)
    assert not (tmp_path / "never-created.db").exists()  # refused before the database is touched


WARNED = {
    "no-intake": ({}, "imap.enabled, smtp_ingress.enabled, slack.enabled, portal.webhook_secret: no intake is "
                      "enabled: the desk will receive nothing"),
    "loopback-links": ({"SMTP_INGRESS_ENABLED": "true"},
                       "http.public_base_url: http://127.0.0.1:8080/ is on loopback: the close and survey links in "
                       "customers' mail will not open for them"),
    "plain-http-links": ({"PORTAL_WEBHOOK_SECRET": "portal-secret", "HTTP_PUBLIC_BASE_URL": "http://desk.vendor.se/"},
                         "http.public_base_url: http://desk.vendor.se/ is plain http: the single-use links in "
                         "customers' mail travel unencrypted; serve https (a reverse proxy)"),
}


@pytest.mark.parametrize("case", WARNED)
def test_warnings_are_printed_and_the_check_passes(tmp_path, case):
    settings, warning = WARNED[case]
    result = supportbot(tmp_path, settings, "config", "check")
    assert (result.returncode, result.stdout) == (0, "configuration OK\n"), result.stderr
    assert result.stderr.splitlines() == [f"supportbot: config warning: {warning}"]


def test_a_complete_configuration_has_nothing_to_say(tmp_path):
    settings = {"IMAP_ENABLED": "true", "IMAP_HOST": "mail.vendor.se", "IMAP_USERNAME": "support",
                "IMAP_PASSWORD": SECRETS[0], "SLACK_ENABLED": "true", "SLACK_BOT_TOKEN": SECRETS[1],
                "SLACK_APP_TOKEN": SECRETS[2], "SLACK_STAFF_CHANNEL": "C0STAFF0001",
                "SLACK_ALERTS_CHANNEL": "G0ALERTS01", "DESK_SUPPORT_ADDRESS": "support@vendor.se",
                "SMTP_INGRESS_ENABLED": "true", "HTTP_PUBLIC_BASE_URL": "https://support.vendor.se/"}
    result = supportbot(tmp_path, settings, "config", "check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "configuration OK\n", "")


def test_the_sender_and_the_ingress_follow_the_support_address_unless_given(tmp_path):
    path = tmp_path / "supportbot.toml"
    path.write_text('[desk]\nsupport_address = "support@vendor.se"\nsecret_key = "k"\n[smtp_ingress]\nenabled = true\n')
    settings = load_settings(path, environ={})
    assert settings.smtp.from_address == "support@vendor.se"
    assert settings.smtp_ingress.recipients == ["support@vendor.se"]
    env = {"SUPPORTBOT_SMTP_FROM_ADDRESS": "Support@Vendor.se"}  # given, and the same address
    assert load_settings(path, environ=env).smtp.from_address == "Support@Vendor.se"
    assert not [p for p in problems(load_settings(path, environ=env)) if p.error]
    path.write_text('[desk]\nsupport_address = "support@vendor.se"\nsecret_key = "k"\n'
                    '[smtp_ingress]\nenabled = true\nrecipients = ["help@vendor.se"]\n')
    assert [str(p) for p in problems(load_settings(path, environ={})) if p.error] == [
        "smtp_ingress.recipients: does not hold desk.support_address 'support@vendor.se': mail to it and replies "
        "to its +token addresses would get 550; leave it unset to accept desk.support_address"]
    assert Settings().smtp.from_address == Settings().desk.support_address  # the defaults agree


def test_every_wrong_setting_in_the_file_is_named_at_once(tmp_path):
    path = tmp_path / "supportbot.toml"
    path.write_text("[imap]\nport = 'x'\nhostt = 'y'\n[smtp]\nport = 0\n")
    result = subprocess.run([str(SUPPORTBOT), "--config", str(path), "config", "check"], capture_output=True,
                            text=True, timeout=60, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert [line.split(":")[2].strip() for line in result.stderr.splitlines()] == ["imap.port", "imap.hostt", "smtp.port"]
