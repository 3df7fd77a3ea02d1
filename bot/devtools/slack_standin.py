"""A local HTTP server that plays Slack's Web API, for tests and for `supportbot demo`.

Point a client at it with ``WebClient(token=standin.token, base_url=standin.base_url)``
(the base URL ends in ``/api/``; slack_sdk needs the slash). Every call is
recorded (method, params, headers, time, status) and answered the way Slack
answers: ``ok`` plus the fields our code reads, and Slack's error names for
the mistakes worth catching in tests (``invalid_auth``, ``message_not_found``,
``users_not_found``, ``no_text``). Unknown methods get ``{"ok": true}`` and are
recorded with ``known=False``. File uploads follow Slack's current flow:
``files.getUploadURLExternal`` hands out an ``upload_url`` on the stand-in
itself, the bytes POSTed there are kept (``uploaded_files()``; recorded as the
pseudo-method ``upload``), and ``files.completeUploadExternal`` shares them as
one message (once per file, as Slack allows); ``files.info`` answers with the
file's ``shares``. A user's file (what an agent attaches in a modal) is added
with ``add_user_file`` and served at its ``url_private_download`` only with a
bot token in ``Authorization: Bearer`` (recorded as ``download``). ``fail_next`` injects 429 (with Retry-After)
or 5xx answers so that client retry handlers run for real.

It runs in a thread with its own event loop (``start()``/``stop()``, for
synchronous tests and the demo) or on the caller's loop (``await
start_async()``). Synchronise on ``wait_for`` / ``wait_for_async``, never on
sleeps. With ``printer`` set, each post, update and modal is also rendered as
readable text (:func:`format_call`) — that is what the demo shows.

One module on purpose: a test imports one thing. It holds no business rules.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "xoxb-standin-token"
TEAM_ID, TEAM_NAME = "T0STANDIN", "Stand-in"
BOT_USER_ID, BOT_ID, APP_ID = "U0SUPPORTBOT", "B0SUPPORTBOT", "A0SUPPORTBOT"
WORKSPACE_URL = "https://standin.slack.com/"
_FIRST_TS_SECONDS = 1_700_000_000
UPLOAD_MAX_BYTES = 256 * 1024 * 1024
# Form-encoded clients send structured arguments as JSON strings; decoded so tests see one shape.
_JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")


@dataclass(frozen=True)
class RecordedCall:
    """One request the stand-in received and what it answered."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    received_at: datetime
    status: int
    response: dict[str, Any]
    known: bool = True

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    remaining: int


class _ApiError(Exception):
    """Answer ``{"ok": false, "error": <name>}`` (HTTP 200, as Slack does)."""


