"""Every persona against every action, through the pages they would use.

One table says who may do what; the test walks it and compares. Exporting
is tried twice: as the evidence bundle for the police, the export that
carries the most, and as the PDF of an authority report.
"""

import datetime as dt

import pytest

from medir.audit.models import AuditRecord
from medir.authority.reports.services import edit_report
from medir.evidence.services import register_hash_only_evidence
from tests.incidents.factories import confirmed_attack
from tests.incidents.web import event_count, make_outsider, share_with

ACTIONS = ("view", "work", "decide", "share", "evidence", "export", "report")

EXPECTED = {
    #                   view   work   decide share  evidence export report
    "nurse":           (True,  True,  False, False, False,   False, False),
    "manager":         (True,  True,  True,  True,  True,    True,  True),
    "director":        (True,  True,  True,  True,  True,    True,  True),
    "shared vendor":   (True,  True,  False, False, False,   False, False),
    "unshared vendor": (False, False, False, False, False,   False, False),
    "admin":           (False, False, False, False, False,   False, False),
}  # fmt: skip

# A step of each persona's own lane, ready once attack signs are present.
LANE_STEP = {
    "nurse": "2-9",
    "manager": "2-6",
    "director": "2-8",
    "shared vendor": "2-10",
    "unshared vendor": "2-10",
    "admin": "2-6",
}


@pytest.fixture
def cast(nurse, manager, director, vendor, admin, ehr_vendor):
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager)
    register_hash_only_evidence(
        incident,
        actor=manager,
        sha256="ab" * 32,
        holder="架空電子カルテ株式会社",
        kind="disk_image",
        title="電子カルテサーバのディスクイメージ",
        collected_at=dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC),
        collected_by="ベンダ技術者",
        step_id="2-14",
    )
    edit_report(incident, kind="ipa_consultation", fields={}, actor=manager)
    people = {
        "nurse": nurse,
        "manager": manager,
        "director": director,
        "shared vendor": vendor,
        "unshared vendor": make_outsider(),
        "admin": admin,
    }
    return incident, people


def attempt(client, incident, persona: str, action: str) -> bool:
    """Try the action through its page; True when it went through."""
    number = incident.number
    before = event_count()
    if action == "view":
        return client.get(f"/incidents/{number}/").status_code == 200
    if action == "evidence":
        return client.get(f"/incidents/{number}/evidence/").status_code == 200
    if action == "report":
        response = client.get(
            f"/incidents/{number}/authority/reports/ipa_consultation/v1.pdf"
        )
        assert response.status_code in {200, 403}, (persona, response.status_code)
        return response.status_code == 200
    if action == "export":
        audited = AuditRecord.objects.count()
        item = incident.evidence_items.get()
        response = client.post(
            f"/incidents/{number}/evidence/bundle/", {"items": [item.pk]}
        )
        if response.status_code == 403:
            assert AuditRecord.objects.count() == audited, f"{persona} exported"
            return False
        assert response.status_code == 200, (persona, response.status_code)
        assert response["Content-Type"] == "application/octet-stream"
        return True
    if action == "work":
        step = LANE_STEP[persona]
        response = client.post(
            f"/incidents/{number}/steps/{step}/complete/",
            {"reason": "権限の確認"},
        )
    elif action == "decide":
        response = client.post(
            f"/incidents/{number}/decisions/response_team/", {"outcome": "form_team"}
        )
    elif action == "share":
        organisation = incident.shares.get().organisation
        response = client.post(
            f"/incidents/{number}/shares/",
            {"organisation": organisation.pk, "extra_steps": ["4-5"]},
        )
    if response.status_code == 403:
        assert event_count() == before, f"{persona} {action} changed something"
        return False
    assert response.status_code == 302, (persona, action, response.status_code)
    return True


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_persona_may_do_exactly_what_the_table_says(cast, client_for, persona):
    incident, people = cast
    user = people[persona]
    client = client_for(user)

    found = {action: attempt(client, incident, persona, action) for action in ACTIONS}

    assert found == dict(zip(ACTIONS, EXPECTED[persona], strict=True))
