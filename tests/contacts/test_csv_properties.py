"""The contacts CSV reader returns rows or raises ``CsvFileError``,
whatever bytes it is given."""

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from medir.contacts.csvfile import COLUMNS, CsvFileError, read_rows


def _csv(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_give_rows_or_a_csv_error(data):
    try:
        rows = read_rows(data)
    except CsvFileError:
        return
    assert all(set(row) == set(COLUMNS) for row in rows)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.text(max_size=10), max_size=len(COLUMNS) + 2), max_size=5),
    st.sampled_from(["utf-8", "utf-8-sig", "cp932", "utf-16"]),
)
def test_random_rows_under_the_real_header_give_rows_or_a_csv_error(rows, encoding):
    text = _csv([list(COLUMNS), *rows])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        read = read_rows(data)
    except CsvFileError:
        return
    assert len(read) <= len(rows)
