"""The director drafts the PPC preliminary report (速報) in a real browser,
records it as sent, and sees it marked sent in the reports list."""

import pytest

from medir.authority.models import ReportVersion
from medir.authority.reports_queries import latest_sent_at
from medir.authority.services import record_personal_data_facts
from medir.incidents import services
from medir.organisation.models import Hospital
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.conftest import PASSWORD
from tests.incidents.factories import complete, confirmed_attack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def incident_past_2_12(nurse, manager, director):
    """A ransomware incident whose tracks were chosen at 2-12, with the
    personal-data facts recorded."""
    Hospital.objects.create(name="テスト総合病院", operator_type="medical_corporation")
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-5", "2-6", "2-7")
    complete(incident, director, "2-8")
    complete(incident, nurse, "2-9")
    services.complete_step(
        incident,
        step_id="2-10",
        actor=manager,
        records={
            "found_at": "2026-11-30T08:30",
            "location_and_care_impact": "電子カルテが使えず外来を止めた",
            "cause": "調査中",
        },
    )
    complete(incident, manager, "2-11")
    services.record_decision(
        incident,
        decision_id="tracks",
        outcome=["2-13", "2-18", "4-3"],
        actor=director,
    )
    complete(incident, director, "2-12")
    record_personal_data_facts(
        incident,
        actor=manager,
        leaked="possibly",
        sensitive="yes",
        wrongful_purpose="yes",
        people_count=3200,
        people_count_kind="estimated",
        data_items="氏名、病名、検査結果",
    )
    return incident


def test_management_drafts_the_ppc_preliminary_report_and_marks_it_sent(
    page, live_server, director, incident_past_2_12
):
    incident = incident_past_2_12
    reports = f"{live_server.url}/incidents/{incident.number}/authority/reports/"
    log_in(page, live_server, "director", PASSWORD)
    page.wait_for_url("**/incidents/")
    incident_page = f"{live_server.url}/incidents/{incident.number}/"
    preliminary = '#deadlines tr[data-clock="preliminary_target"]'

    # After 2-12, with the facts recorded, the PPC clocks run.
    page.goto(incident_page)
    assert page.get_attribute(preliminary, "data-applies") == "mandatory"
    assert page.get_attribute(preliminary, "data-status") in {"due", "due_soon"}
    page.click("#authority-reports-link")
    page.wait_for_url(reports)

    page.goto(f"{reports}ppc_preliminary/")
    assert page.input_value("#id_people") == "約3,200人（推計）"
    assert "氏名、病名、検査結果" in page.input_value("#id_data_items")
    page.fill("#id_secondary_damage", "現時点で二次被害は確認されていない。")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ppc-report-edit.png"), full_page=True)
    page.click("#report-form button[type=submit]")

    page.wait_for_url("**/ppc_preliminary/v1/")
    assert "現時点で二次被害は確認されていない。" in page.inner_text("#fields")
    page.check("#sent-form input[name=sent_via][value=online_form]")
    page.fill("#sent-form textarea[name=sent_note]", "受付番号 PPC-0001")
    page.screenshot(path=str(SCREENSHOTS / "ppc-report-draft.png"), full_page=True)
    page.click("#sent-form button[type=submit]")

    page.wait_for_url(reports)
    row = page.locator('tr[data-kind="ppc_preliminary"] [data-version="1"]')
    assert row.get_attribute("data-sent") == "yes"
    assert "送付済み" in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "ppc-report-sent.png"), full_page=True)
    version = ReportVersion.objects.get(draft__kind="ppc_preliminary")
    assert version.fields["secondary_damage"] == "現時点で二次被害は確認されていない。"
    assert version.sent_via == "online_form"
    assert latest_sent_at(incident, "ppc_preliminary") == version.sent_at

    # The 速報's clocks turn done; the 確報 still runs.
    page.goto(incident_page)
    assert page.get_attribute(preliminary, "data-status") == "done"
    final = '#deadlines tr[data-clock="final"]'
    assert page.get_attribute(final, "data-status") in {"due", "due_soon"}
    page.screenshot(path=str(SCREENSHOTS / "ppc-clock-done.png"), full_page=True)
