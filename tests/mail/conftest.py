"""The mail transport's tests: an SMTP sink, TLS, and the edges' store and IMAP server."""

from tests.support.edge_fixtures import imap_server, imap_server_factory, processor, store  # noqa: F401
from tests.support.smtp_fixtures import server_tls_context, sink_settings, smtp_sink  # noqa: F401
