"""The generated configuration reference, and the files that must agree with the settings model.

The README's reference block must be exactly what `supportbot config reference`
prints (regenerate with `supportbot config reference --readme README.md`). The
deploy files name settings too: a variable the model does not know stops the
service at start, so they are checked here. PyYAML is not a dependency, so
docker-compose.yml is checked line by line, not parsed.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

from bot.app.config import CONFIG_ENV, Settings, iter_settings, load_settings
from bot.app.config_reference import env_name, readme_block, render

ROOT = Path(__file__).resolve().parents[2]
GRACE_S = Settings().desk.shutdown_grace_s


def environment_variables() -> dict[str, object]:
    """Every variable the reference names, with its default written as an environment value."""
    names = {}
    for name, annotation, default, _description in iter_settings():
        variable = env_name(name, annotation).strip("`")
        if variable != "file only":
            names[variable] = default
    return names


def env_value(default) -> str:
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, time):
        return default.isoformat()
    return "" if default is None else str(default)


def test_the_readme_block_is_the_generated_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == render(), (
        "README.md's configuration reference is stale: run `supportbot config reference --readme README.md`")


def test_every_setting_is_in_the_reference_with_its_variable():
    text = render()
    for name, annotation, _default, description in iter_settings():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, name
        assert env_name(name, annotation) in row and description.split(".")[0].replace("|", "\\|") in row


def test_every_variable_the_reference_names_is_accepted_and_means_the_default():
    environ = {name: env_value(default) for name, default in environment_variables().items()}
    assert "SUPPORTBOT_IMAP_LEASE_S" in environ and "SUPPORTBOT_SMTP_INGRESS_PORT" in environ
    assert load_settings(None, environ=environ) == load_settings(None, environ={})


def variables_in(path: Path) -> set[str]:
    return set(re.findall(r"\bSUPPORTBOT_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))


def test_the_deploy_files_name_only_real_settings():
    known = set(environment_variables()) | {CONFIG_ENV}
    for path in (ROOT / "docker-compose.yml", ROOT / "Dockerfile", ROOT / "deploy" / "supportbot.service",
                 ROOT / "deploy" / "supportbot.env.example"):
        assert variables_in(path) - known == set(), path.name


def test_the_dockerfile_runs_unprivileged_with_a_health_check():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()]
    [base] = [line for line in lines if line.startswith("FROM ")]
    assert base.startswith("FROM python:3.11")
    [user] = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert user not in {"root", "0"}
    assert any("pip install --no-deps --no-build-isolation ." in line for line in lines)
    healthcheck = " ".join(lines[lines.index(next(line for line in lines if line.startswith("HEALTHCHECK"))):][:2])
    assert "/healthz" in healthcheck and "urllib.request" in healthcheck
    assert lines[-1] == 'CMD ["supportbot", "run"]'


def test_the_compose_file_has_its_services_and_waits_longer_than_the_grace_period():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "\t" not in text  # YAML indents with spaces only
    services = re.findall(r"^  ([a-z_]+):$", text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0], re.M)
    assert {"bot", "postgres", "dovecot", "migrate"} <= set(services)
    assert "build: ./deploy/dovecot" in text and (ROOT / "deploy" / "dovecot" / "Dockerfile").exists()
    [grace] = re.findall(r"stop_grace_period: (\d+)s", text)
    assert int(grace) > GRACE_S
    dovecot = (ROOT / "deploy" / "dovecot" / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM debian:bookworm-slim" in dovecot and "dovecot-imapd" in dovecot


def test_the_systemd_unit_stops_gently_and_keeps_secrets_in_an_environment_file():
    unit = dict(line.split("=", 1) for line in (ROOT / "deploy" / "supportbot.service").read_text().splitlines()
                if "=" in line and not line.startswith("#"))
    assert unit["User"] not in {"root", "0"} and unit["EnvironmentFile"].startswith("/etc/supportbot/")
    assert (unit["Restart"], unit["KillSignal"]) == ("on-failure", "SIGTERM")
    assert int(unit["TimeoutStopSec"].rstrip("s")) > GRACE_S
    assert unit["ExecStart"].endswith("supportbot run")
