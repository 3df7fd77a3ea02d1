"""`supportbot org list|show` and `contact list|add|show|deauthorise`: the directory from the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.handlers.conftest import Desk, mail

CSV = """customer_number,organisation,email,name,role,language,authorised,phone,services
1001,Västerby kommun,asa@vasterby.example,Åsa Andersson,main_admin,sv,yes,+46 8 123 45 67,Lön;Ekonomi
1001,Västerby kommun,john@vasterby.example,John Smith,it_contact,en,yes,,
1002,Östra Skolan,kim@ostra.example,Kim \x1b]2;pwned\x07Berg,it_contact,sv,no,,
"""


@pytest.fixture
def cli(db_url, engine, tmp_path):
    from bot.cli import main

    (tmp_path / "directory.csv").write_text(CSV.replace("Kim \x1b]2;pwned\x07Berg", "Kim Berg"), encoding="utf-8")

    def run(*args: str):
        result = CliRunner().invoke(main, list(args), env={"SUPPORTBOT_DATABASE_URL": db_url})
        return result.exit_code, result.output
    assert run("directory", "import", str(tmp_path / "directory.csv"))[0] == 0
    return run


def test_org_list_and_show(cli):
    code, output = cli("org", "list")
    assert code == 0 and output.splitlines() == [
        "1001         Västerby kommun  (2/2 contacts authorised)",
        "1002         Östra Skolan  (0/1 contacts authorised)"]
    first = json.loads(cli("org", "list", "--json")[1])[0]
    assert first.pop("created_at").endswith("+00:00")
    assert first == {"customer_number": "1001", "name": "Västerby kommun", "contacts": 2, "authorised": 2}
    code, output = cli("org", "show", "1001")
    assert output.splitlines() == ["Västerby kommun (customer number 1001)", "tickets: none",
                                   "contacts: 2 of 2 authorised",
                                   "  asa@vasterby.example  Åsa Andersson  main_admin  sv  authorised",
                                   "  john@vasterby.example  John Smith  it_contact  en  authorised"]
    assert cli("org", "show", "9999") == (1, "supportbot: no organisation with customer number '9999'\n")


def test_contact_list_show_and_json(cli):
    code, output = cli("contact", "list", "--org", "1002")
    assert output.splitlines() == ["1002         kim@ostra.example  Kim Berg  it_contact  sv  NOT authorised"]
    everyone = json.loads(cli("contact", "list", "--json")[1])
    assert [c["email"] for c in everyone] == ["asa@vasterby.example", "john@vasterby.example", "kim@ostra.example"]
    asa = everyone[0]
    assert (asa["phone"], asa["services"], asa["organisation"]) == (
        "+46 8 123 45 67", ["Lön", "Ekonomi"], {"customer_number": "1001", "name": "Västerby kommun"})
    code, output = cli("contact", "show", "ASA@vasterby.example")
    assert code == 0 and "  services      Lön; Ekonomi" in output and "  phone         +46 8 123 45 67" in output
    assert json.loads(cli("contact", "show", "asa@vasterby.example", "--json")[1])["tickets"] == {}
    assert cli("contact", "show", "nobody@x.example")[0] == 1
    assert cli("contact", "list", "--org", "9999")[0] == 1


def test_contact_add_creates_updates_and_reauthorises(cli):
    assert cli("contact", "add", "Bo@Vasterby.example", "--org", "1001", "--name", "Bo Ek", "--role",
               "huvudadministratör") == (0, "created bo@vasterby.example: authorised contact of Västerby kommun (1001)\n")
    bo = json.loads(cli("contact", "show", "bo@vasterby.example", "--json")[1])
    assert (bo["name"], bo["role"], bo["language"], bo["authorised"]) == ("Bo Ek", "main_admin", "sv", True)
    assert cli("contact", "add", "kim@ostra.example", "--org", "1002", "--language", "en")[1].startswith("updated")
    kim = json.loads(cli("contact", "show", "kim@ostra.example", "--json")[1])
    assert (kim["name"], kim["language"], kim["authorised"]) == ("Kim Berg", "en", True)
    assert cli("contact", "add", "kim@ostra.example", "--org", "1002")[1].startswith("unchanged")
    assert cli("contact", "add", "x@y.example", "--org", "9999")[0] == 1
    code, output = cli("contact", "add", "x@y.example", "--org", "1001", "--role", "chef")
    assert code == 2 and "role 'chef' is not one of" in output
    assert cli("contact", "add", "not-an-address", "--org", "1001")[0] == 2


def test_a_deauthorised_contact_is_answered_as_an_unknown_sender(cli, session_factory, tmp_path):
    from bot.app.config import Settings

    assert cli("contact", "deauthorise", "John@Vasterby.example") == (
        0, "de-authorised john@vasterby.example: their new mail gets the unknown-sender answer\n")
    assert cli("contact", "deauthorise", "john@vasterby.example") == (
        0, "john@vasterby.example was already de-authorised\n")
    assert cli("contact", "deauthorise", "nobody@vasterby.example")[0] == 1
    desk = Desk(session_factory, Settings(), tmp_path / "attachments")
    outcome = desk.receive(mail(sender="John Smith <john@vasterby.example>", subject="New question"))
    assert "unauthorised contact john@vasterby.example" in outcome.decisions
    assert [row.payload["template"] for row in desk.mails()] == ["unknown_sender"]
    john = json.loads(cli("contact", "show", "john@vasterby.example", "--json")[1])
    assert john["authorised"] is False and john["name"] == "John Smith"  # kept, not deleted


def test_names_from_the_file_cannot_drive_the_terminal(db_url, engine, tmp_path):
    from bot.cli import main
    from storage.db import make_session_factory
    from storage.models import Contact

    cli_env = {"SUPPORTBOT_DATABASE_URL": db_url}
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(main, ["directory", "import", str(tmp_path / "d.csv"), "--skip-invalid"], env=cli_env)
    assert "name contains control characters" in result.output  # refused at the door …
    with make_session_factory(engine)() as session:  # … and escaped if it got in another way
        session.add(Contact(organisation_id=1, email="eve@x.example", name="Eve\x1b]2;pwned\x07", created_at=_now()))
        session.commit()
    shown = CliRunner().invoke(main, ["contact", "list"], env=cli_env).output
    assert "\x1b" not in shown and "\x07" not in shown and "Eve\\x1b]2;pwned\\x07" in shown


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
