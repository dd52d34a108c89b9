"""Dates as the hospital reads them: Japan time, and the Japanese era."""

import datetime as dt
from zoneinfo import ZoneInfo

JAPAN = ZoneInfo("Asia/Tokyo")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Japan of an aware moment."""
    return moment.astimezone(JAPAN).date()
