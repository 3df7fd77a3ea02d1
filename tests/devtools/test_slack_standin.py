"""The Slack stand-in, driven by the real slack_sdk clients (sync and async) over HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.request
from dataclasses import replace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.devtools.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandin, format_call
from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import POST_DEFAULTS, build_card, build_reply_modal, build_timeline_message
from bot.slack.client import make_sync_web_client, make_web_client
from bot.desk.card_view import CardView

CARD = CardView(ticket_id=1, revision=1, reference="TC-2026-00001", subject="Printer <!channel>", excerpt="It broke & burned")


def client(standin: SlackStandin, token: str | None = None) -> WebClient:
    return WebClient(token=token or standin.token, base_url=standin.base_url)


def test_post_then_update_a_card(standin):
    web = client(standin)
    posted = web.chat_postMessage(channel="C0STAFF", **build_card(CARD), **POST_DEFAULTS)
    assert posted["ok"] and posted["channel"] == "C0STAFF" and posted["ts"] == "1700000000.000100"
    assert posted["message"]["metadata"]["event_payload"] == {"ticket_id": 1, "revision": 1}
    changed = replace(CARD, revision=2, status="open")
    updated = web.chat_update(channel="C0STAFF", ts=posted["ts"], **build_card(changed))
    assert updated["ts"] == posted["ts"] and updated["message"]["metadata"]["event_payload"]["revision"] == 2
    (post,) = standin.calls("chat.postMessage")
    assert post.params["unfurl_links"] is False and post.params["unfurl_media"] is False
    assert post.headers["Authorization"] == f"Bearer {standin.token}"
    (stored,) = standin.messages("C0STAFF")
    assert stored["blocks"] == build_card(changed)["blocks"]
    missing = pytest.raises(SlackApiError, web.chat_update, channel="C0STAFF", ts="1.2", text="x")
    assert missing.value.response["error"] == "message_not_found"


def test_thread_replies_permalink_reactions_and_delete(standin):
    web = client(standin)
    card = web.chat_postMessage(channel="C0STAFF", **build_card(CARD))
    reply = web.chat_postMessage(channel="C0STAFF", thread_ts=card["ts"],
                                 **build_timeline_message("Anna", "More info", [], "email"))
    assert float(reply["ts"]) > float(card["ts"])
    thread = web.conversations_replies(channel="C0STAFF", ts=card["ts"])["messages"]
    assert [m["ts"] for m in thread] == [card["ts"], reply["ts"]]
    link = web.chat_getPermalink(channel="C0STAFF", message_ts=card["ts"])["permalink"]
    assert link.endswith(f"/archives/C0STAFF/p{card['ts'].replace('.', '')}")
    assert web.reactions_add(channel="C0STAFF", timestamp=card["ts"], name="eyes")["ok"]
    with pytest.raises(SlackApiError, match="already_reacted"):
        web.reactions_add(channel="C0STAFF", timestamp=card["ts"], name="eyes")
    assert web.chat_postEphemeral(channel="C0STAFF", user="U0AGENT1", text="no")["message_ts"]
    web.chat_delete(channel="C0STAFF", ts=reply["ts"])
    assert [m["ts"] for m in standin.messages()] == [card["ts"]]
    with pytest.raises(SlackApiError, match="no_text"), pytest.warns(UserWarning, match="text"):
        web.chat_postMessage(channel="C0STAFF")


def test_users_directory(standin):
    web = client(standin)
    found = web.users_lookupByEmail(email="Agnes@Vendor.example")["user"]
    assert found["id"] == "U0AGENT1" and found["profile"]["email"] == "agnes@vendor.example"
    assert web.users_info(user="U0BOT2")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as unknown:
        web.users_lookupByEmail(email="nobody@example.com")
    assert unknown.value.response["error"] == "users_not_found"
    with pytest.raises(SlackApiError, match="user_not_found"):
        web.users_info(user="U0NOBODY")
    standin.add_user("U0NEW", "new@vendor.example", "New Agent")
    assert web.users_lookupByEmail(email="new@vendor.example")["user"]["id"] == "U0NEW"


def test_auth_conversations_usergroups_and_unknown_methods(standin):
    web = client(standin)
    auth = web.auth_test()
    assert (auth["user_id"], auth["team_id"]) == (BOT_USER_ID, TEAM_ID) and auth["bot_id"] and auth["url"]
    dm = web.conversations_open(users="U0AGENT1")["channel"]["id"]
    assert dm.startswith("D") and web.conversations_open(users=["U0AGENT1"])["channel"]["id"] == dm
    assert web.conversations_info(channel=dm)["channel"]["is_im"] is True
    assert web.usergroups_users_list(usergroup="S0ONCALL")["users"] == ["U0AGENT1"]
    with pytest.raises(SlackApiError, match="no_such_subteam"):
        web.usergroups_users_list(usergroup="S0NONE")
    assert web.api_call("bookmarks.add", json={"channel_id": "C1"})["ok"]
    assert standin.calls("bookmarks.add")[0].known is False
    assert standin.calls("auth.test")[0].known is True


def test_views_open_update_publish(standin):
    web = client(standin)
    modal = build_reply_modal(1, Seen(1), "TC-2026-00001", "Hej,", "Mvh", [], "")
    opened = web.views_open(trigger_id="123.456", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "reply_modal"
    updated = web.views_update(view_id=opened["id"], hash=opened["hash"], view=build_reply_modal(1, Seen(1), "TC", "Hej,", "", [], "draft"))
    assert updated["view"]["id"] == opened["id"]
    with pytest.raises(SlackApiError, match="hash_conflict"):
        web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    with pytest.raises(SlackApiError, match="not_found"):
        web.views_update(view_id="V0NONE", view=modal)
    home = web.views_publish(user_id="U0AGENT1", view={"type": "home", "blocks": []})["view"]
    assert home["id"].startswith("V")


def test_form_encoded_and_query_string_calls_are_recorded_decoded(standin):
    web = client(standin)
    blocks = build_card(CARD)["blocks"]
    web.api_call("chat.postMessage", data={"channel": "C1", "text": "t", "blocks": json.dumps(blocks)})
    web.api_call("users.info", http_verb="GET", params={"user": "U0AGENT1"})
    post, info = standin.calls("chat.postMessage")[0], standin.calls("users.info")[0]
    assert post.params["blocks"] == blocks and post.ok
    assert info.params == {"user": "U0AGENT1"} and info.ok


@pytest.mark.parametrize("token", ["xoxb-wrong", None])
def test_invalid_or_missing_token(standin, token):
    web = WebClient(token=token, base_url=standin.base_url)
    with pytest.raises(SlackApiError) as failure:
        web.chat_postMessage(channel="C1", text="hello")
    assert failure.value.response["error"] == "invalid_auth"
    (call,) = standin.calls("chat.postMessage")
    assert not call.ok and standin.messages() == []


def test_rate_limit_then_success_through_the_sync_retry_handler(standin, slack_settings):
    web = make_sync_web_client(slack_settings, backoff_s=0.01)
    standin.fail_next("chat.postMessage", status=429, retry_after=0)
    assert web.chat_postMessage(channel="C1", text="hello")["ok"]
    first, second = standin.calls("chat.postMessage")
    assert (first.status, first.response["error"], second.status) == (429, "ratelimited", 200)
    assert len(standin.messages()) == 1


def test_server_error_then_success_through_the_sync_retry_handler(standin, slack_settings):
    web = make_sync_web_client(slack_settings, backoff_s=0.01)
    standin.fail_next("chat.update", status=500)
    standin.fail_next("chat.postMessage", status=503, count=2)
    ts = web.chat_postMessage(channel="C1", text="hello")["ts"]
    assert web.chat_update(channel="C1", ts=ts, text="edited")["ok"]
    assert [c.status for c in standin.calls("chat.postMessage")] == [503, 503, 200]
    assert [c.status for c in standin.calls("chat.update")] == [500, 200]


def test_fault_answers_look_like_slacks(standin):
    standin.fail_next("chat.postMessage", status=429, retry_after=7)
    request = urllib.request.Request(standin.base_url + "chat.postMessage", data=b"channel=C1&text=x",
                                     headers={"Authorization": f"Bearer {standin.token}"})
    with pytest.raises(urllib.error.HTTPError) as limited:
        urllib.request.urlopen(request, timeout=5)
    assert limited.value.code == 429 and limited.value.headers["Retry-After"] == "7"
    assert json.loads(limited.value.read()) == {"ok": False, "error": "ratelimited"}
    with urllib.request.urlopen(request, timeout=5) as passed:
        assert json.loads(passed.read())["ok"] is True


def test_retries_are_bounded(standin, slack_settings):
    web = make_sync_web_client(slack_settings, max_retries=1, backoff_s=0.01)
    standin.fail_next("chat.postMessage", status=500, count=3)
    with pytest.raises(SlackApiError) as failure:
        web.chat_postMessage(channel="C1", text="hello")
    assert failure.value.response.status_code == 500
    assert len(standin.calls("chat.postMessage")) == 2


def test_async_client_honours_retry_after(standin, slack_settings):
    async def run():
        web = make_web_client(slack_settings, backoff_s=0.01)
        standin.fail_next("chat.postMessage", status=429, retry_after=1)
        posted = await web.chat_postMessage(channel="C1", **build_card(CARD), **POST_DEFAULTS)
        standin.fail_next("chat.update", status=500)
        updated = await web.chat_update(channel="C1", ts=posted["ts"], text="edited")
        return posted, updated

    posted, updated = asyncio.run(run())
    assert posted["ok"] and updated["ok"]
    limited, passed = standin.calls("chat.postMessage")
    assert (limited.status, passed.status) == (429, 200)
    assert (passed.received_at - limited.received_at).total_seconds() >= 1.0  # waited Retry-After
    assert [c.status for c in standin.calls("chat.update")] == [500, 200]


def test_async_lookup_and_invalid_token(standin):
    async def run():
        good = AsyncWebClient(token=standin.token, base_url=standin.base_url)
        bad = AsyncWebClient(token="xoxb-nope", base_url=standin.base_url)
        user = await good.users_lookupByEmail(email="agnes@vendor.example")
        with pytest.raises(SlackApiError) as failure:
            await bad.auth_test()
        return user, failure.value.response["error"]

    user, error = asyncio.run(run())
    assert user["user"]["id"] == "U0AGENT1" and error == "invalid_auth"


def test_clients_never_log_the_token(standin, slack_settings, caplog):
    caplog.set_level("DEBUG")
    make_sync_web_client(slack_settings, backoff_s=0.01).auth_test()
    asyncio.run(make_web_client(slack_settings, backoff_s=0.01).auth_test())
    assert caplog.records and standin.token not in caplog.text


def test_runs_on_the_callers_loop_and_wait_for_async():
    async def run():
        async with SlackStandin() as server:
            web = AsyncWebClient(token=server.token, base_url=server.base_url)
            posting = asyncio.create_task(web.chat_postMessage(channel="C1", text="one"))
            calls = await server.wait_for_async("chat.postMessage", 1, timeout=5)
            await posting
            with pytest.raises(RuntimeError, match="wait_for_async"):
                server.wait_for("chat.postMessage")
            with pytest.raises(TimeoutError, match="chat.postMessage"):
                await server.wait_for_async("chat.update", timeout=0.05)
            return calls

    (call,) = asyncio.run(run())
    assert call.params["text"] == "one"


def test_wait_for_from_another_thread(standin):
    web = client(standin)
    poster = threading.Thread(target=lambda: [web.chat_postMessage(channel="C1", text=str(i)) for i in range(3)])
    poster.start()
    calls = standin.wait_for("chat.postMessage", count=3, timeout=5)
    poster.join()
    assert [c.params["text"] for c in calls] == ["0", "1", "2"]
    with pytest.raises(TimeoutError, match=r"expected 1 call\(s\) of views.open, got 0"):
        standin.wait_for("views.open", timeout=0.05)


def test_printer_renders_posts_for_a_terminal():
    printed: list[str] = []
    with SlackStandin(printer=printed.append) as server:
        web = client(server)
        card = web.chat_postMessage(channel="C0STAFF", **build_card(CARD))
        web.chat_postMessage(channel="C0STAFF", thread_ts=card["ts"], **build_timeline_message("Anna", "Hi", ["a.pdf"], "email"))
        web.auth_test()  # not rendered
    card_text, reply_text = printed
    assert "== TC-2026-00001 · Printer <!channel> ==" in card_text.splitlines()
    assert "Status: New" in card_text and "> It broke & burned" in card_text and "[Claim]" in card_text
    assert all(line.startswith("    ") for line in reply_text.splitlines())
    assert "    > Hi" in reply_text.splitlines() and "📎 a.pdf" in reply_text
    assert format_call("users.info", {"user": "U1"}) is None
    assert format_call("chat.update", {"channel": "C1", "ts": "1.2", "text": "a &amp; b"}) == "✎ #C1 1.2 updated\na & b"


def test_files_info_shows_where_an_upload_was_shared_and_user_files_download_only_with_a_token(standin, tmp_path):
    from bot.slack.uploads import upload_file

    web = client(standin)
    parent = web.chat_postMessage(channel="C0STAFF0001", text="card")["ts"]
    path = tmp_path / "shot.png"
    path.write_bytes(b"\x89PNG data")
    uploaded = upload_file(web, path, channel_id="C0STAFF0001", filename="shot.png", title="shot.png", thread_ts=parent)
    info = web.files_info(file=uploaded.file_id)["file"]
    assert info["shares"] == {"public": {"C0STAFF0001": [{"ts": info["shares"]["public"]["C0STAFF0001"][0]["ts"],
                                                          "thread_ts": parent}]}}
    with pytest.raises(SlackApiError) as missing:
        web.files_info(file="F0NOSUCH")
    assert missing.value.response["error"] == "file_not_found"

    shared = standin.add_user_file("logg.txt", b"rad 1\n", "text/plain")
    assert web.files_info(file=shared["id"])["file"]["url_private_download"] == shared["url_private_download"]
    request = urllib.request.Request(shared["url_private_download"], headers={"Authorization": f"Bearer {standin.token}"})
    with urllib.request.urlopen(request) as response:
        assert response.read() == b"rad 1\n"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(shared["url_private_download"])
    assert refused.value.code == 403
    assert [c.status for c in standin.calls("download")] == [200, 403]
