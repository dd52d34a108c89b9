"""The report clocks of one incident: what is owed to whom, and by when.

A clock is a rule of rules.yaml applied to an incident's facts:

- PPC rules (速報, 確報, 本人通知) run from the awareness date while a PPC
  report is mandatory or not yet decided (個人情報保護法26条, 規則7条; an
  open question keeps the clock running, because a missed statutory
  deadline costs more than a reminder that turns out unneeded), and also
  when management chose step 4-3 at 2-12 although no report is mandatory.
  The 確報 runs 60 days instead of 30 when the breach may have had a
  wrongful purpose (規則7条3号, 8条2項).
- Track rules (MHLW 2-13, police 2-18, prefecture 4-3) run "promptly"
  from the 2-12 decision that chose the track.
- A clock stops ("done") at the latest sent version of its report.

``compute_clocks`` is pure: facts and ``today`` in, clocks out. The
database side lives in selectors.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from medir.deadlines.clock import compute_deadlines, load_rules
from medir.lib.dates import local_date

# Incidents in these states owe nothing: a false alarm, or one whose
# reports moved to the incident it was merged into.
NO_CLOCKS = {"dismissed", "merged"}


class ClockStatus(models.TextChoices):
    # Not yet due, or due "promptly" with no date.
    DUE = "due", _("Due")
    # Due within MEDIR_REMINDER_DAYS days (the due day included).
    DUE_SOON = "due_soon", _("Due soon")
    # The due date has passed and nothing was sent.
    OVERDUE = "overdue", _("Overdue")
    # A version of the report was sent.
    DONE = "done", _("Done")


class Applies(models.TextChoices):
    # The PPC assessment says a report is mandatory (規則7条).
    MANDATORY = "mandatory", _("Mandatory")
    # The PPC facts are open: the clock runs until they are settled.
    UNDECIDED = "undecided", _("Not decided yet")
    # Management chose the track at 2-12, or sent the report anyway.
    CHOSEN = "chosen", _("Chosen at 2-12")


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks of one incident depend on."""

    aware_on: dt.date
    state: str = "open"
    # The day in Japan the incident was closed; statuses freeze there.
    closed_on: dt.date | None = None
    is_replay: bool = False
    # The PPC assessment: True mandatory, None undecided, False not owed.
    ppc_mandatory: bool | None = None
    wrongful_purpose: bool = False
    # Each track chosen at 2-12, with when it was first chosen.
    tracks: Mapping[str, dt.datetime] = field(default_factory=dict)
    # Each report kind with the time its latest version was sent.
    sent: Mapping[str, dt.datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Clock:
    key: str
    title_ja: str
    title_en: str
    basis: str
    statutory: bool
    applies: str
    # The day the clock started: awareness, or the 2-12 decision.
    starts_on: dt.date
    due: dt.date | None  # None: "promptly"
    day_count: int | None
    rolled_from: dt.date | None
    status: str
    sent_at: dt.datetime | None
    # The day counting is a default still to be confirmed (要確認).
    to_confirm: bool
    report_kind: str
    is_replay: bool = False

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" else self.title_ja

    @property
    def promptly(self) -> bool:
        return self.due is None

    @property
    def is_open(self) -> bool:
        return self.status != ClockStatus.DONE

    @property
    def status_label(self) -> str:
        # "Due" reads oddly without a date: a "promptly" clock is simply
        # not sent yet.
        if self.promptly and self.status == ClockStatus.DUE:
            return str(_("Not sent yet"))
        return str(ClockStatus(self.status).label)

    @property
    def sort_date(self) -> dt.date:
        """A "promptly" clock is due from the day it started."""
        return self.due or self.starts_on


def clock_status(
    due: dt.date | None,
    sent_at: dt.datetime | None,
    *,
    today: dt.date,
    soon_days: int,
) -> str:
    if sent_at is not None:
        return ClockStatus.DONE
    if due is None:
        return ClockStatus.DUE
    if due < today:
        return ClockStatus.OVERDUE
    if (due - today).days <= soon_days:
        return ClockStatus.DUE_SOON
    return ClockStatus.DUE


def _ppc_applies(facts: ClockFacts) -> str | None:
    if facts.ppc_mandatory is True:
        return Applies.MANDATORY
    if facts.ppc_mandatory is None:
        return Applies.UNDECIDED
    if "4-3" in facts.tracks:
        return Applies.CHOSEN
    return None


def compute_clocks(
    facts: ClockFacts, *, today: dt.date, soon_days: int = 1
) -> list[Clock]:
    """The incident's clocks, soonest first.

    Dismissed and merged incidents have none. A closed incident keeps its
    history: clocks done, and clocks already overdue on the day it closed;
    the others had not fallen due and are left out.
    """
    if facts.state in NO_CLOCKS:
        return []
    closed = facts.state == "closed"
    if closed and facts.closed_on is not None:
        today = min(today, facts.closed_on)
    counting, _rules = load_rules()
    deadlines = compute_deadlines(
        facts.aware_on, wrongful_purpose=facts.wrongful_purpose
    )
    ppc_applies = _ppc_applies(facts)

    clocks: list[Clock] = []
    for deadline in deadlines.values():
        rule = deadline.rule
        sent_at = facts.sent.get(rule.report_kind) if rule.report_kind else None

        # 1. Does the rule apply to this incident, and from when?
        if rule.track:
            chosen_at = facts.tracks.get(rule.track)
            if chosen_at is None and sent_at is None:
                continue
            applies = Applies.CHOSEN
            starts_on = local_date(chosen_at) if chosen_at else facts.aware_on
        elif rule.ppc:
            if ppc_applies is None and sent_at is None:
                continue
            applies = ppc_applies or Applies.CHOSEN
            starts_on = facts.aware_on
        else:
            continue

        # 2. Where it stands today.
        status = clock_status(deadline.due, sent_at, today=today, soon_days=soon_days)
        if closed and status not in {ClockStatus.DONE, ClockStatus.OVERDUE}:
            continue
        clocks.append(
            Clock(
                key=rule.key,
                title_ja=rule.title_ja,
                title_en=rule.title_en,
                basis=rule.basis,
                statutory=rule.statutory,
                applies=applies,
                starts_on=starts_on,
                due=deadline.due,
                day_count=deadline.day_count,
                rolled_from=deadline.rolled_from,
                status=status,
                sent_at=sent_at,
                to_confirm=deadline.due is not None and not counting.confirmed,
                report_kind=rule.report_kind,
                is_replay=facts.is_replay,
            )
        )

    # A stable sort keeps the rules' order among clocks due the same day.
    return sorted(clocks, key=lambda clock: clock.sort_date)
