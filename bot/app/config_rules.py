"""Rules across settings, checked by `config check` and `run` before anything starts.

Pydantic checks each setting alone when the file is read (bot/app/config.py). These
rules need several at once: an enabled Slack without its token, IMAP without a login,
links signed with a key that changes at every restart. Issue 18: `config check` said
OK with Slack enabled and no token, then `run` died with a 40-line traceback and exit 1
(a systemd restart loop). Every problem names the setting to change; all errors come
at once, so one edit fixes the file. Warnings are printed, and the desk starts.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.app.config import Settings
from bot.domain.mail.mailboxes import is_mailbox

# Slack ids, not names: "#support" in slack.staff_channel fails at the first post.
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def problems(settings: Settings) -> list[Problem]:
    """Every cross-setting error and warning, errors first."""
    found = [*_slack(settings), *_imap(settings), *_http(settings), *_addresses(settings), *_warnings(settings)]
    return sorted(found, key=lambda problem: not problem.error)


def _required(setting: str, value: object, when: str, env: str | None = None, because: str = "") -> list[Problem]:
    if value:
        return []
    where = f" (set {env})" if env else ""
    return [Problem(setting, f"required {when}{where}" + (f": {because}" if because else ""))]


def _secret(secret) -> str:
    return secret.get_secret_value()


def _slack(settings: Settings) -> list[Problem]:
    slack = settings.slack
    if not slack.enabled:
        return []
    found = _required("slack.bot_token", _secret(slack.bot_token), "when slack.enabled", "SUPPORTBOT_SLACK_BOT_TOKEN")
    found += _token_kind("slack.bot_token", _secret(slack.bot_token), "xoxb-", "the Bot User OAuth Token")
    if slack.mode == "socket":
        found += _required("slack.app_token", _secret(slack.app_token), 'in Socket Mode (slack.mode = "socket")',
                           "SUPPORTBOT_SLACK_APP_TOKEN")
        found += _token_kind("slack.app_token", _secret(slack.app_token), "xapp-", "an App-Level Token")
    else:
        found += _required("slack.signing_secret", _secret(slack.signing_secret), 'in HTTP mode (slack.mode = "http")',
                           "SUPPORTBOT_SLACK_SIGNING_SECRET")
        if not settings.http.enabled:
            found.append(Problem("http.enabled", 'must be true for slack.mode = "http": Slack posts to /slack/events'))
    found += _required("slack.staff_channel", slack.staff_channel, "when slack.enabled", because="the cards go there")
    for name in ("staff_channel", "alerts_channel", "survey_channel"):
        value = getattr(slack, name)
        if value and not _CHANNEL_ID.fullmatch(value):
            found.append(Problem(f"slack.{name}", f"{value!r} is not a channel id (C… or G…; the channel's "
                                                  "details in Slack show it), not a #name"))
    return found


def _token_kind(setting: str, token: str, prefix: str, what: str) -> list[Problem]:
    # The value is a secret: only its kind is named, never a character of it.
    if not token or token.startswith(prefix):
        return []
    return [Problem(setting, f"is not {what} (it starts with {prefix}…)")]


def _imap(settings: Settings) -> list[Problem]:
    imap = settings.imap
    if not imap.enabled:
        return []
    return [*_required("imap.host", imap.host, "when imap.enabled"),
            *_required("imap.username", imap.username, "when imap.enabled"),
            *_required("imap.password", _secret(imap.password), "when imap.enabled", "SUPPORTBOT_IMAP_PASSWORD")]


def _http(settings: Settings) -> list[Problem]:
    found = []
    if settings.http.enabled:
        found += _required("desk.secret_key", _secret(settings.desk.secret_key), "when http.enabled",
                           "SUPPORTBOT_DESK_SECRET_KEY", "it signs the close and survey links; a random key breaks "
                           "them at every restart")
    url = urlsplit(settings.http.public_base_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        found.append(Problem("http.public_base_url", f"{settings.http.public_base_url!r} is not an http(s) URL "
                                                     "(e.g. https://support.vendor.se/)"))
    return found


def _addresses(settings: Settings) -> list[Problem]:
    # Replies come back to support+<token>@<its domain> (the Reply-To), new cases to the
    # address itself: what we send from and what the ingress accepts must be that address.
    support = settings.desk.support_address
    if not is_mailbox(support):
        return [Problem("desk.support_address", f"{support!r} is not one e-mail address")]
    found = []
    if settings.smtp.from_address.lower() != support.lower():
        found.append(Problem("smtp.from_address", f"{settings.smtp.from_address!r} differs from desk.support_address "
                                                  f"{support!r}: customers who answer the From would miss the desk; "
                                                  "leave it unset to send from desk.support_address"))
    recipients = [address.lower() for address in settings.smtp_ingress.recipients]
    if settings.smtp_ingress.enabled and support.lower() not in recipients:
        found.append(Problem("smtp_ingress.recipients", f"does not hold desk.support_address {support!r}: mail to it "
                                                        "and replies to its +token addresses would get 550; "
                                                        "leave it unset to accept desk.support_address"))
    return found


def _intake_enabled(settings: Settings) -> bool:
    portal = settings.http.enabled and bool(_secret(settings.portal.webhook_secret))
    return settings.imap.enabled or settings.smtp_ingress.enabled or settings.slack.enabled or portal


def _warnings(settings: Settings) -> list[Problem]:
    if not _intake_enabled(settings):
        return [Problem("imap.enabled, smtp_ingress.enabled, slack.enabled, portal.webhook_secret",
                        "no intake is enabled: the desk will receive nothing", error=False)]
    url = urlsplit(settings.http.public_base_url)
    if not url.hostname:
        return []
    if _loopback(url.hostname):
        return [Problem("http.public_base_url", f"{settings.http.public_base_url} is on loopback: the close and "
                        "survey links in customers' mail will not open for them", error=False)]
    if url.scheme == "http":
        return [Problem("http.public_base_url", f"{settings.http.public_base_url} is plain http: the single-use "
                        "links in customers' mail travel unencrypted; serve https (a reverse proxy)", error=False)]
    return []


def _loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
