"""The desk's memory: tickets.external_reference and the full-text index

SQLite: an FTS5 table ``ticket_fts`` (subject, body: Snowball stems) and its
fts5vocab view ``ticket_fts_vocab``. PostgreSQL: ``ticket_search`` with a
``tsvector`` document under a GIN index. Neither is in the models (their types
exist on one back end only; storage/search/ owns them). Existing tickets are
indexed here, so an upgraded desk remembers what it already has.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_reference", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_tickets_external_reference"), ["external_reference"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE ticket_search (ticket_id integer PRIMARY KEY "
                   "REFERENCES tickets (id) ON DELETE CASCADE, document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_ticket_search_document ON ticket_search USING gin (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE ticket_fts USING fts5(subject, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
        op.execute("CREATE VIRTUAL TABLE ticket_fts_vocab USING fts5vocab(ticket_fts, 'row')")
    _index_existing_tickets()


def _index_existing_tickets() -> None:
    from sqlalchemy.orm import Session

    from storage.search.backend import backend_for

    session = Session(bind=op.get_bind())
    ids = [row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM tickets"))]
    backend_for(session).reindex(session, ids)  # the documents only: case_vectors comes with 0006


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE ticket_search")
    else:
        op.execute("DROP TABLE ticket_fts_vocab")
        op.execute("DROP TABLE ticket_fts")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tickets_external_reference"), type_="unique")
        batch_op.drop_column("external_reference")
