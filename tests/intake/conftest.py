"""The intake's tests: the edges' store and IMAP server."""

from tests.support.edge_fixtures import imap_server, imap_server_factory, processor, store  # noqa: F401
