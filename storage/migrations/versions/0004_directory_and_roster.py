"""directory and roster: contact phone and services, agent source, processed portal directory events

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa
import storage.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=64), nullable=True))
        # The server default fills the rows already there; new rows get [] from the model.
        batch_op.add_column(sa.Column("services", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=8), nullable=False, server_default="cli"))
        batch_op.create_check_constraint("source", "source IN ('cli', 'slack')")
    op.create_table(
        "directory_events",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_directory_events")),
    )
    with op.batch_alter_table("directory_events", schema=None) as batch_op:
        batch_op.create_index("ix_directory_events_subject_occurred_at", ["subject", "occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("directory_events", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_events_subject_occurred_at")
    op.drop_table("directory_events")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_agents_source"), type_="check")
        batch_op.drop_column("source")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("services")
        batch_op.drop_column("phone")
