"""The card's "⋯" menu: Log call (on the record, optionally the first response), Priority and status
(closing asks to confirm), and the calmer card itself."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner  # noqa: F401  (ticket show is printed through click)

from bot.cli.ticket import _print_entry
from bot.desk.ticket_timeline import ticket_timeline
from bot.slack.blocks.card import build_card, build_inquiry_notice
from bot.slack.blocks.card_more import (
    CARD_MORE,
    FIRST_RESPONSE,
    LOG_CALL,
    OUTCOME,
    SUMMARY,
    TRIAGE,
    WHOM,
)
from bot.slack.listeners.notices import CLOSE_CONFIRM
from bot.desk.card_view import InquiryView
from bot.slack.ids import STATUS, parse_ticket_value
from tests.slack.test_slack_blocks import card_view
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    card_click,
    ephemerals,
    slack_env,
    slack_standin,
    submission,
)
from zoneinfo import ZoneInfo


def open_modal(env, standin, ticket, choice):
    async def scenario():
        await env.harness().deliver(card_click(CARD_MORE, ticket, choice=choice))
    asyncio.run(scenario())
    return standin.calls("views.open")[-1].response["view"]


def submit(env, view, values):
    async def scenario():
        return await env.harness().deliver(submission(view, values))
    return asyncio.run(scenario())


def call_values(whom="Åsa Andersson", summary="Gick igenom exporten i telefon; den fungerar nu.", outcome="solved",
                counts=True):
    values = {WHOM: {WHOM: {"type": "plain_text_input", "value": whom}},
              SUMMARY: {SUMMARY: {"type": "plain_text_input", "value": summary}},
              OUTCOME: {OUTCOME: {"type": "static_select", "selected_option": {"value": outcome}} if outcome else
                        {"type": "static_select", "selected_option": None}},
              FIRST_RESPONSE: {FIRST_RESPONSE: {"type": "checkboxes",
                                                "selected_options": [{"value": "yes"}] if counts else []}}}
    return values


def test_a_logged_call_that_counts_stops_the_sla_clock_and_is_on_the_record(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    assert ticket.first_response_at is None and ticket.sla_next_check_at is not None
    view = open_modal(slack_env, slack_standin, ticket, LOG_CALL)
    assert view["callback_id"] == "log_call_modal"
    assert next(b for b in view["blocks"] if b.get("block_id") == WHOM)["element"]["initial_value"] == "Åsa"
    response = submit(slack_env, view, call_values())
    assert response.body == ""
    after = slack_env.ticket(ticket.id)
    assert after.first_response_at == slack_env.now and after.sla_next_check_at is None  # the clock stopped
    (call,) = slack_env.events("call_logged")
    assert call.data == {"whom": "Åsa Andersson", "summary": "Gick igenom exporten i telefon; den fungerar nu.",
                         "outcome": "solved", "first_response": True}
    assert [e.kind for e in slack_env.events()] == ["created", "first_response", "call_logged"]
    audit = slack_env.outbox("slack.audit")[-1].payload
    assert audit["icon"] == "📞" and audit["actor_slack_id"] == AGNES
    assert audit["text"].startswith("call with Åsa Andersson (solved) · counts as first response: “Gick igenom")


def test_ticket_show_has_a_line_for_the_call(slack_env, slack_standin, capsys):
    ticket = slack_env.add_ticket()
    submit(slack_env, open_modal(slack_env, slack_standin, ticket, LOG_CALL), call_values(counts=False))
    with slack_env.sessions() as session:
        timeline = ticket_timeline(session, ticket.reference)
    for entry in timeline.entries:
        _print_entry(entry, ZoneInfo("Europe/Stockholm"))
    shown = capsys.readouterr().out
    (line,) = [line for line in shown.splitlines() if "call_logged" in line]
    assert "whom=Åsa Andersson" in line and "outcome=solved" in line and "first_response=False" in line


def test_a_call_that_does_not_count_leaves_the_clock_running(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    submit(slack_env, open_modal(slack_env, slack_standin, ticket, LOG_CALL), call_values(counts=False,
                                                                                         outcome="no_answer"))
    after = slack_env.ticket(ticket.id)
    assert after.first_response_at is None and after.sla_next_check_at is not None
    assert [e.kind for e in slack_env.events()] == ["created", "call_logged"]


def test_a_call_without_a_summary_keeps_the_modal_open_and_records_nothing(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    response = submit(slack_env, open_modal(slack_env, slack_standin, ticket, LOG_CALL), call_values(summary="  "))
    assert '"response_action": "errors"' in response.body and SUMMARY in response.body
    assert slack_env.events("call_logged") == [] and slack_env.ticket(ticket.id).revision == ticket.revision


def triage(priority, status):
    pick = lambda value: {"type": "static_select", "selected_option": {"value": value} if value else None}  # noqa: E731
    return {"triage_priority": {"triage_priority": pick(priority)}, "triage_status": {"triage_status": pick(status)}}


def test_closed_from_the_menu_asks_for_confirmation_and_changes_nothing(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    view = open_modal(slack_env, slack_standin, ticket, TRIAGE)
    submit(slack_env, view, triage("normal", "closed"))
    after = slack_env.ticket(ticket.id)
    assert (after.status, after.closed_at, after.revision) == (ticket.status, None, ticket.revision)
    assert slack_env.outbox("email") == [] and [e.kind for e in slack_env.events()] == ["created"]
    (confirmation,) = ephemerals(slack_standin, AGNES)
    button = confirmation["blocks"][-1]["elements"][0]
    assert button["action_id"] == CLOSE_CONFIRM and parse_ticket_value(button["value"]).ticket_id == ticket.id


def test_the_menu_sets_priority_and_a_status_other_than_closed(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    submit(slack_env, open_modal(slack_env, slack_standin, ticket, TRIAGE), triage("urgent", "waiting_on_customer"))
    after = slack_env.ticket(ticket.id)
    assert (after.priority, after.status) == ("urgent", "waiting_on_customer")


def test_closed_on_an_older_cards_status_select_asks_for_confirmation_too(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        await slack_env.harness().deliver(card_click(STATUS, ticket, choice="closed"))
    asyncio.run(scenario())
    assert slack_env.ticket(ticket.id).status == ticket.status and slack_env.outbox("email") == []
    (confirmation,) = ephemerals(slack_standin, AGNES)
    assert confirmation["blocks"][-1]["elements"][0]["action_id"] == CLOSE_CONFIRM


def test_a_calm_card_shows_no_empty_fields_and_no_emoji_for_a_normal_priority():
    card = build_card(card_view(priority="normal", organisation_name=None, sla_text=None, sla_state=None,
                                category=None, suggested_line=None, suggested_category=None))
    header = card["blocks"][0]["text"]["text"]
    fields = [f["text"] for f in card["blocks"][1]["fields"]]
    assert header == "TC-2026-00042 · Printing fails"
    assert [f.split("\n")[0] for f in fields] == ["*Contact*", "*Status*", "*Line*", "*Priority*", "*Assignee*"]
    assert "*Priority*\nNormal" in fields and not any("—" in f for f in fields)
    loud = build_card(card_view(priority="urgent"))
    assert loud["blocks"][0]["text"]["text"].startswith("🔴 ") and "*Priority*\n🔴 Urgent" in [
        f["text"] for f in loud["blocks"][1]["fields"]]


def test_open_as_ticket_anyway_is_not_the_primary_button():
    notice = build_inquiry_notice(InquiryView(inquiry_id=9, channel="email", sender_name="Bo", subject="Help"))
    (actions,) = [b for b in notice["blocks"] if b["type"] == "actions"]
    assert all("style" not in e or e["style"] != "primary" for e in actions["elements"])
