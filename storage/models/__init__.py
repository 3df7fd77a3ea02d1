"""All tables; importing this module registers them on ``Base.metadata``."""

from storage.models.base import Base, UtcDateTime, utcnow
from storage.models.channels import CustomerChannel
from storage.models.delivery import AutoreplyLog, OutboxRow, SlaAlert, SurveyResponse
from storage.models.directory import Agent, Contact, DirectoryEvent, OncallShift, Organisation
from storage.models.intake import ImapCursor, Inquiry, Lease, RawMessage, SeenEvent
from storage.models.tickets import Attachment, ReferenceCounter, Ticket, TicketEvent, TicketMessage, TicketParticipant

__all__ = [
    "Agent", "Attachment", "AutoreplyLog", "Base", "Contact", "CustomerChannel", "DirectoryEvent", "ImapCursor", "Inquiry", "Lease",
    "OncallShift", "Organisation", "OutboxRow", "RawMessage", "ReferenceCounter", "SeenEvent",
    "SlaAlert", "SurveyResponse", "Ticket", "TicketEvent", "TicketMessage", "TicketParticipant",
    "UtcDateTime", "utcnow",
]