@dataclass
class _Workspace:
    """What the stand-in remembers between calls: messages, views, DMs, the user directory."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    reactions: set[tuple[str, str, str]] = field(default_factory=set)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    upload_base: str = ""  # http://127.0.0.1:PORT/upload/
    serial: int = 0

    def next_ts(self) -> str:
        """Unique, increasing message timestamps: 1700000000.000100, …000200, …"""
        self.serial += 1
        return f"{_FIRST_TS_SECONDS + self.serial // 10_000}.{self.serial % 10_000 * 100:06d}"

    def next_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}0STANDIN{self.serial:04d}"


class SlackStandin:
    """The stand-in server; see the module docstring."""

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (DEFAULT_TOKEN,),
        users: Mapping[str, Mapping[str, Any]] | None = None,
        usergroups: Mapping[str, Iterable[str]] | None = None,
        channels: Mapping[str, Mapping[str, Any]] | None = None,
        printer: Callable[[str], None] | None = None,
        mrkdwn: Callable[[str], str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.tokens = tuple(tokens)
        self.printer, self.mrkdwn = printer, mrkdwn
        self._shown: dict[tuple[str, str], str] = {}  # (channel, ts) → the message as last printed
        self.host, self.port = host, port
        self._space = _Workspace(channels={k: dict(v) for k, v in (channels or {}).items()},
                                 usergroups={k: list(v) for k, v in (usergroups or {}).items()})
        self._cond = threading.Condition(threading.RLock())
        for user_id, entry in (users or {}).items():
            self.add_user(user_id, **entry)
        self._calls: list[RecordedCall] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._waiters: list[tuple[str, int, asyncio.AbstractEventLoop, asyncio.Future]] = []
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # -- configuration -----------------------------------------------------

    @property
    def token(self) -> str:
        """A token the stand-in accepts."""
        return self.tokens[0]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/`` (with the trailing slash slack_sdk needs)."""
        if not self.port:
            raise RuntimeError("the stand-in is not running")
        return f"http://{self.host}:{self.port}/api/"

    def add_user(self, user_id: str, email: str | None, real_name: str = "", is_bot: bool = False,
                 deleted: bool = False) -> None:
        """Add someone to the user directory that users.info and users.lookupByEmail answer from.

        ``email=None``: a profile without an address (what Slack answers without ``users:read.email``).
        """
        with self._cond:
            self._space.users[user_id] = {"email": email, "real_name": real_name or email or user_id,
                                          "is_bot": is_bot, "deleted": deleted}

    def deactivate_user(self, user_id: str) -> None:
        """Deactivate an account as a workspace admin does: users.info then says ``deleted: true``."""
        with self._cond:
            self._space.users[user_id]["deleted"] = True

    def remove_user(self, user_id: str) -> None:
        """Forget an account altogether: users.info then answers ``user_not_found``."""
        with self._cond:
            self._space.users.pop(user_id, None)

    def set_usergroup(self, usergroup: str, users: Iterable[str]) -> None:
        """Replace the members of a user group (as usergroups.users.update would)."""
        with self._cond:
            self._space.usergroups[usergroup] = list(users)

    def add_user_file(self, name: str, content: bytes, mimetype: str = "application/octet-stream") -> dict[str, Any]:
        """A file a user shared (e.g. in a modal's file_input): its object as Slack hands it to the app,
        with a ``url_private_download`` on the stand-in that serves ``content`` to a bot token."""
        if not self.port:
            raise RuntimeError("the stand-in is not running")
        with self._cond:
            file_id = self._space.next_id("F")
            url = f"http://{self.host}:{self.port}/files-pri/{TEAM_ID}-{file_id}/download/{file_id}"
            self._space.files[file_id] = {"id": file_id, "filename": name, "length": len(content), "content": content,
                                          "completed": True, "mimetype": mimetype, "url_private_download": url}
        return {"id": file_id, "name": name, "title": name, "mimetype": mimetype, "size": len(content),
                "url_private_download": url}

    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 1, count: int = 1) -> None:
        """Answer the next ``count`` calls of ``method`` with ``status`` (429 carries ``Retry-After``)."""
        with self._cond:
            self._faults.setdefault(method, []).append(_Fault(status, retry_after if status == 429 else None, count))

    # -- what was received ---------------------------------------------------

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        """Recorded calls in arrival order, all or of one method (failed and faulted ones included)."""
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages currently in the workspace (after updates and deletes), oldest first."""
        with self._cond:
            found = [dict(m) for (ch, _), m in self._space.messages.items() if channel in (None, ch)]
        return sorted(found, key=lambda m: float(m["ts"]))

    def uploaded_files(self) -> list[dict[str, Any]]:
        """Every file an upload URL was asked for, oldest first: ``id``, ``filename``, ``length``, ``content``
        (the bytes POSTed, or None), ``completed``, and once shared ``title``, ``channel``, ``initial_comment``,
        ``thread_ts``."""
        with self._cond:
            return [dict(entry) for entry in self._space.files.values()]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """Block until ``count`` calls of ``method`` arrived and return all of them; TimeoutError (listing what did arrive) otherwise."""
        if self._loop is not None and _running_loop() is self._loop:
            raise RuntimeError("wait_for would block the stand-in's own loop; use wait_for_async")
        with self._cond:
            if not self._cond.wait_for(lambda: self._count(method) >= count, timeout):
                raise TimeoutError(self._timeout_message(method, count))
            return self.calls(method)

    async def wait_for_async(self, method: str, count: int = 1, timeout: float = 5.0) -> list[RecordedCall]:
        """The awaitable :meth:`wait_for`, for any loop (the stand-in's own included)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        waiter = (method, count, loop, future)
        with self._cond:
            if self._count(method) >= count:
                return self.calls(method)
            self._waiters.append(waiter)
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(self._timeout_message(method, count)) from None
        finally:
            with self._cond:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
        return self.calls(method)

    def _count(self, method: str) -> int:
        return sum(1 for c in self._calls if c.method == method)

    def _timeout_message(self, method: str, count: int) -> str:
        seen = [c.method for c in self.calls()]
        return f"expected {count} call(s) of {method}, got {self._count(method)}; received: {seen}"

    # -- running -------------------------------------------------------------

    def start(self) -> SlackStandin:
        """Serve from a background thread with its own event loop; returns once listening."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start_async())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop_async())
            loop.close()

        self._thread = threading.Thread(target=run, name="slack-standin", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Stop the background thread started by :meth:`start`."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None

    async def start_async(self) -> SlackStandin:
        """Serve on the running loop; returns once listening."""
        # Slack takes uploads up to 1 GB; aiohttp's default body cap (1 MiB) would refuse a screenshot.
        app = web.Application(client_max_size=UPLOAD_MAX_BYTES)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._receive_file)
        app.router.add_get("/files-pri/{team_file}/download/{file_id}", self._send_file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._space.upload_base = f"http://{self.host}:{self.port}/upload/"
        self._loop = asyncio.get_running_loop()
        return self

    async def stop_async(self) -> None:
        """Stop serving (the counterpart of :meth:`start_async`)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def __enter__(self) -> SlackStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> SlackStandin:
        return await self.start_async()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop_async()

    # -- one request -----------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        token = _bearer(request.headers.get("Authorization", "")) or str(params.pop("token", "") or "")
        status, headers, known = 200, {}, method in _METHODS
        with self._cond:
            fault = self._take_fault(method)
            if fault is not None:
                status, body = fault.status, {"ok": False, "error": "ratelimited" if fault.status == 429 else "internal_error"}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
            elif token not in self.tokens:
                body = {"ok": False, "error": "invalid_auth"}
            else:
                body = self._answer(method, params)
            call = RecordedCall(method, params, dict(request.headers), datetime.now(timezone.utc), status, body, known)
            self._record(call)
        self._print(call)
        return web.json_response(body, status=status, headers=headers)

    async def _receive_file(self, request: web.Request) -> web.Response:
        """The upload URL: keep the bytes (Slack answers 200 with a short text)."""
        file_id = request.match_info["file_id"]
        content = await request.read()
        with self._cond:
            fault = self._take_fault("upload")
            entry = self._space.files.get(file_id)
            status = fault.status if fault else 404 if entry is None else 200
            if status == 200:
                entry["content"] = content
            call = RecordedCall("upload", {"file_id": file_id, "size": len(content)}, dict(request.headers),
                                datetime.now(timezone.utc), status, {"ok": status == 200})
            self._record(call)
        return web.Response(status=status, text=f"OK - {len(content)}" if status == 200 else "error")

    async def _send_file(self, request: web.Request) -> web.Response:
        """A user's file at its url_private_download: only with a token in the Authorization header, as Slack does."""
        file_id = request.match_info["file_id"]
        token = _bearer(request.headers.get("Authorization", ""))
        with self._cond:
            fault = self._take_fault("download")
            entry = self._space.files.get(file_id)
            status = (fault.status if fault else 404 if entry is None or not entry.get("url_private_download")
                      else 403 if token not in self.tokens else 200)
            call = RecordedCall("download", {"file_id": file_id}, dict(request.headers), datetime.now(timezone.utc),
                                status, {"ok": status == 200})
            self._record(call)
        if status != 200:
            return web.Response(status=status, text="error")
        return web.Response(body=entry["content"], content_type=entry.get("mimetype", "application/octet-stream"))

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.pop(0)
        return fault

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = _METHODS.get(method)
        if handler is None:
            return {"ok": True}
        try:
            return {"ok": True, **handler(self._space, params)}
        except _ApiError as exc:
            return {"ok": False, "error": str(exc)}

    def _record(self, call: RecordedCall) -> None:
        self._calls.append(call)
        self._cond.notify_all()
        for waiter in list(self._waiters):
            method, count, loop, future = waiter
            if method == call.method and self._count(method) >= count:
                self._waiters.remove(waiter)
                loop.call_soon_threadsafe(_settle, future)

    def _print(self, call: RecordedCall) -> None:
        if self.printer is None or not call.ok or self._unchanged(call):
            return
        text = format_call(call.method, call.params, self.mrkdwn)
        if text is not None:
            try:
                self.printer(text)
            except Exception:  # a broken printer must not break the API
                log.exception("stand-in printer failed")


    def _unchanged(self, call: RecordedCall) -> bool:
        """Whether ``call`` is an update that shows nothing new: a card is printed once per change."""
        if call.method not in ("chat.postMessage", "chat.update"):
            return False
        key = (str(call.params.get("channel")), str(call.params.get("ts") or call.response.get("ts")))
        shown = _render_message(call.params)
        unchanged = call.method == "chat.update" and self._shown.get(key) == shown
        self._shown[key] = shown
        return unchanged


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _bearer(header: str) -> str:
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON or form body (slack_sdk sends both kinds), structured fields decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        form = await request.post()
        params.update({k: v if isinstance(v, str) else f"<file {getattr(v, 'filename', '')}>" for k, v in form.items()})
    for key in _JSON_FIELDS:
        if isinstance(params.get(key), str) and params[key][:1] in ("[", "{"):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass  # recorded as sent; Slack would answer invalid_blocks
    return params


# -- the methods ---------------------------------------------------------------


def _need(params: dict[str, Any], name: str, error: str = "invalid_arguments") -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise _ApiError(error)
    return value


def _message(space: _Workspace, params: dict[str, Any]) -> tuple[str, str]:
    channel, ts = _need(params, "channel", "channel_not_found"), str(_need(params, "ts", "message_not_found"))
    if (channel, ts) not in space.messages:
        raise _ApiError("message_not_found")
    return channel, ts


def _auth_test(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    return {"url": WORKSPACE_URL, "team": TEAM_NAME, "user": "supportbot", "team_id": TEAM_ID,
            "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}


def _post_message(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = _need(params, "channel", "channel_not_found")
    if not (params.get("text") or params.get("blocks") or params.get("attachments")):
        raise _ApiError("no_text")
    ts = space.next_ts()
    message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
               "ts": ts, "text": params.get("text", "")}
    for key in ("blocks", "attachments", "thread_ts", "metadata"):
        if params.get(key):
            message[key] = params[key]
    space.messages[(channel, ts)] = message
    return {"channel": channel, "ts": ts, "message": dict(message)}


def _update(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = _message(space, params)
    message = space.messages[(channel, ts)]
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in params:
            message[key] = params[key]
    message["edited"] = {"user": BOT_USER_ID, "ts": space.next_ts()}
    return {"channel": channel, "ts": ts, "text": message.get("text", ""), "message": dict(message)}


def _delete(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = _message(space, params)
    del space.messages[(channel, ts)]
    return {"channel": channel, "ts": ts}


def _post_ephemeral(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    _need(params, "channel", "channel_not_found")
    _need(params, "user", "user_not_in_channel")
    return {"message_ts": space.next_ts()}


def _permalink(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = _message(space, {"channel": params.get("channel"), "ts": params.get("message_ts")})
    return {"channel": channel, "permalink": f"{WORKSPACE_URL}archives/{channel}/p{ts.replace('.', '')}"}


def _react(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = _message(space, {"channel": params.get("channel"), "ts": params.get("timestamp")})
    key = (channel, ts, _need(params, "name", "invalid_name"))
    if key in space.reactions:
        raise _ApiError("already_reacted")
    space.reactions.add(key)
    return {}


def _view_body(space: _Workspace, params: dict[str, Any], view_id: str) -> dict[str, Any]:
    view = _need(params, "view", "invalid_arguments")
    if not isinstance(view, dict):
        raise _ApiError("invalid_arguments")
    stored = {**view, "id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID,
              "hash": hashlib.sha1(json.dumps(view, sort_keys=True).encode()).hexdigest()[:16],
              "state": {"values": {}}, "private_metadata": view.get("private_metadata", ""),
              "callback_id": view.get("callback_id", "")}
    space.views[view_id] = stored
    return {"view": dict(stored)}


def _views_open(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    _need(params, "trigger_id", "invalid_trigger_id")
    return _view_body(space, params, space.next_id("V"))


def _views_update(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    view_id = params.get("view_id") or next(
        (v["id"] for v in space.views.values() if params.get("external_id") and v.get("external_id") == params["external_id"]), None)
    if view_id not in space.views:
        raise _ApiError("not_found")
    if params.get("hash") and params["hash"] != space.views[view_id]["hash"]:
        raise _ApiError("hash_conflict")
    return _view_body(space, params, view_id)


def _views_publish(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    _need(params, "user_id", "invalid_arguments")
    return _view_body(space, params, space.next_id("V"))


def _user(space: _Workspace, user_id: str) -> dict[str, Any]:
    entry = space.users[user_id]
    profile = {"real_name": entry["real_name"], "display_name": entry["real_name"]}
    if entry["email"]:
        profile["email"] = entry["email"]
    return {"id": user_id, "team_id": TEAM_ID, "name": (entry["email"] or user_id).split("@")[0],
            "deleted": entry["deleted"], "real_name": entry["real_name"], "is_bot": entry["is_bot"],
            "profile": profile}


def _users_info(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    user_id = params.get("user")
    if user_id not in space.users:
        raise _ApiError("user_not_found")  # Slack's name for users.info; lookupByEmail says users_not_found
    return {"user": _user(space, user_id)}


def _lookup_by_email(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    email = str(params.get("email", "")).lower()
    for user_id, entry in space.users.items():
        if (entry["email"] or "").lower() == email:
            return {"user": _user(space, user_id)}
    raise _ApiError("users_not_found")


def _conversations_info(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel = _need(params, "channel", "channel_not_found")
    is_im = channel.startswith("D")
    default = {"id": channel, "name": channel.lower(), "is_channel": not is_im, "is_im": is_im,
               "is_private": channel.startswith(("G", "D")), "is_member": True}
    return {"channel": {**default, **space.channels.get(channel, {})}}


def _conversations_open(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    users = params.get("users")
    names = sorted(users if isinstance(users, list) else str(users or "").split(","))
    if not any(names):
        raise _ApiError("users_list_not_supplied")
    dm_id = "D" + hashlib.sha1(",".join(names).encode()).hexdigest()[:10].upper()
    return {"channel": {"id": dm_id}, "no_op": False, "already_open": False}


def _replies(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    channel, ts = _message(space, {"channel": params.get("channel"), "ts": params.get("ts")})
    thread = [m for (ch, t), m in space.messages.items() if ch == channel and (t == ts or m.get("thread_ts") == ts)]
    return {"messages": sorted((dict(m) for m in thread), key=lambda m: float(m["ts"])), "has_more": False}


def _usergroup_users(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    group = params.get("usergroup")
    if group not in space.usergroups:
        raise _ApiError("no_such_subteam")
    return {"users": list(space.usergroups[group])}


def _upload_url(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    filename = _need(params, "filename", "invalid_arguments")
    try:
        length = int(_need(params, "length", "invalid_arguments"))
    except ValueError:
        raise _ApiError("invalid_arguments") from None
    if length < 1:
        raise _ApiError("invalid_arguments")
    file_id = space.next_id("F")
    space.files[file_id] = {"id": file_id, "filename": filename, "length": length, "content": None,
                            "completed": False}
    return {"upload_url": space.upload_base + file_id, "file_id": file_id}


def _complete_upload(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    files = params.get("files")
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except ValueError:
            raise _ApiError("invalid_arguments") from None
    if not isinstance(files, list) or not files:
        raise _ApiError("invalid_arguments")
    entries = []
    for item in files:
        entry = space.files.get(item.get("id") if isinstance(item, dict) else None)
        if entry is None:
            raise _ApiError("file_not_found")
        # Error names the stand-in chose: the bytes never arrived, or not as many as announced; done before.
        if entry["content"] is None or len(entry["content"]) != entry["length"]:
            raise _ApiError("file_upload_incomplete")
        if entry["completed"]:
            raise _ApiError("file_already_completed")
        entries.append((entry, item.get("title") or entry["filename"]))
    channel = params.get("channel_id")
    shared = []
    for entry, title in entries:
        entry.update(completed=True, title=title, channel=channel, initial_comment=params.get("initial_comment"),
                     thread_ts=params.get("thread_ts"))
        shared.append({"id": entry["id"], "title": title, "name": entry["filename"], "size": entry["length"]})
    if channel:
        ts = space.next_ts()
        for entry, _ in entries:
            post = {"ts": ts, **({"thread_ts": params["thread_ts"]} if params.get("thread_ts") else {})}
            visibility = "private" if channel.startswith(("G", "D")) else "public"
            entry["shares"] = {visibility: {channel: [post]}}
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts,
                   "text": params.get("initial_comment") or "", "files": shared}
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        space.messages[(channel, ts)] = message
    return {"files": shared}


def _file_info(space: _Workspace, params: dict[str, Any]) -> dict[str, Any]:
    entry = space.files.get(_need(params, "file", "file_not_found"))
    if entry is None:
        raise _ApiError("file_not_found")
    found = {"id": entry["id"], "name": entry["filename"], "title": entry.get("title") or entry["filename"],
             "size": entry["length"], "mimetype": entry.get("mimetype", "application/octet-stream"),
             "shares": entry.get("shares", {})}
    if entry.get("url_private_download"):
        found["url_private_download"] = entry["url_private_download"]
    return {"file": found}


_METHODS: dict[str, Callable[[_Workspace, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "chat.update": _update,
    "chat.delete": _delete,
    "chat.postEphemeral": _post_ephemeral,
    "chat.getPermalink": _permalink,
    "reactions.add": _react,
    "views.open": _views_open,
    "views.push": _views_open,
    "views.update": _views_update,
    "views.publish": _views_publish,
    "users.info": _users_info,
    "users.lookupByEmail": _lookup_by_email,
    "conversations.info": _conversations_info,
    "conversations.open": _conversations_open,
    "conversations.replies": _replies,
    "usergroups.users.list": _usergroup_users,
    "files.getUploadURLExternal": _upload_url,
    "files.completeUploadExternal": _complete_upload,
    "files.info": _file_info,
}


# -- rendering for a terminal ------------------------------------------------------


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def format_call(method: str, params: Mapping[str, Any], mrkdwn: Callable[[str], str] | None = None) -> str | None:
    """A readable rendering of a post, update, reaction or view; None for calls not worth showing.

    ``mrkdwn`` renders a text object's escaped mrkdwn (bot/devtools/mrkdwn_terminal.py
    for the demo); by default it is only unescaped.
    """
    mrkdwn = mrkdwn or _unescape
    channel = params.get("channel", "?")
    if method == "chat.postMessage":
        thread = params.get("thread_ts")
        head = f"↳ #{channel} thread {thread}" if thread else f"#{channel}"
        text = head + "\n" + _render_message(params, mrkdwn)
        return _indent(text) if thread else text
    if method == "chat.update":
        return f"✎ #{channel} {params.get('ts')} updated\n" + _render_message(params, mrkdwn)
    if method == "chat.postEphemeral":
        viewer = mrkdwn(f"<@{params.get('user')}>")
        return f"👁 #{channel} (only {viewer} sees this)\n" + _render_message(params, mrkdwn)
    if method == "chat.delete":
        return f"🗑 #{channel} {params.get('ts')} deleted"
    if method == "files.completeUploadExternal":
        files = params.get("files")
        names = ", ".join(f.get("title", "") for f in files if isinstance(f, dict)) if isinstance(files, list) else ""
        return f"#{params.get('channel_id', '?')} 📎 {names}\n{_unescape(str(params.get('initial_comment') or ''))}"
    if method == "reactions.add":
        return f":{params.get('name')}: on #{channel} {params.get('timestamp')}"
    if method in ("views.open", "views.push", "views.update", "views.publish"):
        view = params.get("view") if isinstance(params.get("view"), dict) else {}
        title = _unescape((view.get("title") or {}).get("text", "home tab"))
        return f"▣ {method}: {title}\n{_render_blocks(view.get('blocks') or [], mrkdwn)}".rstrip()
    return None


def _render_message(params: Mapping[str, Any], mrkdwn: Callable[[str], str] = _unescape) -> str:
    blocks = params.get("blocks")
    if isinstance(blocks, list) and blocks:
        return _render_blocks(blocks, mrkdwn)
    return mrkdwn(str(params.get("text", "")))


def _render_blocks(blocks: list[Any], mrkdwn: Callable[[str], str]) -> str:
    return "\n".join(line for block in blocks if isinstance(block, dict) for line in _render_block(block, mrkdwn))


def _render_block(block: dict[str, Any], mrkdwn: Callable[[str], str]) -> list[str]:
    kind = block.get("type")
    text = lambda obj: _text(obj, mrkdwn)  # noqa: E731
    if kind == "header":
        return [f"== {text(block.get('text'))} =="]
    if kind == "section":
        lines = [text(block["text"])] if block.get("text") else []
        for item in block.get("fields") or []:
            label, _, value = _text(item, _unescape).partition("\n")
            lines.append(f"{mrkdwn(label.strip('*'))}: {mrkdwn(value).replace(chr(10), ' / ')}")
        return lines
    if kind == "context":
        return ["  " + " · ".join(text(e) for e in block.get("elements") or [] if "text" in e)]
    if kind == "actions":
        return [" ".join(_control(e) for e in block.get("elements") or [])]
    if kind == "input":
        element = block.get("element") or {}
        return [f"[{text(block.get('label'))}: {element.get('initial_value', '')}]"]
    if kind == "divider":
        return ["────"]
    return [f"[{kind}]"]


def _control(element: dict[str, Any]) -> str:
    label = _text(element.get("text") or element.get("placeholder"))
    return f"[{label} ▾]" if element.get("type", "").endswith("select") or element.get("type") == "overflow" else f"[{label}]"


def _text(obj: Any, mrkdwn: Callable[[str], str] = _unescape) -> str:
    if not isinstance(obj, dict):
        return ""
    # plain_text is shown as typed; only mrkdwn text objects carry *bold*, links and mentions.
    return (mrkdwn if obj.get("type") == "mrkdwn" else _unescape)(obj.get("text", ""))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())
