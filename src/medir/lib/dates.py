"""Dates as the hospital reads them: Japan time, and the Japanese era."""

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from japanera import ERA_DATA_GENERAL, EraDate

JAPAN = ZoneInfo("Asia/Tokyo")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Japan of an aware moment."""
    return moment.astimezone(JAPAN).date()


def wareki(date: dt.date) -> str:
    """The date as official Japanese forms write it: the era year, then the
    western date in brackets, e.g. 令和8年12月3日（2026年12月3日）.

    The first year of an era is 元年 (令和元年5月1日). Era boundaries come
    from japanera so that a new era needs a library update, not a code
    change. A datetime is read as its own calendar date: convert it to
    Japan time first (``local_date``).
    """
    if isinstance(date, dt.datetime):
        date = date.date()
    era = EraDate.from_date(date).era
    year = date.year - era.since.year + 1
    era_year = "元" if year == 1 else str(year)
    return (
        f"{era.kanji}{era_year}年{date.month}月{date.day}日"
        f"（{date.year}年{date.month}月{date.day}日）"
    )


# --- Dates typed by people ---------------------------------------------------
#
# Forms, the API and commands accept a western date (2026-12-03,
# 2026/12/03, 2026年12月3日) or a 和暦 date (令和8年12月3日, 令和元年5月1日),
# in full-width digits too (２０２６－１２－０３). Era boundaries come from
# japanera, like ``wareki``.

MODERN_ERAS = ("明治", "大正", "昭和", "平成", "令和")
# What people type for a hyphen besides "-" once NFKC has run: dashes,
# the minus sign and the katakana long-vowel mark.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))
_ERA_DATE = re.compile(
    r"(?P<era>明治|大正|昭和|平成|令和)\s*(?P<year>元|\d{1,2})\s*年\s*"
    r"(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
)
_KANJI_DATE = re.compile(
    r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"
)
_NUMERIC_DATE = re.compile(
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
)
_TIME = re.compile(
    r"(?P<hour>\d{1,2})\s*(?::|時)\s*(?P<minute>\d{1,2})\s*分?"
    r"(?::(?P<second>\d{1,2}))?"
)


class DateInputError(ValueError):
    """A date or time a person typed that cannot be read; the message
    says how to write it."""


def normalise_typed(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII (NFKC), and
    the dashes people type for a hyphen."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


class _NotADate(DateInputError):
    pass


def _not_a_date(text: str) -> DateInputError:
    return _NotADate(
        _("%(value)s is not a date. Write it like 2026-12-03 or 令和8年12月3日.")
        % {"value": text}
    )


def _era(kanji: str):
    for era in reversed(ERA_DATA_GENERAL):
        if era.kanji == kanji:
            return era
    raise LookupError(kanji)


def _date_prefix(text: str) -> tuple[dt.date, str]:
    """The date at the start of normalised ``text`` and what follows it."""
    if match := _ERA_DATE.match(text):
        era = _era(match["era"])
        era_year = 1 if match["year"] == "元" else int(match["year"])
        try:
            day = dt.date(
                era.since.year + era_year - 1, int(match["month"]), int(match["day"])
            )
        except ValueError:
            raise _not_a_date(text) from None
        if era_year < 1 or day < era.since or (era.until and day >= era.until):
            last = era.until - dt.timedelta(days=1) if era.until else None
            raise DateInputError(
                _("%(value)s is not a date of %(era)s (%(since)s to %(until)s).")
                % {
                    "value": match[0],
                    "era": era.kanji,
                    "since": era.since.isoformat(),
                    "until": last.isoformat() if last else _("today"),
                }
            )
        return day, text[match.end() :]
    match = _KANJI_DATE.match(text) or _NUMERIC_DATE.match(text)
    if match is None:
        raise _not_a_date(text)
    try:
        day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise _not_a_date(text) from None
    return day, text[match.end() :]


def parse_typed_date(text: str) -> dt.date:
    """A date typed by a person, western or 和暦; ``DateInputError`` says
    how to write it otherwise."""
    normal = normalise_typed(text)
    day, rest = _date_prefix(normal)
    if rest.strip():
        raise _not_a_date(normal)
    return day


def parse_typed_moment(text: str, zone: dt.tzinfo = JAPAN) -> dt.datetime:
    """A date and time typed by a person: ISO 8601 (with or without an
    offset), or any date ``parse_typed_date`` reads followed by a time
    (9:30, 09:30:00, 9時30分). Without an offset it is read in ``zone``."""
    normal = normalise_typed(text)
    try:
        moment = dt.datetime.fromisoformat(normal)
    except ValueError:
        not_a_moment = DateInputError(
            _(
                "%(value)s is not a date and time. Write it like "
                "2026-12-03 09:30 or 令和8年12月3日 9時30分."
            )
            % {"value": normal}
        )
        try:
            day, rest = _date_prefix(normal)
        except _NotADate:
            raise not_a_moment from None
        match = _TIME.fullmatch(rest.lstrip("T ").strip())
        if match is None:
            raise not_a_moment from None
        try:
            clock = dt.time(
                int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
            )
        except ValueError:
            raise DateInputError(
                _("%(value)s is not a time of day.") % {"value": rest.strip()}
            ) from None
        moment = dt.datetime.combine(day, clock)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
