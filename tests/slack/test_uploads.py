"""Slack's upload flow (getUploadURLExternal → POST the bytes → completeUploadExternal) against the stand-in."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.slack_standin import SlackStandin, format_call
from bot.slack.uploads import UploadFailed, upload_file


@pytest.fixture
def standin():
    with SlackStandin() as server:
        yield server


@pytest.fixture
def client(standin):
    return WebClient(token=standin.token, base_url=standin.base_url)


def test_a_file_is_shared_in_a_channel_as_one_message(standin, client, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    path = tmp_path / "chart.png"
    path.write_bytes(data)
    uploaded = upload_file(client, path, channel_id="C0REPORTS", filename="v11.png", title="Veckan i siffror",
                           initial_comment="*Vecka 11*\n• 94 %")
    [entry] = standin.uploaded_files()
    assert entry["content"] == data and entry["length"] == len(data) and entry["id"] == uploaded.file_id
    assert (entry["filename"], entry["title"], entry["channel"], entry["completed"]) == \
        ("v11.png", "Veckan i siffror", "C0REPORTS", True)
    [message] = standin.messages("C0REPORTS")
    assert message["text"] == "*Vecka 11*\n• 94 %" and message["files"][0]["id"] == uploaded.file_id
    [ask] = standin.calls("files.getUploadURLExternal")
    assert (ask.params["filename"], int(ask.params["length"])) == ("v11.png", len(data))
    assert [c.method for c in standin.calls()] == ["files.getUploadURLExternal", "upload",
                                                   "files.completeUploadExternal"]
    complete = standin.calls("files.completeUploadExternal")[0]
    assert format_call(complete.method, complete.params).startswith("#C0REPORTS 📎 Veckan i siffror")


def test_into_a_thread(standin, client, tmp_path):
    path = tmp_path / "logg.txt"
    path.write_text("rad 1\n", encoding="utf-8")
    parent = client.chat_postMessage(channel="C0STAFF", text="card")["ts"]
    upload_file(client, path, channel_id="C0STAFF", filename="logg.txt", title="logg.txt", thread_ts=parent)
    assert standin.messages("C0STAFF")[-1]["thread_ts"] == parent


def test_an_upload_url_that_fails_is_an_upload_failure_and_nothing_is_shared(standin, client, tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 10)
    standin.fail_next("upload", status=500)
    with pytest.raises(UploadFailed):
        upload_file(client, path, channel_id="C0X", filename="a.bin", title="a")
    assert standin.calls("files.completeUploadExternal") == [] and standin.messages("C0X") == []


def test_the_stand_in_refuses_what_slack_refuses(standin, client, tmp_path):
    ticket = client.files_getUploadURLExternal(filename="a.bin", length=5)
    with pytest.raises(SlackApiError) as never_sent:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C0X")
    assert never_sent.value.response["error"] == "file_upload_incomplete"
    path = tmp_path / "a.bin"
    path.write_bytes(b"12345")
    done = upload_file(client, path, channel_id="C0X", filename="a.bin", title="a")
    with pytest.raises(SlackApiError) as twice:  # "This method can only be called once."
        client.files_completeUploadExternal(files=[{"id": done.file_id}], channel_id="C0X")
    assert twice.value.response["error"] == "file_already_completed"
    with pytest.raises(SlackApiError) as unknown:
        client.files_completeUploadExternal(files=[{"id": "F0NOPE"}], channel_id="C0X")
    assert unknown.value.response["error"] == "file_not_found"
    assert len(standin.messages("C0X")) == 1
    assert standin.uploaded_files()[1]["content"] == b"12345"
