import datetime as dt

import pytest
from django.utils import translation

from medir.authority.assessment import Facts, assess_ppc_report

TODAY = dt.date(2026, 12, 3)
RANSOMWARE = Facts(
    leaked="possibly", sensitive="yes", wrongful_purpose="yes", people_count=85_000
)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def test_a_hospital_ransomware_case_is_cases_1_3_and_4():
    result = assess_ppc_report(
        RANSOMWARE, operator_type="medical_corporation", aware_on=TODAY
    )

    assert result.mandatory is True
    assert result.cases == (1, 3, 4)


def test_a_possible_leak_counts_like_a_confirmed_one():
    facts = Facts(leaked="possibly", sensitive="yes")

    result = assess_ppc_report(facts, operator_type="private", aware_on=TODAY)

    assert result.mandatory is True
    assert result.cases == (1,)


def test_a_public_hospital_before_april_2023_was_under_its_local_ordinance():
    for operator in ("local_government", "local_incorporated"):
        result = assess_ppc_report(
            RANSOMWARE, operator_type=operator, aware_on=dt.date(2022, 10, 31)
        )

        assert result.mandatory is False
        assert result.rules_apply is False
        assert "local ordinance" in result.reasons[0]


def test_the_same_public_hospital_today_must_report():
    result = assess_ppc_report(
        RANSOMWARE, operator_type="local_incorporated", aware_on=dt.date(2023, 4, 1)
    )

    assert result.mandatory is True


def test_before_april_2022_no_report_was_mandatory_for_anyone():
    result = assess_ppc_report(
        RANSOMWARE, operator_type="medical_corporation", aware_on=dt.date(2022, 3, 31)
    )

    assert result.mandatory is False
    assert result.rules_apply is False


def test_strong_encryption_with_a_safe_key_is_exempt():
    facts = Facts(leaked="yes", sensitive="yes", strongly_encrypted=True)

    assert (
        assess_ppc_report(facts, operator_type="private", aware_on=TODAY).mandatory
        is False
    )


def test_no_breach_means_no_report():
    facts = Facts(leaked="no", lost="no", damaged="no", sensitive="yes")

    assert (
        assess_ppc_report(facts, operator_type="private", aware_on=TODAY).mandatory
        is False
    )


def test_unknown_facts_leave_the_answer_open_and_say_what_is_missing():
    facts = Facts(
        leaked="yes", sensitive="no", financial_risk="no", wrongful_purpose="no"
    )

    result = assess_ppc_report(facts, operator_type="private", aware_on=TODAY)

    assert result.mandatory is None
    assert "more than 1,000 people" in result.reasons[0]


@pytest.mark.parametrize(("count", "expected"), [(1000, False), (1001, True)])
def test_the_fourth_case_starts_above_1000_people(count, expected):
    facts = Facts(
        leaked="yes",
        sensitive="no",
        financial_risk="no",
        wrongful_purpose="no",
        people_count=count,
    )

    result = assess_ppc_report(facts, operator_type="private", aware_on=TODAY)

    assert result.mandatory is expected
