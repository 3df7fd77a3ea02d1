"""Disposable IMAP servers for tests and benchmarks: Dovecot, or pymap as a fallback.

`start_imap_server(tmp_path)` picks the server (see its docstring); both
classes share one interface: `host`, `port`, `username`, `password`,
`client()`, `append()`, `append_many()`, `stop()`, `close()`,
`supports(capability)`, and the optional `restart()` /
`force_uidvalidity_change()`.

Dovecot is the real thing and what CI must use. pymap (in-memory `dict`
backend) exists so that the suite runs on a fresh machine without root; it
differs from Dovecot in these ways, exposed as capability flags:

- "restart": pymap keeps mail in memory, so a restart would lose it;
  `restart()` raises `NotSupportedByServer`.
- "uidvalidity_change": no way to force a new UIDVALIDITY from outside.
- "multiple_users": pymap's `dict` backend has a single demo user.
- "condstore": pymap has no CONDSTORE/QRESYNC.

Both have "idle". Other differences a test may trip over: pymap's first
UID is 101 (Dovecot's is 1), pymap notifies an IDLE client at once
(Dovecot ~0.5 s after the APPEND), a login takes ~110 ms on pymap (~10 ms
on Dovecot), and a failed login is answered after ~0.1 s on pymap and
~0.5 s on Dovecot 2.3.19.

At ~580 lines this is larger than our modules should be; the reason is one
import for every IMAP test. The process-group handling at the bottom (~120
lines) is the natural piece to split out when something else needs it.
"""

from __future__ import annotations

import ctypes
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path

from imapclient import IMAPClient, imap_utf7

HOST = "127.0.0.1"
DEFAULT_USERS = {"support": "support-secret"}
START_TIMEOUT = 15.0  # pymap imports for ~0.4 s; a loaded CI box can be much slower
DOVECOT_SEARCH_PATH = "/usr/sbin:/usr/local/sbin:/usr/bin:/usr/local/bin"
# The uid/gid Dovecot's mail processes run as when we are root: Dovecot
# refuses to let them run as uid 0.
NOBODY = 65534


class NotSupportedByServer(Exception):
    """The running test IMAP server cannot do this; check `server.supports()` first."""


class ImapServerUnavailable(RuntimeError):
    """No usable IMAP server for the tests (e.g. Dovecot missing on CI)."""


class _ImapServer:
    """What both servers share: the client side and the process lifecycle."""

    kind = "?"
    capabilities: frozenset[str] = frozenset()

    def __init__(self, workdir: Path, users: Mapping[str, str] | None = None):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.users = dict(users or DEFAULT_USERS)
        self.username, self.password = next(iter(self.users.items()))
        self.host = HOST
        self.port = 0
        self.startup_seconds = 0.0
        self._proc: subprocess.Popen | None = None

    @classmethod
    def supports(cls, capability: str) -> bool:
        """True when this server kind can do `capability` (see module docstring)."""
        return capability in cls.capabilities

    def client(self, username: str | None = None, password: str | None = None,
               timeout: float = 10.0) -> IMAPClient:
        """A logged-in IMAPClient with TCP_NODELAY (else each APPEND stalls ~48 ms on pymap)."""
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        imap.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            imap.login(username or self.username,
                       self.password if password is None else password)
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def append(self, folder: str, raw: bytes, flags: Iterable[str] = ()) -> int | None:
        """APPEND one message; return its UID when the server reports APPENDUID (RFC 4315)."""
        return self.append_many(folder, [raw], flags)[0]

    def append_many(self, folder: str, messages: Iterable[bytes],
                    flags: Iterable[str] = ()) -> list[int | None]:
        """APPEND messages one by one over a single connection; their UIDs as for `append`."""
        flags = tuple(flags)
        with self.client() as imap:
            return [_appenduid(imap.append(folder, raw, flags=flags)) for raw in messages]

    def start(self) -> None:
        """Start the server and return once it has sent its `* OK` greeting.

        A port picked here can be taken by someone else before the server
        binds it; then we pick another. A fixed port (after `restart()`) is
        kept, so clients can reconnect to the same address.
        """
        if self._proc is not None:
            raise RuntimeError(f"{self.kind} server already running on port {self.port}")
        _become_subreaper()
        fixed_port = bool(self.port)
        for attempt in range(1 if fixed_port else 3):
            if not fixed_port:
                self.port = _free_port()
            try:
                self._spawn()
                return
            except ImapServerUnavailable as error:
                if fixed_port or attempt == 2 or "already in use" not in str(error):
                    raise

    def _spawn(self) -> None:
        self._prepare()
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        started_at = time.monotonic()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self._command(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=self.workdir,
                preexec_fn=_die_with_parent)
        try:
            _wait_for_greeting(self.host, self.port, self._proc, self._greeting_token())
        except BaseException as error:
            self.stop()
            raise ImapServerUnavailable(
                f"{self.kind} did not start on port {self.port}: {error}\n"
                f"--- {self.log_path} ---\n{self._log_since(log_offset)}") from error
        self.startup_seconds = time.monotonic() - started_at

    def stop(self) -> None:
        """Kill the whole process group at once and reap it (SIGTERM takes 1-10 s)."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        _kill_and_reap_group(proc)

    def close(self) -> None:
        """Stop and remove whatever the server keeps outside `workdir`."""
        self.stop()

    def restart(self) -> None:
        raise NotSupportedByServer(f"{self.kind}: restart (mail would be lost)")

    def force_uidvalidity_change(self, folder: str = "INBOX") -> int:
        raise NotSupportedByServer(f"{self.kind}: forcing a UIDVALIDITY change")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.host}:{self.port} user={self.username!r}>"

    @property
    def pid(self) -> int | None:
        """PID of the server process, which leads its own process group; None when stopped."""
        return self._proc.pid if self._proc else None

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.kind}.log"

    def _prepare(self) -> None:
        """Write whatever the server needs before it starts (config files)."""

    def _greeting_token(self) -> bytes:
        """Bytes our server's greeting contains, so we never mistake another server for it."""
        return b"* OK"

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _log_since(self, offset: int, limit: int = 4000) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")[-limit:]
        except OSError as error:
            return f"(no log: {error})"


