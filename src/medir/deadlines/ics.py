"""An incident's dated report clocks as an iCalendar file (RFC 5545).

One all-day event per dated clock, so the deadlines sit in the calendar
management already reads. Only the incident number, the report's title,
its legal basis and a link go in: never the incident's title or anything
typed into it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from medir.deadlines.clocks import Clock, ClockStatus
from medir.incidents.models import Incident


def event_uid(incident: Incident, clock: Clock) -> str:
    """Stable across downloads, so a re-import updates the event in place
    (the due date may move when facts change)."""
    host = urlsplit(settings.PUBLIC_URL).hostname or "medir"
    return f"medir-{incident.number}-{clock.key}@{host}"


def _summary(incident: Incident, clock: Clock) -> str:
    summary = f"【{incident.number}】{clock.title_ja} 期限"
    if clock.status == ClockStatus.DONE:
        summary += "（提出済）"
    if incident.is_replay:
        summary = "【再現】" + summary
    return summary


def build_calendar(
    incident: Incident, clocks: list[Clock], *, now: dt.datetime | None = None
) -> bytes:
    now = now or timezone.now()
    link = settings.PUBLIC_URL + reverse("incidents:detail", args=[incident.number])
    calendar = Calendar()
    calendar.add("prodid", "-//MedIR//report deadlines//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"MedIR {incident.number} 報告期限")

    for clock in clocks:
        if clock.due is None:
            continue
        event = Event()
        event.add("uid", event_uid(incident, clock))
        event.add("dtstamp", now)
        event.add("dtstart", clock.due)
        event.add("dtend", clock.due + dt.timedelta(days=1))
        event.add("summary", _summary(incident, clock))
        lines = [f"根拠: {clock.basis}"]
        if clock.to_confirm:
            lines.append("日数の数え方は既定値です（要確認）。")
        lines.append(link)
        event.add("description", "\n".join(lines))
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
