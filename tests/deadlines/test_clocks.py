"""Report clocks computed from hand-built incident facts (no database)."""

import datetime as dt

from medir.deadlines.clocks import ClockFacts, compute_clocks
from medir.lib.dates import JAPAN

D = dt.date


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JAPAN)


def clocks(facts: ClockFacts, today: dt.date, soon_days: int = 1) -> dict:
    return {c.key: c for c in compute_clocks(facts, today=today, soon_days=soon_days)}


# A Tuesday awareness, a PPC report mandatory (ransomware, medical records).
TUESDAY = ClockFacts(aware_on=D(2026, 11, 10), ppc_mandatory=True)


def test_a_mandatory_ppc_report_runs_the_preliminary_final_and_notice_clocks():
    result = clocks(TUESDAY, today=D(2026, 11, 10))

    assert set(result) == {
        "preliminary_target",
        "preliminary_outer",
        "final",
        "notice_to_individuals",
    }
    assert {c.applies for c in result.values()} == {"mandatory"}
    assert result["preliminary_target"].due == D(2026, 11, 12)
    assert result["final"].due == D(2026, 12, 9)


def test_a_deadline_on_a_weekend_moves_to_the_monday():
    # Day 5 of Tuesday 2026-11-10 is Saturday 11-14.
    outer = clocks(TUESDAY, today=D(2026, 11, 10))["preliminary_outer"]

    assert outer.due == D(2026, 11, 16)
    assert outer.rolled_from == D(2026, 11, 14)


def test_a_deadline_on_a_national_holiday_moves_to_the_next_open_day():
    # Aware Saturday 2026-11-21: day 3 is Monday 11-23, 勤労感謝の日.
    facts = ClockFacts(aware_on=D(2026, 11, 21), ppc_mandatory=True)

    target = clocks(facts, today=D(2026, 11, 21))["preliminary_target"]

    assert target.due == D(2026, 11, 24)
    assert target.rolled_from == D(2026, 11, 23)


def test_a_deadline_in_the_year_end_closure_moves_to_the_fourth_of_january():
    facts = ClockFacts(aware_on=D(2026, 12, 25), ppc_mandatory=True)

    result = clocks(facts, today=D(2026, 12, 25))

    assert result["preliminary_outer"].due == D(2027, 1, 4)
    assert result["preliminary_outer"].rolled_from == D(2026, 12, 29)
    assert result["final"].due == D(2027, 1, 25)


def test_the_final_report_runs_60_days_when_the_purpose_may_be_wrongful():
    wrongful = ClockFacts(
        aware_on=D(2026, 11, 10), ppc_mandatory=True, wrongful_purpose=True
    )

    assert clocks(TUESDAY, today=D(2026, 11, 10))["final"].due == D(2026, 12, 9)
    assert clocks(wrongful, today=D(2026, 11, 10))["final"].due == D(2027, 1, 8)
    assert clocks(wrongful, today=D(2026, 11, 10))["final"].day_count == 60


def test_a_clock_is_due_then_due_soon_then_overdue():
    # The 速報 target is due Thursday 2026-11-12.
    def status(today, soon_days=1):
        return clocks(TUESDAY, today, soon_days)["preliminary_target"].status

    assert status(D(2026, 11, 10)) == "due"
    assert status(D(2026, 11, 11)) == "due_soon"
    assert status(D(2026, 11, 12)) == "due_soon"
    assert status(D(2026, 11, 13)) == "overdue"
    assert status(D(2026, 11, 10), soon_days=2) == "due_soon"
    assert status(D(2026, 11, 11), soon_days=0) == "due"


def test_a_sent_version_makes_the_clock_done_with_its_submission_time():
    sent = at(2026, 11, 11, 16, 30)
    facts = ClockFacts(
        aware_on=D(2026, 11, 10), ppc_mandatory=True, sent={"ppc_preliminary": sent}
    )

    result = clocks(facts, today=D(2026, 11, 20))

    assert result["preliminary_target"].status == "done"
    assert result["preliminary_target"].sent_at == sent
    assert result["preliminary_outer"].status == "done"
    assert result["final"].status == "due"


def test_dated_clocks_are_marked_to_confirm_and_promptly_ones_are_not():
    result = clocks(TUESDAY, today=D(2026, 11, 10))

    assert result["final"].to_confirm is True
    assert result["notice_to_individuals"].due is None
    assert result["notice_to_individuals"].promptly is True
    assert result["notice_to_individuals"].to_confirm is False
    assert result["notice_to_individuals"].status == "due"


