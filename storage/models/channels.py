"""Customer channels in Slack: which organisation a shared channel belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime


class CustomerChannel(Base):
    """A Slack channel linked to an organisation by an agent (`/support link-channel ORG`).

    ``slack.customer_channels`` in the configuration maps channels too; a row
    here wins over the configuration for the same channel.
    """

    __tablename__ = "customer_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    linked_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime())
