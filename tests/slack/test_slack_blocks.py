"""Block Kit builders: escaping of every customer-derived string, Slack's limits, values that parse back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import (
    MAX_BLOCKS,
    OPTION_VALUE_MAX,
    POST_DEFAULTS,
    build_audit_line,
    build_card,
    build_inquiry_notice,
    build_refusal,
    build_reply_modal,
    build_timeline_message,
    escape_mrkdwn,
)
from bot.slack.text import fit, quoted_chunks
from bot.desk.card_view import CardView, InquiryView
from bot.slack.ids import parse_inquiry_value, parse_reply_submission, parse_ticket_value

ATTACK = "Hi <!channel> & <!here> ask <@U123> at <https://evil.example|bank> > now"
AGENT = "U0AGENT1"
ALLOWED_MENTION = f"<@{AGENT}>"
ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")
SEEN = Seen(7, 3, "waiting_on_customer", 2, "urgent")


def card_view(**overrides: Any) -> CardView:
    values: dict[str, Any] = dict(
        ticket_id=42, revision=7, reference="TC-2026-00042", subject="Printing fails", status="open", line=1,
        priority="high", category="application", suggested_line=2, suggested_category="installation",
        organisation_name="Acme AB", contact_name="Anna Andersson", contact_email="anna@acme.example",
        assignee_slack_id=None, assignee_name=None, sla_text="due in 25 min", sla_state="due_soon",
        excerpt="The printer says error 42.", attachment_count=2,
    )
    return CardView(**(values | overrides))


def attacked_outputs() -> dict[str, Any]:
    """Every builder's output with the attack string in every customer-derived input."""
    card = card_view(
        subject=ATTACK, category=ATTACK, suggested_category=ATTACK, organisation_name=ATTACK,
        contact_name=ATTACK, contact_email=ATTACK, assignee_name=ATTACK, sla_text=ATTACK, excerpt=ATTACK * 3,
    )
    inquiry = InquiryView(inquiry_id=5, channel="email", sender_name=ATTACK, sender_email=ATTACK,
                          organisation_name=ATTACK, subject=ATTACK, excerpt=ATTACK, received_text=ATTACK)
    return {
        "card": build_card(card),
        "card_assigned": build_card(card_view(assignee_slack_id=AGENT, excerpt=ATTACK)),
        "card_closed": build_card(card_view(status="closed", subject=ATTACK, excerpt=ATTACK)),
        "timeline": build_timeline_message(ATTACK, f"{ATTACK}\n\n> {ATTACK}", [ATTACK, "log<1>.txt"], "email"),
        "audit": build_audit_line(f"sent to customer: {ATTACK}", actor_slack_id=AGENT, icon="📤"),
        "inquiry": build_inquiry_notice(inquiry),
        "modal": build_reply_modal(42, Seen(7), ATTACK, f"Hej {ATTACK},", f"Mvh\n{ATTACK}", [(1, ATTACK, ATTACK)], ATTACK),
        "refusal": build_refusal(ATTACK),
    }


def strings(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in a JSON-like tree with its path (keys and indexes)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, path + (index,))


def objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


# -- escaping ----------------------------------------------------------------------


def test_escape_mrkdwn_touches_only_the_three_control_characters():
    assert escape_mrkdwn("<!channel> & 'quotes' \"too\" > *bold*") == "&lt;!channel&gt; &amp; 'quotes' \"too\" &gt; *bold*"


@pytest.mark.parametrize("name", list(attacked_outputs()))
def test_no_customer_string_reaches_slack_as_markup(name):
    output = attacked_outputs()[name]
    seen_escaped = False
    for path, text in strings(output):
        if path and path[-1] == "initial_value":
            continue  # the reply input's raw value: edited by the agent, never rendered (checked below)
        assert "<!channel>" not in text and "<@U123>" not in text and "<https://evil" not in text, (path, text)
        assert "<" not in text.replace(ALLOWED_MENTION, ""), (path, text)
        assert ">" not in re.sub(r"(^|\n)>", "", text.replace(ALLOWED_MENTION, "")), (path, text)  # ours: quote markers
        assert not ENTITY.search(text), (path, text)
        seen_escaped |= "&lt;!channel&gt;" in text
    assert seen_escaped


def test_only_our_agent_mention_is_markup():
    outputs = attacked_outputs()
    assigned = json.dumps(outputs["card_assigned"])
    assert ALLOWED_MENTION in assigned
    assert outputs["audit"]["text"].endswith(f"by {ALLOWED_MENTION}")
    forged = build_card(card_view(assignee_slack_id="<!channel>", assignee_name="Bo"))
    assert "<!channel>" not in json.dumps(forged) and "Bo" in json.dumps(forged)
    assert "<" not in json.dumps(build_audit_line("x", actor_slack_id="U1|<!here>"))


