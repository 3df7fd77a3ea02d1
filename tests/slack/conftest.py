"""The Slack transport's tests: the edges' store, as the Slack intake fills it."""

from tests.support.edge_fixtures import imap_server, imap_server_factory, processor, store  # noqa: F401