class DovecotServer(_ImapServer):
    """Dovecot from its own config file, state and sockets; never touches /etc/dovecot.

    Mail and sockets live in a private directory under the system temp dir,
    not in `workdir`: pytest's basetemp is mode 0700, so neither uid 65534
    (mail) nor the `dovecot` user (auth, reading the passwd-file) could reach
    files there, and its paths can exceed the 107-byte limit of a unix socket
    path. `workdir` gets the config and the log, both used only by root.
    """

    kind = "dovecot"
    capabilities = frozenset({"restart", "uidvalidity_change", "multiple_users",
                              "condstore", "idle"})

    def __init__(self, workdir: Path, users: Mapping[str, str] | None = None,
                 binary: str | None = None):
        super().__init__(workdir, users)
        self.binary = binary or find_dovecot()
        if self.binary is None:
            raise ImapServerUnavailable("dovecot binary not found")
        for name, password in self.users.items():
            if ":" in name + password or "\n" in name + password:
                raise ValueError(f"passwd-file fields cannot contain ':' or newlines: {name!r}")
        self.rundir = Path(tempfile.mkdtemp(prefix="sb-dovecot-"))
        os.chmod(self.rundir, 0o755)  # mail processes (uid 65534) must traverse it
        # Removed by close(), or at the latest when this object dies.
        self._remove_rundir = weakref.finalize(self, shutil.rmtree, self.rundir,
                                               ignore_errors=True)
        self.maildir_root = self.rundir / "mail"
        self.config_path = self.workdir / "dovecot.conf"
        # Unique per server, so two instances never share state or sockets.
        self.instance_name = f"supportbot-test-{uuid.uuid4().hex[:12]}"

    def maildir(self, username: str | None = None) -> Path:
        """The maildir++ root of a user (INBOX lives here, folder X in `.X`)."""
        return self.maildir_root / (username or self.username)

    def restart(self) -> None:
        """Stop and start on the same port with the same mail; clients see the drop."""
        self.stop()
        self.start()

    def force_uidvalidity_change(self, folder: str = "INBOX") -> int:
        """Make Dovecot assign a new UIDVALIDITY to `folder`, keeping its messages.

        Simulates a mailbox rebuilt on the server: with Dovecot stopped, the
        folder's dovecot-uidlist (which holds UIDVALIDITY and the UID map) and
        its indexes are deleted, so on the next access Dovecot renumbers the
        messages from UID 1 under a new UIDVALIDITY taken from the
        dovecot-uidvalidity counter. Connected clients are disconnected.
        Returns the new UIDVALIDITY; raises if it did not change.
        """
        folder_dir = self._folder_dir(folder)
        if not folder_dir.is_dir():
            raise FileNotFoundError(f"no maildir for folder {folder!r} at {folder_dir}")
        before = self._uidvalidity(folder)
        self.stop()
        # The list index in the root caches every folder's UIDVALIDITY too.
        stale = [folder_dir / "dovecot-uidlist", *folder_dir.glob("dovecot.index*"),
                 *self.maildir().glob("dovecot.list.index*")]
        for path in stale:
            path.unlink(missing_ok=True)
        self.start()
        after = self._uidvalidity(folder)
        if after == before:
            raise AssertionError(f"UIDVALIDITY of {folder} stayed {before}")
        return after

    def close(self) -> None:
        self.stop()
        self._remove_rundir()

    def _folder_dir(self, folder: str) -> Path:
        # Maildir++ layout: INBOX is the root, other folders are ".Name"
        # directories with "." between levels, names stored in modified UTF-7.
        if folder.upper() == "INBOX":
            return self.maildir()
        return self.maildir() / ("." + imap_utf7.encode(folder).decode("ascii"))

    def _uidvalidity(self, folder: str) -> int:
        with self.client() as imap:
            return imap.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]

    def _command(self) -> list[str]:
        return [self.binary, "-F", "-c", str(self.config_path)]

    def _greeting_token(self) -> bytes:
        return self.instance_name.encode()

    def _prepare(self) -> None:
        uid, gid = (NOBODY, NOBODY) if os.geteuid() == 0 else (os.getuid(), os.getgid())
        self.maildir_root.mkdir(exist_ok=True)
        os.chown(self.maildir_root, uid, gid)
        users_file = self.rundir / "users"  # read by the auth process, user `dovecot`
        users_file.write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n"
                                      for name, password in self.users.items()))
        self.config_path.write_text(_dovecot_config(
            instance=self.instance_name, rundir=self.rundir,
            maildir_root=self.maildir_root, users_file=users_file,
            log_path=self.log_path, port=self.port, uid=uid, gid=gid))


