"""The desk's memory: case vectors (multilingual embeddings of closed cases)

``case_vectors`` holds one float16 vector per closed case, written by the
embedding job and read for similar-case search across Swedish and English.
Like the full-text index it is not in the models (storage/search/ owns it);
it starts empty and the job fills it.

Revision ID: 0006_case_vectors
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

revision = "0006_case_vectors"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    binary = "bytea" if op.get_bind().dialect.name == "postgresql" else "BLOB"
    op.execute(f"CREATE TABLE case_vectors (ticket_id integer PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE, "
               f"language varchar(8) NOT NULL, vector {binary} NOT NULL)")


def downgrade() -> None:
    op.execute("DROP TABLE case_vectors")
