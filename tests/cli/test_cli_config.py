"""`supportbot config check` and `supportbot config reference`."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import main
from bot.app.config_reference import END, START, readme_block, render


def check(tmp_path, text: str | None = None, env: dict | None = None):
    args = ["config", "check"]
    if text is not None:
        path = tmp_path / "supportbot.toml"
        path.write_text(text, encoding="utf-8")
        args = ["--config", str(path), *args]
    return CliRunner().invoke(main, args, env=env or {})


def test_a_good_configuration_is_ok(tmp_path):
    env = {"SUPPORTBOT_IMAP_PASSWORD": "imap-secret", "SUPPORTBOT_DESK_SECRET_KEY": "desk-secret"}
    result = check(tmp_path, '[imap]\nenabled = true\nhost = "mail.vendor.se"\nusername = "support"\nlease_s = 45\n'
                             '[http]\npublic_base_url = "https://support.vendor.se/"\n', env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "configuration OK\n", "")


def test_the_built_in_defaults_need_a_secret_key_and_receive_nothing(tmp_path):
    result = check(tmp_path)  # no file
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("supportbot: config error: desk.secret_key: required when http.enabled")
    result = check(tmp_path, env={"SUPPORTBOT_DESK_SECRET_KEY": "desk-secret"})
    assert (result.exit_code, result.stdout) == (0, "configuration OK\n")
    assert result.stderr.startswith("supportbot: config warning: imap.enabled, smtp_ingress.enabled")


def test_a_wrong_setting_is_one_line_naming_it_and_exit_2(tmp_path):
    result = check(tmp_path, "[imap]\nlease_s = 0.5\n")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("supportbot: config error: imap.lease_s: Input should be greater than or equal")
    assert result.stderr.count("\n") == 1
    unknown = check(tmp_path, env={"SUPPORTBOT_IMAP_LEASE": "30"})
    assert (unknown.exit_code, unknown.stderr) == (
        2, "supportbot: config error: environment SUPPORTBOT_IMAP_LEASE: unknown setting imap.lease\n")


def test_the_hours_file_is_checked_too(tmp_path):
    bad = tmp_path / "hours.toml"
    bad.write_text('[[deviation]]\ndate = 2026-09-18\nstart = "13:00"\nend = "11:00"\n', encoding="utf-8")
    result = check(tmp_path, f'[hours]\ndeviations_file = "{bad}"\n', env={"SUPPORTBOT_DESK_SECRET_KEY": "k"})
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"supportbot: config error: {bad} line 4: end 11:00 is before start 13:00\n"


def test_reference_prints_the_generated_tables_without_needing_a_valid_configuration():
    result = CliRunner().invoke(main, ["config", "reference"], env={"SUPPORTBOT_NO_SUCH": "x"})
    assert result.exit_code == 0, result.output
    assert result.stdout == render()
    assert "| `imap.lease_s` | number | `30.0` | `SUPPORTBOT_IMAP_LEASE_S` |" in result.stdout


def test_reference_rewrites_the_block_in_a_readme(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n## Configuration reference\n\n{START}\nstale\n{END}\n\n## Next\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["config", "reference", "--readme", str(readme)])
    assert result.exit_code == 0, result.output
    text = readme.read_text(encoding="utf-8")
    assert readme_block(text) == render()
    assert text.startswith("# x\n\n## Configuration reference\n\n") and text.endswith(f"{END}\n\n## Next\n")
