"""pytest fixtures for disposable IMAP servers.

Import the ones a test module or conftest needs:

    from tests.support.imap_fixtures import imap_server, imap_server_factory

`imap_server` is whatever `start_imap_server()` picks (Dovecot, or pymap on
a machine without it; never pymap on CI). To run a test against every
available kind, parametrize over `available_server_kinds()` and use the
factory: `imap_server_factory(kind)`.
"""

from __future__ import annotations

import pytest

from tests.support.imap_server import start_imap_server


@pytest.fixture
def imap_server_factory(tmp_path):
    """Start servers with `factory(kind=None, users=None)`; all are closed after the test."""
    servers = []

    def factory(kind=None, users=None):
        server = start_imap_server(tmp_path / f"imap{len(servers)}", kind=kind, users=users)
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


@pytest.fixture
def imap_server(imap_server_factory):
    """A fresh, started IMAP server for this test, in its own directory; closed afterwards."""
    return imap_server_factory()