def test_reply_prefill_is_the_raw_text_the_agent_edits():
    modal = attacked_outputs()["modal"]
    (value,) = [text for path, text in strings(modal) if path[-1] == "initial_value"]
    assert value == ATTACK


# -- limits -----------------------------------------------------------------------------

LIMITS = {"header": 150, "section": 3000, "field": 2000, "button": 75, "option": 75, "value": 2000}


def check_limits(payload: dict[str, Any]) -> None:
    """Slack's Block Kit limits over a message or modal payload."""
    blocks = payload["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= LIMITS["header"]
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= LIMITS["section"]
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= LIMITS["field"] for f in block.get("fields", []))
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
        if block["type"] == "context":
            assert len(block["elements"]) <= 10 and all(len(e["text"]) <= 3000 for e in block["elements"])
    for obj in objects(blocks):
        if obj.get("type") == "button":
            assert len(obj["text"]["text"]) <= LIMITS["button"] and len(obj["value"]) <= LIMITS["value"]
        if "options" in obj:
            assert len(obj["options"]) <= 100
            assert all(len(o["text"]["text"]) <= LIMITS["option"] and len(o["value"]) <= 150 for o in obj["options"])
        for key in ("block_id", "action_id"):
            assert len(obj.get(key, "")) <= 255
    if payload.get("type") == "modal":
        assert all(len(payload[k]["text"]) <= 24 for k in ("title", "submit", "close"))
        assert len(payload["private_metadata"]) <= 3000


def huge_outputs() -> dict[str, Any]:
    big = "x&<" * 40_000
    card = card_view(subject=big, organisation_name=big, contact_name=big, contact_email=big,
                     category=big, suggested_category=big, sla_text=big, excerpt=big, assignee_name=big)
    canned = [(i, big, big) for i in range(150)]
    return {
        "card": build_card(card),
        "timeline": build_timeline_message(big, "\n".join([big[:5000]] * 40), [big] * 100, "slack"),
        "audit": build_audit_line(big),
        "inquiry": build_inquiry_notice(InquiryView(1, "slack", big, big, big, big, big, big)),
        "modal": build_reply_modal(1, Seen(1), big, big, big, canned, big),
        "refusal": build_refusal(big),
    }


@pytest.mark.parametrize("name", list(huge_outputs()))
def test_huge_inputs_stay_within_slack_limits_and_whole_entities(name):
    output = huge_outputs()[name]
    check_limits(output)
    for path, text in strings(output):
        if path[-1] != "initial_value":
            assert not ENTITY.search(text), path  # a cut never leaves half an "&amp;"
    assert len(output.get("text", "")) <= 3000


@pytest.mark.parametrize("name", list(attacked_outputs()))
def test_ordinary_outputs_are_within_limits(name):
    check_limits(attacked_outputs()[name])


def test_truncation_is_marked():
    card = build_card(card_view(subject="S" * 400, excerpt="word " * 400))
    header, _fields, excerpt = card["blocks"][:3]
    assert header["text"]["text"].endswith("…") and len(header["text"]["text"]) == 150
    assert excerpt["text"]["text"].startswith("> ") and excerpt["text"]["text"].endswith("…")
    assert len(excerpt["text"]["text"]) < 520  # ~500 characters of the message
    short = build_card(card_view(excerpt="short"))["blocks"][2]["text"]["text"]
    assert short == "> short"
    timeline = build_timeline_message("Anna", "line\n" * 20_000, [], "email")
    sections = [b for b in timeline["blocks"] if b["type"] == "section"]
    assert sections[-1]["text"]["text"].endswith("…") and len(sections) == 5
    assert fit("abc", 3) == "abc" and fit("abcd", 3) == "ab…" and fit("a&b", 5) == "a…"


def test_quoted_chunks_keep_every_line_and_split_long_ones():
    text = "first\n" + "y" * 7000 + "\nlast <x>"
    chunks = quoted_chunks(text, 3000, 10)
    assert all(len(c) <= 3000 for c in chunks)
    joined = "".join(line[2:] for c in chunks for line in c.split("\n"))
    assert joined == "first" + "y" * 7000 + "last &lt;x&gt;"


# -- the card ------------------------------------------------------------------------------


def actions_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (block,) = [b for b in card["blocks"] if b["type"] == "actions"]
    return {e["action_id"]: e for e in block["elements"]}


