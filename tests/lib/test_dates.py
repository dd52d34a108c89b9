import contextlib
import datetime as dt
import unicodedata

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from medir.lib.dates import (
    JAPAN,
    DateInputError,
    parse_typed_date,
    parse_typed_moment,
    wareki,
)

FULL_WIDTH = str.maketrans("0123456789-:", "０１２３４５６７８９－：")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("令和8年12月3日", dt.date(2026, 12, 3)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和８年１２月３日", dt.date(2026, 12, 3)),
        ("２０２６－１２－０３", dt.date(2026, 12, 3)),
        ("2026ー12ー03", dt.date(2026, 12, 3)),
        ("2026/12/3", dt.date(2026, 12, 3)),
        ("2026年12月3日", dt.date(2026, 12, 3)),
        (" 2026-12-03 ", dt.date(2026, 12, 3)),
    ],
)
def test_typed_dates_are_read_in_either_calendar(typed, day):
    assert parse_typed_date(typed) == day


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "平成31年5月1日",
            "平成31年5月1日 is not a date of 平成 (1989-01-08 to 2019-04-30).",
        ),
        (
            "令和1年4月30日",
            "令和1年4月30日 is not a date of 令和 (2019-05-01 to today).",
        ),
        ("令和8年2月30日", "令和8年2月30日 is not a date."),
        ("2026-13-01", "2026-13-01 is not a date."),
        ("きのう", "きのう is not a date. Write it like 2026-12-03 or 令和8年12月3日."),
        ("2026-12-03 夜", "2026-12-03 夜 is not a date."),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_with_how_to_write_it(typed, message):
    with pytest.raises(DateInputError) as refused:
        parse_typed_date(typed)

    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        ("令和8年12月3日 9時30分", dt.datetime(2026, 12, 3, 9, 30, tzinfo=JAPAN)),
        ("令和8年12月3日 09:30", dt.datetime(2026, 12, 3, 9, 30, tzinfo=JAPAN)),
        (
            "２０２６－１２－０３Ｔ０９：３０",
            dt.datetime(2026, 12, 3, 9, 30, tzinfo=JAPAN),
        ),
        ("2026-12-03T00:30+00:00", dt.datetime(2026, 12, 3, 0, 30, tzinfo=dt.UTC)),
    ],
)
def test_typed_moments_are_read_as_japan_time_unless_they_carry_an_offset(
    typed, moment
):
    assert parse_typed_moment(typed) == moment


def test_a_time_past_midnight_is_refused():
    with pytest.raises(DateInputError, match="25:00 is not a time of day"):
        parse_typed_moment("令和8年12月3日 25:00")


# Era boundaries as japanera has them: 平成 from 1989-01-08, 令和 from
# 2019-05-01. Dates before 明治 6 are lunisolar and out of scope.
@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_survives_the_round_trip_through_wareki(day):
    written = wareki(day)  # 令和8年12月3日（2026年12月3日）
    era_part, western_part = written.rstrip("）").split("（")

    assert parse_typed_date(era_part) == day
    assert parse_typed_date(western_part) == day
    assert parse_typed_date(day.isoformat()) == day


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2100, 12, 31)))
def test_full_width_digits_read_as_their_ascii_twins(day):
    era_part = wareki(day).split("（")[0]

    assert parse_typed_date(day.isoformat().translate(FULL_WIDTH)) == day
    assert parse_typed_date(era_part.translate(FULL_WIDTH)) == day
    assert unicodedata.normalize("NFKC", era_part.translate(FULL_WIDTH)) == era_part


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_read_or_refused_with_a_date_input_error(text):
    with contextlib.suppress(DateInputError):
        parse_typed_date(text)
    with contextlib.suppress(DateInputError):
        parse_typed_moment(text)
