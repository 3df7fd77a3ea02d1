"""`supportbot run` with a listener's port already taken: one line naming it, exit 2, no traceback."""

from __future__ import annotations

import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

from tests.app.test_run_command import SUPPORTBOT, service_env, write_config
from tests.support.smtp_sink import free_port


@contextmanager
def taken_port():
    """A port someone else is listening on, for as long as the block runs."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        yield other.getsockname()[1]


def run_service(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(SUPPORTBOT), "--config", str(config), "run"], capture_output=True, text=True,
                          env=service_env(), timeout=60, stdin=subprocess.DEVNULL)


def stderr_lines(result: subprocess.CompletedProcess) -> list[str]:
    """What `run` said on stderr besides the logged configuration warnings (public_base_url on loopback)."""
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.strip() and "config warning:" not in line]


def test_the_public_http_port_in_use_stops_run_with_one_line(tmp_path):
    with taken_port() as port:
        config = write_config(tmp_path, sink_port=free_port(), ingress_port=free_port(), http_port=port,
                              ops_port=free_port())
        result = run_service(config)
    assert result.returncode == 2, result.stderr
    assert stderr_lines(result) == [
        f"supportbot: cannot listen on 127.0.0.1:{port} for http (http.host, http.port): address already in use "
        "(is another supportbot or another program listening there?)"]


def test_the_smtp_ingress_port_in_use_stops_run_with_one_line(tmp_path):
    with taken_port() as port:
        config = write_config(tmp_path, sink_port=free_port(), ingress_port=port, http_port=free_port(),
                              ops_port=free_port())
        result = run_service(config)
    assert result.returncode == 2, result.stderr
    [line] = stderr_lines(result)
    assert line.startswith(f"supportbot: cannot listen on 127.0.0.1:{port} for smtp_ingress "
                           "(smtp_ingress.host, smtp_ingress.port): address already in use")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_every_taken_listener_is_named_at_once(tmp_path):
    with taken_port() as ingress, taken_port() as ops:
        config = write_config(tmp_path, sink_port=free_port(), ingress_port=ingress, http_port=free_port(),
                              ops_port=ops)
        result = run_service(config)
    assert result.returncode == 2
    assert [line.split(" for ")[1].split(" ")[0] for line in stderr_lines(result)] == ["ops", "smtp_ingress"]


def test_a_listener_sharing_an_address_with_another_is_caught_too(tmp_path):
    port = free_port()
    config = write_config(tmp_path, sink_port=free_port(), ingress_port=port, http_port=port, ops_port=free_port())
    result = run_service(config)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert f"127.0.0.1:{port} for smtp_ingress" in line and "address already in use" in line
