import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from medir.deadlines.clock import compute_deadlines, is_closed_day, load_rules

D = dt.date


def due(aware, key, **facts):
    return compute_deadlines(aware, **facts)[key].due


@pytest.mark.parametrize(
    ("aware", "key", "expected", "why"),
    [
        # A Tuesday: day 3 is Thursday, day 5 Saturday -> Monday.
        (D(2026, 11, 10), "preliminary_target", D(2026, 11, 12), "plain weekday"),
        (D(2026, 11, 10), "preliminary_outer", D(2026, 11, 16), "weekend"),
        # Day 30 of a Tuesday awareness is Wednesday 2026-12-09.
        (D(2026, 11, 10), "final", D(2026, 12, 9), "30 days, day 1 counted"),
        # 2026-11-21 (Sat) + 2 = 11-23 (Mon, 勤労感謝の日) -> Tue 11-24.
        (D(2026, 11, 21), "preliminary_target", D(2026, 11, 24), "holiday"),
        # Day 5 of 2026-12-25 is 12-29, inside the year-end closure -> 1-4.
        (D(2026, 12, 25), "preliminary_outer", D(2027, 1, 4), "year-end closure"),
        # Day 30 of 2026-12-25 is Saturday 2027-01-23 -> Monday 01-25.
        (D(2026, 12, 25), "final", D(2027, 1, 25), "30 days over new year"),
        # 2027-01-11 is 成人の日 (second Monday of January).
        (D(2027, 1, 9), "preliminary_target", D(2027, 1, 12), "weekend + holiday"),
    ],
)
def test_hand_computed_deadlines(aware, key, expected, why):
    assert due(aware, key) == expected, why


def test_the_wrongful_purpose_case_gives_60_days():
    # 2026-11-10 + 59 days = 2027-01-08 (Friday).
    assert due(D(2026, 11, 10), "final", wrongful_purpose=True) == D(2027, 1, 8)
    assert due(D(2026, 11, 10), "final") == D(2026, 12, 9)


def test_reports_due_promptly_have_no_date():
    deadlines = compute_deadlines(D(2026, 11, 10))

    assert deadlines["notice_to_individuals"].due is None
    assert deadlines["mhlw"].due is None


def test_rules_not_yet_in_force_on_the_awareness_date_are_left_out():
    deadlines = compute_deadlines(D(2021, 10, 31))

    assert "final" not in deadlines
    assert "mhlw" in deadlines


def test_every_rule_names_its_legal_basis_and_start_date():
    _counting, rules = load_rules()

    for rule in rules:
        assert rule.basis and rule.effective_from, rule.key


awareness_dates = st.dates(min_value=D(2022, 4, 1), max_value=D(2040, 12, 31))


@given(aware=awareness_dates, wrongful=st.booleans())
def test_a_deadline_never_falls_on_a_closed_day(aware, wrongful):
    counting, _rules = load_rules()

    for deadline in compute_deadlines(aware, wrongful_purpose=wrongful).values():
        if deadline.due is not None:
            assert not is_closed_day(deadline.due, counting)


@given(aware=awareness_dates, wrongful=st.booleans())
def test_a_deadline_never_comes_before_awareness_and_keeps_its_order(aware, wrongful):
    deadlines = compute_deadlines(aware, wrongful_purpose=wrongful)

    target = deadlines["preliminary_target"].due
    outer = deadlines["preliminary_outer"].due
    final = deadlines["final"].due
    assert aware <= target <= outer <= final


def test_the_command_prints_json_with_the_three_ppc_dates(capsys):
    call_command("deadlines", "--aware", "2026-12-25", "--json")

    payload = json.loads(capsys.readouterr().out)
    assert payload["preliminary_target"] == "2026-12-28"
    assert payload["preliminary_outer"] == "2027-01-04"
    assert payload["final"] == "2027-01-25"
    assert payload["counting_confirmed"] is False


def test_the_command_refuses_a_wrong_date():
    with pytest.raises(CommandError, match="2026-02-30 は日付として読めません"):
        call_command("deadlines", "--aware", "2026-02-30")


@pytest.mark.parametrize(
    "aware", ["令和8年12月25日", "２０２６－１２－２５", "令和８年１２月２５日"]
)
def test_the_command_reads_wareki_and_full_width_digits(aware, capsys):
    call_command("deadlines", "--aware", aware, "--json")

    payload = json.loads(capsys.readouterr().out)
    assert payload["aware"] == "2026-12-25"
    assert payload["preliminary_target"] == "2026-12-28"