def test_card_carries_metadata_and_fallback_text():
    card = build_card(card_view())
    assert card["metadata"] == {"event_type": "supportbot_ticket", "event_payload": {"ticket_id": 42, "revision": 7}}
    assert "TC-2026-00042" in card["text"] and "Printing fails" in card["text"]
    assert set(card) == {"text", "blocks", "metadata"}


def test_card_shows_the_ticket():
    card = build_card(card_view())
    header, fields = card["blocks"][0]["text"]["text"], [f["text"] for f in card["blocks"][1]["fields"]]
    assert header == "🟠 TC-2026-00042 · Printing fails"
    assert "*Organisation*\nAcme AB" in fields
    assert "*Contact*\nAnna Andersson\nanna@acme.example" in fields
    assert "*Status*\nOpen" in fields and "*Line*\n1st line" in fields and "*Priority*\n🟠 High" in fields
    assert "*Assignee*\n_unassigned_" in fields and "*SLA*\n🟡 due in 25 min" in fields
    assert "*Category*\napplication\n_suggested: line 2 / installation_" in fields
    assert card["blocks"][3]["elements"][0]["text"] == "📎 2 attachments"


def test_every_card_value_parses_back_to_the_ticket_and_what_the_card_showed():
    elements = actions_of(build_card(card_view()))
    assert set(elements) == {"ticket_claim", "ticket_reply", "ticket_request_info", "ticket_escalate", "card_more"}
    for element in elements.values():
        values = [element["value"]] if "value" in element else [o["value"] for o in element["options"]]
        for value in values:
            parsed = parse_ticket_value(value)
            assert (parsed.ticket_id, parsed.seen) == (42, Seen(7, None, "open", 1, "high"))
    choices = {aid: [parse_ticket_value(o["value"]).choice for o in e.get("options", [])] for aid, e in elements.items()}
    assert choices["ticket_escalate"] == ["2", "3"]  # not the current line
    # Priority and status behind "⋯" with Log call: five controls, one row.
    assert elements["card_more"]["type"] == "overflow" and choices["card_more"] == ["log_call", "triage"]


def test_card_buttons_follow_assignment_line_and_closure():
    assigned = actions_of(build_card(card_view(assignee_slack_id=AGENT, line=3, status="waiting_on_customer")))
    assert "ticket_unassign" in assigned and "ticket_claim" not in assigned
    assert [parse_ticket_value(o["value"]).choice for o in assigned["ticket_escalate"]["options"]] == ["2", "1"]
    assert assigned["ticket_escalate"]["options"][1]["text"]["text"] == "Back to line 1"
    assert parse_ticket_value(assigned["card_more"]["options"][0]["value"]).seen.status == "waiting_on_customer"
    closed = build_card(card_view(status="closed"))
    assert not [b for b in closed["blocks"] if b["type"] == "actions"]
    assert closed["blocks"][0]["text"]["text"].startswith("✅")
    other_rev = actions_of(build_card(card_view(revision=8)))
    assert parse_ticket_value(other_rev["ticket_reply"]["value"]).seen.revision == 8


def test_card_view_rejects_unknown_values():
    with pytest.raises(ValueError, match="priority"):
        card_view(priority="critical")
    with pytest.raises(ValueError, match="sla_state"):
        card_view(sla_state="late")


def test_parse_ticket_value_rejects_forgeries():
    fields = '"a": null, "s": "open", "l": 1, "p": "high"'
    for bad in ("", "42", "{}", '{"t": "42", "r": 1}', '{"t": 1}', "[1, 2]", '{"t": 1, "r": 1, "v": 3}',
                '{"t": 1, "r": 1, "s": "open"}', '{"t": 1, "r": 1, ' + fields.replace('"open"', '"gone"') + '}',
                '{"t": 1, "r": 1, ' + fields.replace('"l": 1', '"l": true') + '}',
                '{"t": 1, "r": 1, ' + fields.replace('null', '"7"') + '}',
                '{"t": 1, "r": 1, ' + fields.replace('"high"', '["high"]') + '}'):
        with pytest.raises(ValueError):
            parse_ticket_value(bad)
    assert parse_ticket_value('{"t": 1, "r": 4}').seen == Seen(4)  # cards posted before values carried fields


def test_the_longest_option_value_fits_slacks_limit():
    seen = Seen(2**31 - 1, 2**31 - 1, "waiting_on_customer", 3, "normal")
    view = card_view(ticket_id=2**31 - 1, revision=seen.revision, assignee_id=seen.assignee_id, status=seen.status,
                     line=seen.line, priority=seen.priority, assignee_name="Bo")
    options = [o for e in actions_of(build_card(view)).values() for o in e.get("options", [])]
    assert options and max(len(o["value"]) for o in options) <= OPTION_VALUE_MAX
    assert parse_ticket_value(max((o["value"] for o in options), key=len)).seen == seen


