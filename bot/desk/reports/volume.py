"""Where the work comes from: channels, organisations, new cases sent to the portal, out of hours.

*Arrivals* are the tickets registered and the new cases answered with the
portal link that did not become tickets (one opened anyway is counted as its
ticket). A new case *came back* when the same contact registered a case in the
portal within ``COME_BACK_DAYS`` after our answer.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from bot.desk.reports.period import Period

CHANNELS = ("email", "slack", "portal", "staff")
TOP_ORGANISATIONS = 10
COME_BACK_DAYS = 14


@dataclass(frozen=True, slots=True)
class Share:
    part: int = 0
    whole: int = 0

    @property
    def pct(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


@dataclass(frozen=True)
class Volume:
    channels: list[tuple[str, int, int]]  # (channel, tickets, new cases answered with the portal link)
    organisations: list[tuple[str | None, int]]  # (name or None for no organisation, tickets), most first
    other_organisations: int  # tickets of the organisations beyond the top ten
    came_back: Share  # of the period's new cases sent to the portal
    came_back_weeks: list[tuple[str, Share]]
    out_of_hours: Share  # of the period's arrivals
    out_of_hours_weeks: list[tuple[str, Share]]

    def as_dict(self) -> dict:
        return {
            "channels": [{"channel": c, "tickets": t, "sent_to_portal": p} for c, t, p in self.channels],
            "organisations": [{"organisation": name, "tickets": n} for name, n in self.organisations],
            "other_organisations": self.other_organisations,
            "sent_to_portal": _share(self.came_back, "sent", "came_back"),
            "sent_to_portal_weeks": [{"week": w, **_share(s, "sent", "came_back")} for w, s in self.came_back_weeks],
            "out_of_hours": _share(self.out_of_hours, "arrivals", "out_of_hours"),
            "out_of_hours_weeks": [{"week": w, **_share(s, "arrivals", "out_of_hours")}
                                   for w, s in self.out_of_hours_weeks],
        }


def _share(share: Share, whole: str, part: str) -> dict:
    return {whole: share.whole, part: share.part, f"{part}_pct": share.pct}


def volume(window, inquiries, registrations, names: dict[int, str], period: Period, calendar) -> Volume:
    """The section from the window's tickets, new-case inquiries, the portal registrations that may
    answer them, and organisation names."""
    tickets = [t for t in window if period.contains(t.created_at)]
    answered = [i for i in inquiries if period.contains(i.created_at)]
    by_channel = Counter(t.origin for t in tickets)
    sent = Counter(i.channel for i in answered)
    returns = _came_back(inquiries, registrations)
    arrivals = [(at, not calendar.is_open(at)) for at in
                [t.created_at for t in window] + [i.created_at for i in inquiries if i.ticket_id is None]]
    in_period = [closed for at, closed in arrivals if period.contains(at)]
    organisations, others = _top(Counter(t.organisation_id for t in tickets), names)
    return Volume(
        channels=[(c, by_channel[c], sent[c]) for c in CHANNELS],
        organisations=organisations, other_organisations=others,
        came_back=Share(sum(returns[i] for i in answered), len(answered)),
        came_back_weeks=_weekly(((i.created_at, returns[i]) for i in inquiries), period),
        out_of_hours=Share(sum(in_period), len(in_period)),
        out_of_hours_weeks=_weekly(arrivals, period),
    )


def _came_back(inquiries, registrations) -> dict:
    """For each inquiry: whether its contact registered in the portal within the days after it."""
    by_contact: dict[int, list] = defaultdict(list)
    for contact_id, created_at in registrations:
        by_contact[contact_id].append(created_at)
    for times in by_contact.values():
        times.sort()
    found = {}
    for inquiry in inquiries:
        times = by_contact.get(inquiry.contact_id, [])
        n = bisect_right(times, inquiry.created_at)
        found[inquiry] = n < len(times) and times[n] <= inquiry.created_at + timedelta(days=COME_BACK_DAYS)
    return found


def _weekly(flags, period: Period) -> list[tuple[str, Share]]:
    counts = {week: [0, 0] for week in period.weeks()}
    for at, flag in flags:
        tally = counts[period.week_of(at)]
        tally[0] += bool(flag)
        tally[1] += 1
    return [(week, Share(*tally)) for week, tally in counts.items()]


def _top(counts: Counter, names: dict[int, str]) -> tuple[list[tuple[str | None, int]], int]:
    # Most tickets first; ties by name, tickets without an organisation last.
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, names.get(item[0]) or "",
                                                      item[0] or 0))
    top = [(names.get(org_id) if org_id is not None else None, n) for org_id, n in ranked[:TOP_ORGANISATIONS]]
    return top, sum(n for _, n in ranked[TOP_ORGANISATIONS:])
