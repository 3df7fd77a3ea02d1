"""`supportbot directory import`: real desks' CSV files, every rejected row named, all or nothing, idempotent."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage.models import Contact, Organisation

HEADER = "customer_number,organisation,email,name,role,language,authorised"
GOOD = [
    "1001,Västerby kommun,asa@vasterby.example,Åsa Andersson,main_admin,sv,yes",
    "1001,Västerby kommun,john@vasterby.example,John Smith,it_contact,en,true",
    "1002,Östra Skolan AB,kim@ostra.example,Kim Berg,IT-ansvarig,sv,1",
]


@pytest.fixture
def directory(db_url, engine, tmp_path):
    """``run(text_or_bytes, *options)`` writes the file and imports it: (exit code, output)."""
    counter = iter(range(1000))

    def run(content: str | bytes, *options: str):
        path = tmp_path / f"directory-{next(counter)}.csv"
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        result = CliRunner().invoke(main, ["directory", "import", str(path), *options],
                                    env={"SUPPORTBOT_DATABASE_URL": db_url})
        return result.exit_code, result.output
    return run


def csv_text(*rows: str, header: str = HEADER, end: str = "\n") -> str:
    return end.join([header, *rows]) + end


def state(session_factory) -> dict:
    """Every organisation and contact as plain values."""
    with session_factory() as session:
        organisations = {o.id: o.number for o in session.execute(select(Organisation)).scalars()}
        return {
            "organisations": {o.number: o.name for o in session.execute(select(Organisation)).scalars()},
            "contacts": {c.email: (organisations[c.organisation_id], c.name, c.role, c.language, c.authorised,
                                   c.phone, tuple(c.services), c.slack_user_id)
                         for c in session.execute(select(Contact)).scalars()},
        }


def counts(output: str) -> dict:
    return json.loads(output)


def test_a_file_from_swedish_excel_imports_bom_semicolons_crlf_quoted_services_and_swedish_words(
        directory, session_factory):
    content = "\ufeff" + csv_text(
        "1001;Västerby kommun;Asa@Vasterby.example;Åsa Andersson;huvudadministratör;sv;ja;+46 8 123 45 67;"
        "\"Lön;Ekonomi;Lön\";U0ASA00001",
        "1001;Västerby kommun;john@vasterby.example;John Smith;IT-ansvarig;EN;nej;;;",
        ";;;;;;;;;",  # Excel's row of empty cells
        header="customer_number;organisation;email;name;role;language;authorised;phone;services;slack_user_id",
        end="\r\n")
    code, output = directory(content, "--json")
    assert code == 0, output
    assert counts(output) == {"organisations": {"created": 1, "updated": 0},
                              "contacts": {"created": 2, "updated": 0, "deauthorised": 0, "unchanged": 0},
                              "rejected": []}
    assert state(session_factory)["contacts"] == {
        "asa@vasterby.example": ("1001", "Åsa Andersson", "main_admin", "sv", True, "+46 8 123 45 67",
                                 ("Lön", "Ekonomi"), "U0ASA00001"),
        "john@vasterby.example": ("1001", "John Smith", "it_contact", "en", False, None, (), None),
    }


def test_excels_sep_line_utf16_and_quoted_commas_are_read(directory, session_factory):
    sep_file = "sep=;\n" + csv_text("1001;\"Kommunen; Norr\";a@kund.example;A;main_admin;sv;yes",
                                    header=HEADER.replace(",", ";"))
    assert directory(sep_file)[0] == 0
    utf16 = csv_text("1002\tSkolan\tb@kund.example\tBö\tit_contact\ten\tno", header=HEADER.replace(",", "\t"),
                     end="\r\n").encode("utf-16")  # Excel's "Unicode text"
    assert directory(utf16)[0] == 0
    quoted = csv_text('1003,"Bolaget, Syd",c@kund.example,"Svensson, Cecilia",main_admin,sv,yes')
    assert directory(quoted)[0] == 0
    found = state(session_factory)
    assert found["organisations"] == {"1001": "Kommunen; Norr", "1002": "Skolan", "1003": "Bolaget, Syd"}
    assert found["contacts"]["b@kund.example"][1:5] == ("Bö", "it_contact", "en", False)
    assert found["contacts"]["c@kund.example"][1] == "Svensson, Cecilia"


def test_a_cp1252_file_is_refused_with_its_line_until_its_encoding_is_given(directory, session_factory):
    content = csv_text(*GOOD).encode("cp1252")
    code, output = directory(content)
    assert code == 1
    assert "line 2: not utf-8 text (byte 0xE4); save it as \"CSV UTF-8\" or give its encoding (e.g. cp1252)" in output
    assert "nothing written" in output and state(session_factory)["contacts"] == {}
    code, output = directory(content, "--encoding", "cp1252")
    assert code == 0 and state(session_factory)["organisations"]["1001"] == "Västerby kommun"


@pytest.mark.parametrize(("row", "reason"), [
    ("1001,Västerby kommun,asa(at)vasterby.example,Åsa,main_admin,sv,yes",
     "email 'asa(at)vasterby.example' is not an e-mail address"),
    ("1001,Västerby kommun,,Åsa,main_admin,sv,yes", "email is empty"),
    ("1001,Västerby kommun,asa@vasterby.example,Åsa,admin,sv,yes",
     "role 'admin' is not one of main_admin, it_contact (or huvudadministratör, IT-ansvarig)"),
    ("1001,Västerby kommun,asa@vasterby.example,Åsa,main_admin,de,yes", "language 'de' is not sv or en"),
    ("1001,Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv,maybe",
     "authorised 'maybe' is not yes/no, true/false or 1/0"),
    (",Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv,yes", "customer_number is empty"),
    ("10 01,Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv,yes",
     "customer_number '10 01' is not a customer number (letters, digits, . _ -; at most 64)"),
    ("1001,,asa@vasterby.example,Åsa,main_admin,sv,yes", "organisation is empty"),
    ("1001,Västerby kommun,asa@vasterby.example,\"Åsa\x1b[2J\",main_admin,sv,yes", "name contains control characters"),
    ("1001,Västerby kommun,asa@vasterby.example," + "Å" * 256 + ",main_admin,sv,yes",
     "name is longer than 255 characters"),
    ("1001,Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv", "has 6 fields, the header has 7"),
    ("1001,Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv,yes,extra", "has 8 fields, the header has 7"),
], ids=["email", "no-email", "role", "language", "authorised", "no-number", "bad-number", "no-organisation",
        "control-chars", "long-name", "short-row", "long-row"])
def test_each_bad_row_is_named_with_its_line_and_nothing_is_written(directory, session_factory, row, reason):
    code, output = directory(csv_text(GOOD[1], row, GOOD[2]), "--json")
    assert code == 1
    assert counts(output) == {"organisations": {"created": 0, "updated": 0},
                              "contacts": {"created": 0, "updated": 0, "deauthorised": 0, "unchanged": 0},
                              "rejected": [{"line": 3, "reason": reason}]}
    assert state(session_factory) == {"organisations": {}, "contacts": {}}


def test_every_bad_row_is_reported_at_once_in_text_too(directory):
    code, output = directory(csv_text(GOOD[0], "1001,Västerby kommun,x,Åsa,boss,sv,yes", GOOD[1],
                                      "1002,Östra,y@ostra.example,Y,main_admin,fi,yes"))
    assert code == 1
    assert output.splitlines()[2:] == [
        "rejected: 2 rows",
        "  line 3: email 'x' is not an e-mail address; role 'boss' is not one of main_admin, it_contact "
        "(or huvudadministratör, IT-ansvarig)",
        "  line 5: language 'fi' is not sv or en",
        "nothing written: fix the rejected rows, or pass --skip-invalid to write the others",
    ]


def test_rows_that_contradict_each_other_are_rejected(directory, session_factory, engine):
    content = csv_text(
        "1001,Västerby kommun,asa@vasterby.example,Åsa,main_admin,sv,yes",
        "1001,Västerby kommun,ASA@vasterby.example,Åsa A,main_admin,sv,no",  # the same person twice
        "1001,Västerby Kommun AB,john@vasterby.example,John,it_contact,en,yes",  # another name for 1001
        "1002,Östra,kim@ostra.example,Kim,main_admin,sv,yes,U0SAME0001",
        "1002,Östra,bo@ostra.example,Bo,main_admin,sv,yes,U0SAME0001",  # one Slack user, two people
        header=HEADER + ",slack_user_id").replace("yes\n", "yes,\n").replace("no\n", "no,\n")
    code, output = directory(content, "--json")
    assert code == 1
    assert counts(output)["rejected"] == [
        {"line": 2, "reason": "email asa@vasterby.example is on lines 2 and 3: one row per contact"},
        {"line": 3, "reason": "email asa@vasterby.example is on lines 2 and 3: one row per contact"},
        {"line": 4, "reason": "organisation 'Västerby Kommun AB' for customer number 1001, but line 2 says "
                              "'Västerby kommun'"},
        {"line": 5, "reason": "slack_user_id U0SAME0001 is on lines 5 and 6: one contact per Slack user"},
        {"line": 6, "reason": "slack_user_id U0SAME0001 is on lines 5 and 6: one contact per Slack user"},
    ]


@pytest.mark.parametrize(("header", "reason"), [
    ("customer_number,organisation,email,name,role,language",
     "missing column authorised"),
    (HEADER + ",telefon", "unknown column telefon (known: customer_number, organisation, email, name, role, "
                          "language, authorised, phone, slack_user_id, services)"),
    (HEADER + ",email", "repeated column email"),
    ("", "no header: the file is empty"),
], ids=["missing", "unknown", "repeated", "empty"])
def test_a_bad_header_rejects_the_file_at_line_1(directory, header, reason):
    code, output = directory(csv_text(header=header) if header else "", "--json")
    assert code == 1 and counts(output)["rejected"] == [{"line": 1, "reason": reason}]


def test_dry_run_counts_and_writes_nothing(directory, session_factory):
    code, output = directory(csv_text(*GOOD), "--dry-run")
    assert code == 0
    assert output.splitlines() == ["organisations: 2 created, 0 updated",
                                   "contacts: 3 created, 0 updated, 0 deauthorised, 0 unchanged",
                                   "dry run: nothing written"]
    assert state(session_factory) == {"organisations": {}, "contacts": {}}


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad(directory, session_factory):
    code, output = directory(csv_text(GOOD[0], "1001,Västerby kommun,bad,X,main_admin,sv,yes", GOOD[2]),
                             "--skip-invalid", "--json")
    assert code == 0
    assert counts(output) == {"organisations": {"created": 2, "updated": 0},
                              "contacts": {"created": 2, "updated": 0, "deauthorised": 0, "unchanged": 0},
                              "rejected": [{"line": 3, "reason": "email 'bad' is not an e-mail address"}]}
    assert set(state(session_factory)["contacts"]) == {"asa@vasterby.example", "kim@ostra.example"}


def test_importing_the_same_file_twice_changes_nothing(directory, session_factory):
    content = csv_text(*[row + ",+46 8 1234567,Lön;Ekonomi,U0P%07d" % n for n, row in enumerate(GOOD)],
                       header=HEADER + ",phone,services,slack_user_id")
    assert counts(directory(content, "--json")[1])["contacts"]["created"] == 3
    before = state(session_factory)
    code, output = directory(content, "--json", "--prune")
    assert code == 0
    assert counts(output) == {"organisations": {"created": 0, "updated": 0},
                              "contacts": {"created": 0, "updated": 0, "deauthorised": 0, "unchanged": 3},
                              "rejected": []}
    assert state(session_factory) == before


def test_changes_are_updates_and_an_email_may_move_between_organisations(directory, session_factory):
    assert directory(csv_text(*[row + ",08-123 45" for row in GOOD], header=HEADER + ",phone"))[0] == 0
    moved = csv_text(
        "1001,Västerby Kommun,asa@vasterby.example,Åsa Andersson,main_admin,sv,yes",  # organisation renamed
        "1002,Östra Skolan AB,John@Vasterby.example,John Smith,it_contact,en,true",  # moved to 1002
        "1002,Östra Skolan AB,kim@ostra.example,Kim Berg,IT-ansvarig,sv,no")  # no longer authorised
    code, output = directory(moved, "--json")
    assert counts(output) == {"organisations": {"created": 0, "updated": 1},
                              "contacts": {"created": 0, "updated": 1, "deauthorised": 1, "unchanged": 1},
                              "rejected": []}
    contacts = state(session_factory)["contacts"]
    assert contacts["john@vasterby.example"][0] == "1002"
    assert contacts["kim@ostra.example"][4] is False
    assert {c[5] for c in contacts.values()} == {"08-123 45"}  # no phone column: phones stay
    assert state(session_factory)["organisations"]["1001"] == "Västerby Kommun"


def test_empty_optional_cells_clear_phone_and_services_but_keep_a_slack_link(directory, session_factory):
    header = HEADER + ",phone,services,slack_user_id"
    directory(csv_text(GOOD[0] + ",+46 8 1234567,Lön,U0ASA00001", header=header))
    code, output = directory(csv_text(GOOD[0] + ",,,", header=header), "--json")
    assert counts(output)["contacts"]["updated"] == 1
    assert state(session_factory)["contacts"]["asa@vasterby.example"][5:] == (None, (), "U0ASA00001")


def test_a_slack_user_linked_to_someone_not_on_the_file_is_refused(directory, session_factory):
    header = HEADER + ",slack_user_id"
    directory(csv_text(GOOD[0] + ",U0ASA00001", header=header))
    code, output = directory(csv_text(GOOD[1] + ",U0ASA00001", header=header), "--json")
    assert code == 1
    assert counts(output)["rejected"] == [{"line": 2, "reason": "slack_user_id U0ASA00001 is linked to "
                                                                "asa@vasterby.example"}]
    # Moving the link in one file works: Åsa gets another Slack user, John takes hers.
    code, output = directory(csv_text(GOOD[0] + ",U0ASA00002", GOOD[1] + ",U0ASA00001", header=header), "--json")
    assert code == 0, output
    contacts = state(session_factory)["contacts"]
    assert (contacts["asa@vasterby.example"][7], contacts["john@vasterby.example"][7]) == ("U0ASA00002", "U0ASA00001")


def test_prune_deauthorises_the_listed_organisations_missing_contacts_and_deletes_no_one(directory, session_factory):
    directory(csv_text(*GOOD))
    code, output = directory(csv_text(GOOD[0]), "--prune", "--json")  # John left 1001; 1002 is not on the file
    assert code == 0
    assert counts(output)["contacts"] == {"created": 0, "updated": 0, "deauthorised": 1, "unchanged": 1}
    contacts = state(session_factory)["contacts"]
    assert contacts["john@vasterby.example"][4] is False  # kept, de-authorised
    assert contacts["kim@ostra.example"][4] is True  # another organisation: untouched
    assert counts(directory(csv_text(GOOD[0]), "--prune", "--json")[1])["contacts"] == {
        "created": 0, "updated": 0, "deauthorised": 0, "unchanged": 1}
    without_prune = counts(directory(csv_text(GOOD[0]), "--json")[1])
    assert without_prune["contacts"]["deauthorised"] == 0


def test_prune_spares_an_organisation_with_a_rejected_row(directory, session_factory):
    directory(csv_text(*GOOD))
    # John's row has a typo: pruning 1001 would take his access away for it.
    code, output = directory(csv_text(GOOD[0], "1001,Västerby kommun,john@vasterby,John,it_contact,en,yes", GOOD[2]),
                             "--prune", "--skip-invalid")
    assert code == 0
    assert "--prune left organisation 1001 alone: they have rejected rows" in output
    assert state(session_factory)["contacts"]["john@vasterby.example"][4] is True
