"""The card's "at a glance" line: the organisation's other open cases and the services it ordered."""

from __future__ import annotations

from bot.slack.text import fit
from bot.desk.card_view import CardView


def org_context_line(view: CardView) -> str:
    """``🗂 2 other open cases: TC-…, TC-… · 🧩 Services: Backup, SMS`` ("" when there is nothing to say).

    References link to their cards (our own https://slack.com/archives/… links, built
    from ids); service names come from the directory and are escaped.
    """
    parts = []
    if view.others_open:
        refs = [f"<{url}|{fit(ref, 40)}>" if url.startswith("https://slack.com/") else fit(ref, 40)
                for ref, url in view.others_recent]
        noun = "other open case" if view.others_open == 1 else "other open cases"
        more = "" if view.others_open <= len(refs) else ", …"
        parts.append(f"🗂 {view.others_open} {noun}: {', '.join(refs)}{more}")
    if view.services:
        parts.append("🧩 Services: " + ", ".join(fit(name, 60) for name in view.services))
    return " · ".join(parts)