def _dovecot_config(*, instance, rundir, maildir_root, users_file, log_path, port,
                    uid, gid) -> str:
    """A complete dovecot.conf for one disposable instance."""
    internal_users = no_chroot = ""
    if os.geteuid() != 0:
        # An ordinary user can neither switch to the dovecot/dovenull users
        # nor chroot, so every service runs as that user, unchrooted.
        user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
        internal_users = (f"default_internal_user = {user}\n"
                          f"default_internal_group = {group}\n"
                          f"default_login_user = {user}\n")
        no_chroot = "  chroot =\n"
    return f"""\
# Written by tests/support/imap_server.py for one test server; not to be edited.
instance_name = {instance}
base_dir = {rundir}/run
state_dir = {rundir}/state
log_path = {log_path}
{internal_users}protocols = imap
listen = {HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Lets the start-up check tell this instance from whatever else holds the port.
login_greeting = {instance} ready.
# A failed login is answered after ~0.5 s instead of 2 s: 2.3.19's auth process
# flushes delayed failures on a 500 ms timer, and passdb `nodelay` only helps
# with `nologin`, not with a wrong password.
auth_failure_delay = 0
first_valid_uid = {min(uid, 500) or 1}
mail_location = maildir:{maildir_root}/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users_file}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={maildir_root}/%u
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
{no_chroot}  # Anvil's per-IP auth penalty (4 s and growing) would slow every
  # login after one failed login from 127.0.0.1.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
protocol imap {{
  # The default of 10 per user and IP is too few for concurrency tests.
  mail_max_userip_connections = 50
}}
"""


class PymapServer(_ImapServer):
    """pymap's in-memory `dict` backend: login, APPEND, FETCH, IDLE; one user; no restart."""

    kind = "pymap"
    capabilities = frozenset({"idle"})

    def __init__(self, workdir: Path, users: Mapping[str, str] | None = None):
        if users is not None and len(users) != 1:
            raise NotSupportedByServer("pymap's dict backend has exactly one (demo) user")
        super().__init__(workdir, users)

    def _command(self) -> list[str]:
        # `python -m pymap` does not work; the console script sits next to the
        # interpreter in the venv.
        script = Path(sys.executable).with_name("pymap")
        if not script.exists():
            raise ImapServerUnavailable(f"pymap script not found at {script}")
        return [str(script), "--host", self.host, "--port", str(self.port),
                "dict", "--demo-user", self.username, "--demo-password", self.password]


SERVER_CLASSES = {"dovecot": DovecotServer, "pymap": PymapServer}


def find_dovecot() -> str | None:
    """Path of the dovecot binary, or None (it lives in /usr/sbin, often not on PATH)."""
    search_path = DOVECOT_SEARCH_PATH + os.pathsep + os.environ.get("PATH", "")
    return shutil.which("dovecot", path=search_path)


def choose_server_kind(environ: Mapping[str, str], dovecot_installed: bool) -> str:
    """`dovecot` or `pymap`: SUPPORTBOT_TEST_IMAP if set, else Dovecot when installed.

    On CI (CI=true) a missing Dovecot is an error, never a silent fallback:
    CI must test against the real server.
    """
    forced = environ.get("SUPPORTBOT_TEST_IMAP", "").strip().lower()
    if forced and forced not in SERVER_CLASSES:
        raise ImapServerUnavailable(
            f"SUPPORTBOT_TEST_IMAP={forced!r}: expected one of {sorted(SERVER_CLASSES)}")
    if forced == "pymap":
        return "pymap"
    if dovecot_installed:
        return "dovecot"
    if forced == "dovecot" or _on_ci(environ):
        raise ImapServerUnavailable(
            "Dovecot is required here (CI=true or SUPPORTBOT_TEST_IMAP=dovecot) but no "
            "dovecot binary was found; run .ci/install-dovecot.sh")
    return "pymap"


