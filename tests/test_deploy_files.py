"""The deployable build: locks, pinned base image, build context, licence, unit.

These read the files a packager ships; `make install`, the Dockerfile and CI all
install from the locks, so a lock that lost a dependency would only show at the
next fresh install. Here it shows at once.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ \\;]+)")


def pins(lock: str) -> dict[str, str]:
    """name -> version for every package in a lock, checking each carries hashes."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{lock}: {match.group(1)} has no hash"
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def unsatisfied(requirements: list[str], locked: dict[str, str]) -> list[str]:
    missing = []
    for line in requirements:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            missing.append(line)
    return missing


def test_the_runtime_lock_pins_every_dependency_and_the_build_back_end():
    locked = pins("requirements.lock")
    assert unsatisfied(PYPROJECT["project"]["dependencies"], locked) == []
    assert unsatisfied(PYPROJECT["build-system"]["requires"], locked) == []
    assert "pytest" not in locked  # test tools stay out of the service's image


def test_the_dev_lock_adds_the_test_tools_on_the_same_runtime_versions():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert unsatisfied(PYPROJECT["project"]["optional-dependencies"]["test"], dev) == []
    assert {name: dev.get(name) for name in runtime} == runtime


def test_make_install_and_the_image_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^lock:", makefile, re.M)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_base_image_is_pinned_by_digest():
    [base] = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
              if line.startswith("FROM ")]
    assert re.fullmatch(r"FROM python:3\.11(\.\d+)?-slim-bookworm@sha256:[0-9a-f]{64}", base)


def test_the_build_context_holds_what_the_dockerfile_copies_and_nothing_private():
    rules = [line for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert rules[0] == "*"  # an allow list: a new file stays out until named
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    copied = set()
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            copied.update(part.removeprefix("./") for part in line.split()[1:-1])
    assert copied <= allowed
    assert not allowed & {".venv", ".git", "tests", "supportbot.db"}


def test_the_licence_file_matches_pyproject():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


UNIT = ROOT / "deploy" / "supportbot.service"


def test_the_unit_is_hardened():
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    assert settings["CapabilityBoundingSet"] == [""] and settings["NoNewPrivileges"] == ["yes"]
    assert "@system-service" in settings["SystemCallFilter"]
    for key in ("RestrictNamespaces", "ProtectClock", "ProtectHostname", "ProtectKernelLogs",
                "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
                "PrivateDevices", "PrivateTmp", "MemoryDenyWriteExecute"):
        assert settings[key] == ["yes"], key
    assert settings["ProtectSystem"] == ["strict"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_rates_the_unit_ok():
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(UNIT)],
                            capture_output=True, text=True, check=False)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 2.0  # 1.1 ("OK") when the unit was written
