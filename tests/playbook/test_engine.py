from pathlib import Path

import pytest

from medir.playbook.engine import Recorded, Status, evaluate
from medir.playbook.schema import load_playbook_file

PLAYBOOK = load_playbook_file(
    Path(__file__).parents[2] / "src" / "medir" / "playbook" / "mhlw.yaml"
)
ATTACK_ONLY = [f"2-{n}" for n in range(5, 19)] + ["3-1", "4-4", "4-9"]
ALL_TRACKS = frozenset({"2-13", "2-14", "2-18", "4-3", "4-4", "4-9"})


def statuses(recorded=None, decisions=None, facts=None):
    result = evaluate(
        PLAYBOOK,
        recorded={k: Recorded(v) for k, v in (recorded or {}).items()},
        decisions=decisions or {},
        facts={"infection_signs": None, "personal_data_affected": None}
        | {"ppc_report_mandatory": False}
        | (facts or {}),
    )
    return {step_id: status.status for step_id, status in result.items()}


def done(*step_ids):
    return dict.fromkeys(step_ids, "done")


def test_a_new_incident_is_ready_at_1_1_and_waits_everywhere_else():
    result = statuses()

    assert result["1-1"] == Status.READY
    assert result["1-2"] == Status.WAITING
    assert result["2-1"] == Status.WAITING
    assert Status.NOT_APPLICABLE not in result.values()


def test_infection_signs_lead_through_pulling_the_cable():
    result = statuses(done("1-1"), facts={"infection_signs": True})

    assert result["1-2"] == Status.READY
    assert result["1-3"] == Status.WAITING


def test_without_infection_signs_the_cable_step_does_not_apply():
    result = statuses(done("1-1"), facts={"infection_signs": False})

    assert result["1-2"] == Status.NOT_APPLICABLE
    assert result["1-3"] == Status.READY


def test_investigation_waits_for_the_security_managers_confirmation():
    recorded = done("1-1", "1-2", "1-3", "1-4")

    assert statuses(recorded, facts={"infection_signs": True})["2-1"] == Status.WAITING
    confirmed = statuses(
        recorded,
        decisions={"confirmation": "confirmed"},
        facts={"infection_signs": True},
    )
    assert confirmed["2-1"] == Status.READY


def test_attack_signs_open_containment_at_once_without_waiting_for_2_2_to_2_4():
    recorded = done("1-1", "1-3", "1-4", "2-1")
    decisions = {"confirmation": "confirmed", "attack_signs": "present"}

    result = statuses(recorded, decisions, {"infection_signs": False})

    assert result["2-5"] == Status.READY
    assert result["2-6"] == Status.READY
    assert result["2-2"] == Status.READY
    assert result["3-2"] == Status.WAITING


def test_no_attack_signs_make_the_attack_only_steps_not_applicable():
    recorded = done("1-1", "1-3", "1-4", "2-1")
    decisions = {"confirmation": "confirmed", "attack_signs": "absent"}

    result = statuses(recorded, decisions, {"infection_signs": False})

    assert {result[s] for s in ATTACK_ONLY} == {Status.NOT_APPLICABLE}
    assert result["3-2"] == Status.WAITING


def test_the_ordinary_failure_path_joins_2_2_to_2_4_before_asking_vendors():
    recorded = done("1-1", "1-3", "1-4", "2-1", "2-2", "2-3")
    decisions = {"confirmation": "confirmed", "attack_signs": "absent"}

    assert statuses(recorded, decisions)["3-2"] == Status.WAITING
    recorded["2-4"] = "skipped"
    assert statuses(recorded, decisions)["3-2"] == Status.READY


def test_revising_attack_signs_brings_the_attack_steps_back():
    recorded = done("1-1", "1-3", "1-4", "2-1")

    before = statuses(recorded, {"confirmation": "confirmed", "attack_signs": "absent"})
    after = statuses(recorded, {"confirmation": "confirmed", "attack_signs": "present"})

    assert before["2-6"] == Status.NOT_APPLICABLE
    assert after["2-6"] == Status.READY


def attack_path_until_2_12():
    return done(
        "1-1", "1-2", "1-3", "1-4", "2-1", "2-5", "2-6", "2-7", "2-8", "2-9",
        "2-10", "2-11", "2-12",
    )  # fmt: skip


def test_tracks_not_chosen_at_2_12_do_not_apply():
    decisions = {
        "confirmation": "confirmed",
        "attack_signs": "present",
        "tracks": frozenset({"2-13", "2-14"}),
    }

    result = statuses(attack_path_until_2_12(), decisions, {"infection_signs": True})

    assert result["2-13"] == Status.READY
    assert result["2-14"] == Status.READY
    assert result["2-18"] == Status.NOT_APPLICABLE
    assert result["4-3"] == Status.NOT_APPLICABLE
    assert result["4-4"] == Status.NOT_APPLICABLE
    assert result["4-9"] == Status.NOT_APPLICABLE


def test_tracks_still_undecided_keep_their_steps_waiting():
    decisions = {"confirmation": "confirmed", "attack_signs": "present"}

    result = statuses(attack_path_until_2_12(), decisions, {"infection_signs": True})

    assert result["2-13"] == Status.WAITING
    assert result["4-9"] == Status.WAITING


def test_recovery_planning_goes_on_when_evidence_preservation_is_not_chosen():
    decisions = {
        "confirmation": "confirmed",
        "attack_signs": "present",
        "tracks": frozenset({"2-13"}),
    }

    result = statuses(attack_path_until_2_12(), decisions, {"infection_signs": True})

    assert result["2-14"] == Status.NOT_APPLICABLE
    assert result["2-15"] == Status.READY


def test_a_mandatory_ppc_report_proposes_4_3_even_if_management_left_it_out():
    decisions = {
        "confirmation": "confirmed",
        "attack_signs": "present",
        "tracks": frozenset({"2-13"}),
    }

    result = statuses(
        attack_path_until_2_12(),
        decisions,
        {"infection_signs": True, "ppc_report_mandatory": True},
    )

    assert result["4-3"] == Status.READY


def test_on_the_ordinary_path_4_3_follows_4_1_only_when_personal_data_was_hit():
    recorded = done(
        "1-1", "1-3", "1-4", "2-1", "2-2", "2-3", "2-4", "3-2", "3-3", "3-4", "4-1"
    )  # fmt: skip
    decisions = {"confirmation": "confirmed", "attack_signs": "absent"}

    unknown = statuses(recorded, decisions)
    affected = statuses(recorded, decisions, {"personal_data_affected": True})
    unaffected = statuses(recorded, decisions, {"personal_data_affected": False})

    assert unknown["4-3"] == Status.WAITING
    assert affected["4-3"] == Status.READY
    assert unaffected["4-3"] == Status.NOT_APPLICABLE


def test_prevention_fans_out_after_4_5():
    recorded = done("4-1", "4-2", "4-5")

    result = statuses(recorded)

    assert result["4-6"] == Status.READY
    assert result["4-8"] == Status.READY
    assert result["4-7"] == Status.WAITING


def test_a_step_recorded_out_of_order_keeps_its_record():
    result = statuses({"2-13": "done", "2-6": "in_progress"})

    assert result["2-13"] == Status.DONE
    assert result["2-6"] == Status.IN_PROGRESS


@pytest.mark.parametrize("state", ["done", "skipped"])
def test_a_finished_step_counts_for_what_follows(state):
    result = statuses({"1-1": "done", "1-2": state}, facts={"infection_signs": True})

    assert result["1-3"] == Status.READY
