"""Helpers that walk an incident through the flowchart with the services."""

from medir.incidents import services

ATTACK_TRACKS = ["2-13", "2-14", "2-18", "4-3", "4-4", "4-9"]


def report_ransom_note(nurse, **extra):
    return services.file_report(
        actor=nurse,
        reporter_name="看護師A",
        department_text="東4病棟",
        callback_number="090-0000-0000",
        signs=["ransom_note"],
        description="プリンタから英語の脅迫文が出続けている",
        **extra,
    ).incident


def report_slow_ehr(nurse):
    return services.file_report(
        actor=nurse, reporter_name="看護師A", signs=["slow_or_stopped"]
    ).incident


def complete(incident, user, *step_ids, **extra):
    for step_id in step_ids:
        services.complete_step(incident, step_id=step_id, actor=user, **extra)


def confirmed_attack(nurse, manager):
    """A ransomware incident confirmed at 1-4 with attack signs at 2-1."""
    incident = report_ransom_note(nurse)
    complete(incident, nurse, "1-1", "1-2", "1-3")
    services.confirm_incident(incident, actor=manager)
    complete(incident, manager, "1-4", "2-1")
    services.record_decision(
        incident, decision_id="attack_signs", outcome="present", actor=manager
    )
    return incident
