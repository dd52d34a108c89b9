"""Dates as the hospital reads them: Japan time, and the Japanese era."""

import datetime as dt
from zoneinfo import ZoneInfo

from japanera import EraDate

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
