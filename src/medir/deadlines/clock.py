"""Due dates of the reports that follow a breach, from data in rules.yaml.

The law gives some deadlines in days from the day the hospital became
aware (覚知日) and others as "promptly". Dated rules give a due date; the
others are shown as due promptly, with no date to miss quietly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jpholiday
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Counting:
    awareness_is_day_one: bool
    roll_forward: bool
    closure_from: tuple[int, int]
    closure_to: tuple[int, int]
    confirmed: bool
    basis: str


@dataclass(frozen=True)
class Rule:
    key: str
    title_ja: str
    title_en: str
    basis: str
    statutory: bool
    effective_from: dt.date
    days: int | None = None
    days_if_wrongful_purpose: int | None = None
    promptly: bool = False
    # How the rule becomes a clock on an incident (see clocks.py): a PPC
    # rule, or the 2-12 track that calls for the report.
    ppc: bool = False
    track: str = ""
    report_kind: str = ""


@dataclass(frozen=True)
class Deadline:
    rule: Rule
    due: dt.date | None  # None: "promptly", no fixed date
    day_count: int | None
    rolled_from: dt.date | None  # the closed day it was moved from


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in str(text).split("-"))
    dt.date(2024, month, day)  # a leap year: 02-29 is a real day
    return month, day


class RulesError(ImproperlyConfigured):
    """The deadline rules file cannot be used; names the file and the rule."""


def load_rules(path: Path | None = None) -> tuple[Counting, tuple[Rule, ...]]:
    """The installation's rules: ``settings.DEADLINE_RULES_FILE`` (the
    shipped rules.yaml unless ``MEDIR_DEADLINE_RULES`` names another)."""
    return _load_rules(Path(path or settings.DEADLINE_RULES_FILE))


@cache
def _load_rules(path: Path) -> tuple[Counting, tuple[Rule, ...]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(f"{path}: cannot be read ({error.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise RulesError(f"{path}: is not valid UTF-8 YAML ({error})") from None
    try:
        return _parse_counting(raw["counting"]), tuple(
            _parse_rule(item) for item in raw["rules"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise RulesError(f"{path}: {_describe(error)}") from None


def _describe(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"{error.args[0]!r} is missing"
    return str(error)


def _parse_counting(raw: dict) -> Counting:
    closure = raw["year_end_closure"]
    return Counting(
        awareness_is_day_one=bool(raw["awareness_is_day_one"]),
        roll_forward=bool(raw["roll_forward_past_closed_days"]),
        closure_from=_month_day(closure["from"]),
        closure_to=_month_day(closure["to"]),
        confirmed=bool(raw["confirmed"]),
        basis=str(raw["basis"]),
    )


def _parse_rule(item: dict) -> Rule:
    key = str(item["key"])
    for field in ("days", "days_if_wrongful_purpose"):
        days = item.get(field)
        if days is not None and (type(days) is not int or not 1 <= days <= 366):
            raise ValueError(f"rule {key}: {field} must be a whole number 1-366")
    if not isinstance(item["effective_from"], dt.date):
        raise ValueError(f"rule {key}: effective_from must be a date like 2022-04-01")
    if item.get("days") is None and not item.get("promptly"):
        raise ValueError(f"rule {key}: needs days or promptly: true")
    return Rule(
        key=key,
        title_ja=item["title"]["ja"],
        title_en=item["title"]["en"],
        basis=item["basis"],
        statutory=bool(item["statutory"]),
        effective_from=item["effective_from"],
        days=item.get("days"),
        days_if_wrongful_purpose=item.get("days_if_wrongful_purpose"),
        promptly=bool(item.get("promptly", False)),
        ppc=bool(item.get("ppc", False)),
        track=str(item.get("track", "")),
        report_kind=str(item.get("report_kind", "")),
    )


def is_closed_day(day: dt.date, counting: Counting) -> bool:
    """Weekends, national holidays and the year-end closure."""
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return True
    month_day = (day.month, day.day)
    return month_day >= counting.closure_from or month_day <= counting.closure_to


def count_days(
    aware: dt.date, days: int, counting: Counting
) -> tuple[dt.date, dt.date | None]:
    """The date ``days`` days from awareness, moved past closed days.

    Returns the due date and, if it was moved, the closed day it fell on.
    """
    offset = days - 1 if counting.awareness_is_day_one else days
    due = aware + dt.timedelta(days=offset)
    if not counting.roll_forward or not is_closed_day(due, counting):
        return due, None
    nominal = due
    while is_closed_day(due, counting):
        due += dt.timedelta(days=1)
    return due, nominal


def compute_deadlines(
    aware: dt.date, *, wrongful_purpose: bool = False
) -> dict[str, Deadline]:
    """Every rule in force on the awareness date, with its due date."""
    counting, rules = load_rules()
    result: dict[str, Deadline] = {}
    for rule in rules:
        if rule.effective_from > aware:
            continue
        days = rule.days
        if wrongful_purpose and rule.days_if_wrongful_purpose:
            days = rule.days_if_wrongful_purpose
        if days is None:
            result[rule.key] = Deadline(rule, None, None, None)
            continue
        due, rolled_from = count_days(aware, days, counting)
        result[rule.key] = Deadline(rule, due, days, rolled_from)
    return result
