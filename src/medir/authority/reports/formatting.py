"""How report values read on paper: Japanese, with 和暦 dates.

Official forms are written in Japanese whatever language the person
drafting them reads MedIR in, so these helpers never consult the active
language.
"""

import datetime as dt
from typing import Any

from medir.authority.models import SentVia
from medir.authority.reports.kinds import ReportField
from medir.lib.dates import (
    JAPAN,
    DateInputError,
    normalise_typed,
    parse_typed_date,
    parse_typed_moment,
    wareki,
)

# How a report or notice was sent, as the (always Japanese) reports say it.
SENT_VIA_JA = {
    SentVia.ONLINE_FORM: "オンラインフォーム",
    SentVia.EMAIL: "電子メール",
    SentVia.FAX: "FAX",
    SentVia.PHONE: "電話",
    SentVia.IN_PERSON: "持参",
    SentVia.POST: "郵送",
}


def parse_moment(value: Any) -> dt.datetime | None:
    """An aware datetime from a stored ISO string or one a person typed
    (和暦, full-width digits); Japan time if it has no offset."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            return parse_typed_moment(value, JAPAN)
        except DateInputError:
            return None
    else:
        return None
    return moment.replace(tzinfo=JAPAN) if moment.tzinfo is None else moment


def parse_day(value: Any) -> dt.date | None:
    """A date from a stored ISO date (or the date part of a stored
    datetime) or one a person typed (和暦, full-width digits)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(JAPAN).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = normalise_typed(value)
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
        try:
            return parse_typed_date(text)
        except DateInputError:
            pass
        moment = parse_moment(text)
        return moment.date() if moment else None
    return None


def store_moment(moment: dt.datetime) -> str:
    """The stored form of a report datetime: Japan time to the minute."""
    return moment.astimezone(JAPAN).replace(second=0, microsecond=0).isoformat()


def wareki_datetime(moment: dt.datetime) -> str:
    """令和4年10月31日（2022年10月31日）8時30分, in Japan time."""
    local = moment.astimezone(JAPAN)
    return f"{wareki(local.date())}{local.hour}時{local.minute:02d}分"


def display_value(field: ReportField, value: Any) -> str:
    """A stored field value as it is printed on the report."""
    if value in (None, "", []):
        return ""
    if field.type == "datetime":
        moment = parse_moment(value)
        return wareki_datetime(moment) if moment else str(value)
    if field.type == "date":
        day = parse_day(value)
        return wareki(day) if day else str(value)
    if field.type == "number":
        unit = field.unit.ja if field.unit else ""
        try:
            return f"{int(value):,}{unit}"
        except (TypeError, ValueError):
            return str(value)
    if field.type == "choice":
        return field.choice_label(str(value))
    if field.type == "multichoice":
        keys = value if isinstance(value, list) else [value]
        return "、".join(field.choice_label(str(key)) for key in keys)
    return str(value)


def version_label(number: int) -> str:
    """第1報, 第2報 … as authorities number successive reports."""
    return f"第{number}報"
