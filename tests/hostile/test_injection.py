"""Script and attribute injection in every free-text field that is shown
back: each payload comes back escaped, never as live markup."""

import datetime as dt
import html
import re

import pytest

from medir.authority.reports import services as reports
from medir.evidence import services as evidence
from medir.incidents import services
from medir.organisation.services import create_person
from tests.incidents.factories import complete

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert('medir')</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "javascript_url": "javascript:alert(document.cookie)",
}
COLLECTED = dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC)
LIVE_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def store_note(incident, manager, nurse, payload):
    services.add_note(incident, actor=manager, text=payload)
    return f"/incidents/{incident.number}/"


def store_report_description(incident, manager, nurse, payload):
    services.file_report(
        actor=nurse,
        reporter_name="看護師A",
        signs=["other"],
        description=payload,
        incident=incident,
    )
    return f"/incidents/{incident.number}/"


def store_decision_reason(incident, manager, nurse, payload):
    services.record_decision(
        incident,
        decision_id="attack_signs",
        outcome="absent",
        actor=manager,
        reason=payload,
    )
    return f"/incidents/{incident.number}/"


def store_step_note(incident, manager, nurse, payload):
    complete(incident, manager, "2-2", note=payload, reason=payload)
    return f"/incidents/{incident.number}/steps/2-2/"


def store_stop_use_notice(incident, manager, nurse, payload):
    services.publish_stop_use_notice(incident, actor=manager, message=payload)
    return f"/incidents/{incident.number}/"


def store_evidence_fields(incident, manager, nurse, payload):
    item = evidence.register_hash_only_evidence(
        incident,
        actor=manager,
        sha256="a" * 64,
        holder=payload,
        kind="disk_image",
        title=payload,
        description=payload,
        collected_at=COLLECTED,
        collected_by=payload,
    )
    evidence.record_custody_transfer(
        item,
        actor=manager,
        from_holder=payload,
        to_holder=payload,
        handed_at=COLLECTED,
        reason=payload,
        stored_at=payload,
    )
    return f"/incidents/{incident.number}/evidence/{item.pk}/"


def store_evidence_list(incident, manager, nurse, payload):
    store_evidence_fields(incident, manager, nurse, payload)
    return f"/incidents/{incident.number}/evidence/"


def store_authority_report_draft(incident, manager, nurse, payload):
    reports.edit_report(
        incident,
        kind="ipa_consultation",
        fields={"organisation": payload, "contact": payload},
        actor=manager,
    )
    return f"/incidents/{incident.number}/authority/reports/ipa_consultation/"


def store_contact_name(incident, manager, nurse, payload):
    create_person(actor=None, display_name=payload, roles=["security_manager"])
    return "/contacts/"


SURFACES = {
    "incident notes and timeline text": store_note,
    "report descriptions on the incident page": store_report_description,
    "decision reasons": store_decision_reason,
    "step notes and reasons": store_step_note,
    "stop-use notice text": store_stop_use_notice,
    "evidence title, holder and custody on its page": store_evidence_fields,
    "evidence titles in the list": store_evidence_list,
    "authority report draft fields": store_authority_report_draft,
    "contact names in the directory": store_contact_name,
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("store", SURFACES.values(), ids=SURFACES.keys())
def test_free_text_comes_back_escaped_never_as_live_markup(
    client_for, incident, manager, nurse, store, payload
):
    url = store(incident, manager, nurse, payload)

    response = client_for(manager).get(url)

    assert response.status_code == 200
    page = response.text
    assert html.escape(payload, quote=True) in page or (
        html.escape(payload, quote=False) in page
    )
    if "<" in payload:
        assert payload not in page
    assert "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert not LIVE_URL.search(page)


def test_the_public_stop_use_notice_escapes_its_text(client, incident, manager):
    payload = PAYLOADS["attribute"]
    services.publish_stop_use_notice(incident, actor=manager, message=payload)

    page = client.get("/report/").text + client.get("/report/notices/").text

    assert payload not in page


@pytest.mark.parametrize("field", ["name", "department"])
def test_markup_in_the_report_page_name_fields_is_refused_and_stores_nothing(
    client, field
):
    from medir.incidents.models import Report

    client.cookies["django_language"] = "en"
    form = client.get("/report/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    before = Report.objects.count()

    response = client.post(
        "/report/",
        {
            "csrfmiddlewaretoken": token,
            "name": "看護師A",
            "signs": ["other"],
            field: PAYLOADS["script"],
        },
    )

    assert response.status_code == 400
    assert "Please leave out the characters &lt; and &gt;." in response.text
    assert PAYLOADS["script"] not in response.text
    assert Report.objects.count() == before