# -- thread posts, inquiry, modal, refusal ----------------------------------------------------


def test_timeline_message_quotes_text_and_lists_attachments():
    message = build_timeline_message("Anna <anna@x.se>", "Hello\n\nIt broke.", ["a.pdf", "b<1>.png"], "email")
    head, body, files = message["blocks"]
    assert head["elements"][0]["text"] == "📧 *Anna &lt;anna@x.se&gt;* wrote by e-mail:"
    assert body["text"]["text"] == "> Hello\n>\n> It broke."
    assert files["elements"][0]["text"] == "📎 a.pdf, b&lt;1&gt;.png"
    many = build_timeline_message("A", "t", [f"f{i}" for i in range(25)], "portal")
    assert many["blocks"][-1]["elements"][0]["text"].endswith("and 5 more")
    with pytest.raises(ValueError):
        build_timeline_message("A", "t", [], "fax")


def test_audit_line():
    line = build_audit_line("sent to customer", actor_slack_id="U123ABC", icon="📤")
    assert line["text"] == "📤 sent to customer by <@U123ABC>"
    assert line["blocks"] == [{"type": "context", "elements": [{"type": "mrkdwn", "text": line["text"]}]}]


def test_inquiry_notice_buttons():
    notice = build_inquiry_notice(InquiryView(inquiry_id=9, channel="slack", sender_name="Bo", subject="Help"))
    (actions,) = [b for b in notice["blocks"] if b["type"] == "actions"]
    ids = {e["action_id"]: e for e in actions["elements"]}
    assert set(ids) == {"inquiry_open", "inquiry_dismiss"}
    assert ids["inquiry_open"]["text"]["text"] == "Open as ticket anyway"
    assert all(parse_inquiry_value(e["value"]) == 9 for e in ids.values())


def test_reply_modal_round_trip():
    modal = build_reply_modal(42, SEEN, "TC-2026-00042", "Hej Anna,", "Mvh\nSupport", [("c1", "Thanks", "Thank you!")], "draft")
    assert modal["type"] == "modal" and modal["callback_id"] == "reply_modal"
    assert json.loads(modal["private_metadata"]) == {"t": 42, "r": 7, "a": 3, "s": "waiting_on_customer", "l": 2,
                                                     "p": "urgent"}
    text_input, files = [b for b in modal["blocks"] if b["type"] == "input"]
    assert text_input["element"]["multiline"] is True and text_input["element"]["action_id"] == "reply_text"
    assert files["element"]["type"] == "file_input" and files["optional"] is True  # files go by mail
    (canned,) = [b for b in modal["blocks"] if b["type"] == "actions"]
    assert canned["elements"][0]["options"] == [{"text": {"type": "plain_text", "text": "Thanks", "emoji": True}, "value": "c1"}]
    assert "by e-mail" in modal["blocks"][0]["elements"][0]["text"]
    in_slack = build_reply_modal(42, Seen(7), "TC-2026-00042", "Hej Anna,", "Mvh", [], in_slack=True)
    assert "in their Slack thread" in in_slack["blocks"][0]["elements"][0]["text"]
    assert [b["element"]["type"] for b in in_slack["blocks"] if b["type"] == "input"] == ["plain_text_input"]
    other = build_reply_modal(42, Seen(7), "TC-2026-00042", "Hej Anna,", "Mvh", [], "Thank you!")
    other_input, _files = [b for b in other["blocks"] if b["type"] == "input"]
    assert other_input["block_id"] != text_input["block_id"]  # so views.update shows the new prefill
    submitted = {**modal, "state": {"values": {
        text_input["block_id"]: {"reply_text": {"type": "plain_text_input", "value": "Hello <b>"}},
        "reply_canned": {"reply_canned": {"type": "static_select", "selected_option": {"value": "c1"}}},
    }}}
    result = parse_reply_submission(submitted)
    assert (result.ticket_id, result.seen, result.text, result.canned_id) == (42, SEEN, "Hello <b>", "c1")
    assert result.text_block_id == text_input["block_id"]


def test_refusal_and_post_defaults():
    refusal = build_refusal("Only agents can do that.")
    assert refusal["text"] == "⛔ Only agents can do that."
    assert POST_DEFAULTS == {"unfurl_links": False, "unfurl_media": False}
    assert "link_names" not in POST_DEFAULTS
    for output in attacked_outputs().values():
        assert "link_names" not in json.dumps(output)
