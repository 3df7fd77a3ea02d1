"""customer_channels: Slack channels linked to an organisation with /support link-channel

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa
import storage.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_channels",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_agent_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", storage.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["linked_by_agent_id"], ["agents.id"],
                                name=op.f("fk_customer_channels_linked_by_agent_id_agents")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_customer_channels_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_customer_channels")),
    )
    with op.batch_alter_table("customer_channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_channels_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_channels_organisation_id"))
    op.drop_table("customer_channels")
