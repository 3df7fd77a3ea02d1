"""A phone call with the customer, as an agent logs it: with whom, what was said, how it ended.

The desk asks follow-up questions by phone; logged, the call is part of the
case's record (a ``call_logged`` event, shown by `supportbot ticket show`), and
an audit line in the card's thread tells the other agents. "Counts as first
response" stops the first-response clock as a reply does.
"""

from __future__ import annotations

from dataclasses import dataclass

OUTCOMES = {"solved": "solved", "follow_up": "follow-up needed", "no_answer": "no answer", "info": "information given"}
WHOM_CHARS, SUMMARY_CHARS = 200, 3000
AUDIT_SUMMARY_CHARS = 300


@dataclass(frozen=True)
class PhoneCall:
    whom: str
    summary: str
    outcome: str
    first_response: bool = False

    def problem(self) -> str | None:
        """What is missing or wrong, in the words the modal shows; None when the call can be logged."""
        if not self.whom.strip():
            return "Say who you spoke with."
        if not self.summary.strip():
            return "Summarise the call."
        if self.outcome not in OUTCOMES:
            return "Choose how the call ended."
        return None

    def as_data(self) -> dict:
        return {"whom": self.whom.strip()[:WHOM_CHARS], "summary": self.summary.strip()[:SUMMARY_CHARS],
                "outcome": self.outcome, "first_response": self.first_response}

    def audit_text(self) -> str:
        """``call with Åsa (solved): "They restarted the export…"`` — escaped by the audit line's builder."""
        summary = " ".join(self.summary.split())
        if len(summary) > AUDIT_SUMMARY_CHARS:
            summary = summary[:AUDIT_SUMMARY_CHARS - 1].rstrip() + "…"
        counted = " · counts as first response" if self.first_response else ""
        return f"call with {self.whom.strip()[:WHOM_CHARS]} ({OUTCOMES[self.outcome]}){counted}: “{summary}”"