def test_ppc_clocks_run_while_the_report_is_undecided_and_say_so():
    facts = ClockFacts(aware_on=D(2026, 11, 10), ppc_mandatory=None)

    result = clocks(facts, today=D(2026, 11, 10))

    assert result["final"].applies == "undecided"


def test_no_ppc_clock_runs_when_no_report_is_owed_or_chosen():
    facts = ClockFacts(aware_on=D(2026, 11, 10), ppc_mandatory=False)

    assert clocks(facts, today=D(2026, 11, 10)) == {}


def test_choosing_4_3_runs_the_ppc_and_prefecture_clocks_even_when_not_owed():
    chosen_at = at(2026, 11, 12, 9, 0)
    facts = ClockFacts(
        aware_on=D(2026, 11, 10), ppc_mandatory=False, tracks={"4-3": chosen_at}
    )

    result = clocks(facts, today=D(2026, 11, 12))

    assert result["final"].applies == "chosen"
    assert result["prefecture"].due is None
    assert result["prefecture"].starts_on == D(2026, 11, 12)


def test_mhlw_and_police_clocks_run_promptly_from_the_2_12_decision():
    facts = ClockFacts(
        aware_on=D(2026, 11, 10),
        ppc_mandatory=False,
        tracks={"2-13": at(2026, 11, 11, 23, 30), "2-18": at(2026, 11, 12, 0, 10)},
        sent={"police": at(2026, 11, 12, 15, 0)},
    )

    result = clocks(facts, today=D(2026, 11, 13))

    assert set(result) == {"mhlw", "police"}
    assert result["mhlw"].starts_on == D(2026, 11, 11)
    assert result["mhlw"].status == "due"
    assert result["police"].status == "done"


def test_a_report_sent_without_its_track_still_shows_as_done():
    facts = ClockFacts(
        aware_on=D(2026, 11, 10),
        ppc_mandatory=False,
        sent={"mhlw": at(2026, 11, 10, 12, 0)},
    )

    result = clocks(facts, today=D(2026, 11, 13))

    assert result["mhlw"].status == "done"


def test_dismissed_and_merged_incidents_have_no_clocks():
    for state in ("dismissed", "merged"):
        facts = ClockFacts(aware_on=D(2026, 11, 10), state=state, ppc_mandatory=True)

        assert clocks(facts, today=D(2026, 11, 20)) == {}


def test_a_closed_incident_keeps_done_and_overdue_clocks_as_of_its_closing_day():
    facts = ClockFacts(
        aware_on=D(2026, 11, 10),
        state="closed",
        closed_on=D(2026, 11, 13),
        ppc_mandatory=True,
        sent={"ppc_preliminary": at(2026, 11, 12, 10, 0)},
    )

    # Months later the 確報 date has passed, but it had not when the
    # incident closed: it is left out, not shown overdue.
    result = clocks(facts, today=D(2027, 3, 1))

    assert set(result) == {"preliminary_target", "preliminary_outer"}
    assert {c.status for c in result.values()} == {"done"}


def test_a_closed_incident_shows_a_clock_it_missed_as_overdue():
    facts = ClockFacts(
        aware_on=D(2026, 11, 10),
        state="closed",
        closed_on=D(2026, 11, 20),
        ppc_mandatory=True,
    )

    result = clocks(facts, today=D(2027, 3, 1))

    assert result["preliminary_target"].status == "overdue"
    assert "final" not in result


def test_clocks_come_soonest_first_and_carry_the_replay_mark():
    facts = ClockFacts(
        aware_on=D(2026, 11, 10),
        ppc_mandatory=True,
        is_replay=True,
        tracks={"2-13": at(2026, 11, 11, 9, 0)},
    )

    result = compute_clocks(facts, today=D(2026, 11, 10))

    dates = [c.sort_date for c in result]
    assert dates == sorted(dates)
    assert result[0].key == "notice_to_individuals"  # promptly, from day 1
    assert all(c.is_replay for c in result)


def test_rules_not_in_force_on_the_awareness_date_make_no_clock():
    # The police rule starts 2023-05-31 (guideline 6.0).
    facts = ClockFacts(
        aware_on=D(2022, 10, 31),
        ppc_mandatory=False,
        tracks={"2-13": at(2022, 10, 31, 9), "2-18": at(2022, 10, 31, 9)},
    )

    assert set(clocks(facts, today=D(2022, 11, 1))) == {"mhlw"}