def available_server_kinds(capability: str | None = None,
                           environ: Mapping[str, str] = os.environ,
                           dovecot_installed: bool | None = None) -> list[str]:
    """Server kinds to parametrize a test over: pymap always, Dovecot when installed or on CI.

    On CI Dovecot is always listed, so a missing binary fails loudly in the
    test instead of quietly shrinking the parametrization. With
    `capability`, only the kinds that support it (never a skip).
    """
    if dovecot_installed is None:
        dovecot_installed = find_dovecot() is not None
    kinds = ["dovecot"] if dovecot_installed or _on_ci(environ) else []
    kinds.append("pymap")
    return [kind for kind in kinds
            if capability is None or SERVER_CLASSES[kind].supports(capability)]


def _on_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def start_imap_server(workdir: Path, kind: str | None = None,
                      users: Mapping[str, str] | None = None) -> DovecotServer | PymapServer:
    """Start a fresh server writing under `workdir`; call `close()` when done.

    `kind` None means `choose_server_kind()`: SUPPORTBOT_TEST_IMAP, else
    Dovecot when installed, else pymap -- except on CI, where a missing
    Dovecot raises `ImapServerUnavailable`.
    """
    kind = kind or choose_server_kind(os.environ, find_dovecot() is not None)
    if kind not in SERVER_CLASSES:
        raise ValueError(f"unknown IMAP server kind {kind!r}")
    if kind == "dovecot" and not find_dovecot():
        raise ImapServerUnavailable("dovecot requested but not installed; "
                                    "run .ci/install-dovecot.sh")
    server = SERVER_CLASSES[kind](Path(workdir) / kind, users)
    try:
        server.start()
    except BaseException:
        server.close()
        raise
    return server


# --- process handling ---------------------------------------------------------

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_subreaper_set = False


def _become_subreaper() -> None:
    """Adopt orphaned descendants so killed Dovecot children can be reaped.

    PID 1 on these machines never reaps orphans: without this, every killed
    Dovecot leaves its auth/login/imap children behind as zombies.
    """
    global _subreaper_set
    if _subreaper_set or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    _subreaper_set = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _die_with_parent() -> None:
    """In the child: get SIGKILLed when the test process dies without `stop()`.

    Dovecot's own children exit when the master goes away, so a crashed or
    timed-out pytest leaves no server behind. (Linux ties this to the thread
    that forked: start servers from a thread that outlives them.)
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _kill_and_reap_group(proc: subprocess.Popen, timeout: float = 2.0) -> None:
    """SIGKILL the process group led by `proc` and wait for its members we can reap."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _reap_group_members(proc.pid):
            return
        time.sleep(0.002)


def _reap_group_members(pgid: int) -> bool:
    """Reap what we can of group `pgid`; True while some member may still exit."""
    pending = False
    for pid, state, ppid in _group_members(pgid):
        if ppid == os.getpid():
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            pending = pending or done == 0
        elif state != "Z":
            pending = True  # not ours (no subreaper): wait for it to die, can't reap it
    return pending


def _group_members(pgid: int) -> list[tuple[int, str, int]]:
    """(pid, state, ppid) of the processes, zombies included, in process group `pgid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid pgrp ...
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid:
            members.append((int(entry), state, int(ppid)))
    return members


def _wait_for_greeting(host: str, port: int, proc: subprocess.Popen, token: bytes,
                       timeout: float = START_TIMEOUT) -> None:
    """Poll-connect until the server greets with `* OK ...token...`; fail early if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ImapServerUnavailable(f"exited with status {proc.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.25) as sock:
                greeting = sock.makefile("rb").readline()
            if greeting.startswith(b"* OK") and token in greeting:
                return
            if greeting:  # someone else's server answered
                raise ImapServerUnavailable(
                    f"port already in use by another server, greeting {greeting!r}")
        except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
            pass
        if time.monotonic() > deadline:
            raise ImapServerUnavailable(f"no greeting within {timeout} s")
        time.sleep(0.005)


def _free_port() -> int:
    """A port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _appenduid(response: bytes) -> int | None:
    """The UID from an `[APPENDUID validity uid]` response code, if any."""
    text = response.decode("ascii", "replace") if isinstance(response, bytes) else str(response)
    if "[APPENDUID " not in text:
        return None
    return int(text.split("[APPENDUID ", 1)[1].split("]", 1)[0].split()[1])
