"""One incident worked by every role in turn, in a real browser.

The security manager confirms the nurse's report, records attack signs,
tells staff to stop using the EHR and shares the incident with the EHR
vendor; the nurse sees the notice; the vendor records the damage
investigation; the director chooses the tracks and finally closes the
incident. Bulk steps in between are fast-forwarded through the services.
"""

import pytest

from medir.incidents import services
from medir.incidents.models import Incident, IncidentState, StepState
from medir.incidents.selectors import get_incident_picture
from medir.organisation.models import System
from medir.playbook.engine import Status
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser window logged in as someone."""
    contexts = []

    def make(username: str):
        context = browser.new_context(
            locale="ja-JP", viewport={"width": 1400, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server, username, PASSWORD)
        page.wait_for_url("**/incidents/")
        return page

    yield make
    for context in contexts:
        context.close()


def snap(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def finish_ready_steps(incident: Incident, actor, *, but=()) -> None:
    """Complete every ready step until none is left, as a busy day would."""
    while True:
        statuses = get_incident_picture(incident).statuses
        ready = [
            step_id
            for step_id, status in statuses.items()
            if status.status in {Status.READY, Status.IN_PROGRESS}
            and step_id not in but
        ]
        if not ready:
            return
        for step_id in ready:
            services.complete_step(incident, step_id=step_id, actor=actor)


def test_each_role_works_its_part_of_one_incident(
    open_page, live_server, nurse, manager, director, vendor, ehr_vendor
):
    ehr = System.objects.create(
        name="電子カルテ", name_en="EHR", kind="ehr", vendor=ehr_vendor
    )
    incident = services.file_report(
        actor=nurse,
        reporter_name="看護師A",
        callback_number="090-0000-0000",
        signs=["ransom_note", "files_encrypted"],
        description="ナースステーションのプリンタから英語の脅迫文",
    ).incident
    url = f"{live_server.url}/incidents/{incident.number}/"

    # The security manager confirms the report and records attack signs.
    sm = open_page("manager")
    sm.goto(url)
    assert sm.locator("#incident-state").inner_text() == "報告受付"
    assert "090-0000-0000" in sm.locator("#reports").inner_text()
    snap(sm, "journey-01-reported")
    sm.fill("#id_confirm_title", "病棟プリンタに脅迫文")
    sm.click("#confirm-form button[type=submit]")
    sm.wait_for_url(url)
    assert sm.locator("#incident-state").inner_text() == "対応中"
    for step_id in ("1-1", "1-2", "1-3", "1-4", "2-1"):
        services.complete_step(incident, step_id=step_id, actor=manager)
    sm.reload()
    sm.check("#decision-attack_signs input[value=present]")
    sm.click("#decision-attack_signs button[type=submit]")
    sm.wait_for_url(f"{url}#decision-attack_signs")
    assert sm.locator("#decision-attack_signs .outcome").inner_text() == "兆候あり"
    assert sm.locator('#steps tr[data-step="2-6"]').get_attribute("data-status") == (
        "ready"
    )

    # It publishes a stop-use notice for the EHR and shares with the vendor.
    sm.click("#publish-notice summary")
    sm.fill("#id_notice_message", "電子カルテ端末を使わず、紙運用に切り替えてください")
    sm.check(f"#id_notice_systems input[value='{ehr.pk}']")
    sm.click("#publish-notice button[type=submit]")
    sm.wait_for_url(f"{url}#notices")
    assert "電子カルテ" in sm.locator("#stop-use-banner").inner_text()
    sm.click("#share summary")
    sm.select_option("#id_share_organisation", str(ehr_vendor.pk))
    sm.click("#share-form button[type=submit]")
    sm.wait_for_url(f"{url}#sharing")
    assert ehr_vendor.name in sm.locator("#shares").inner_text()
    snap(sm, "journey-02-security-manager")

    # The nurse sees the notice on her dashboard.
    ward = open_page("nurse")
    banner = ward.locator("#stop-use-banner")
    assert "紙運用に切り替えてください" in banner.inner_text()
    assert "電子カルテ" in banner.inner_text()
    snap(ward, "journey-03-nurse-dashboard")

    # The vendor records the damage investigation, ahead of 2-8, with a
    # reason, and never sees a decision.
    engineer = open_page("vendor")
    engineer.goto(url)
    assert engineer.locator("#decisions").count() == 0
    assert engineer.locator('#steps tr[data-step="2-12"]').count() == 0
    assert "090-0000-0000" not in engineer.content()
    snap(engineer, "journey-04-vendor-incident")
    engineer.click('#steps a[href$="/steps/2-10/"]')
    engineer.wait_for_url("**/steps/2-10/")
    assert engineer.locator("#out-of-order").is_visible()
    engineer.fill("#id_complete_record_found_at", "2026-10-31T06:38")
    engineer.fill("#id_complete_record_attacker", "不明")
    engineer.fill("#id_complete_record_method", "VPN 機器の脆弱性を突いた侵入")
    engineer.check("#id_complete_checklist input[value=logs_analysed]")
    engineer.click("#complete-form button[type=submit]")
    # Without the reason the page says what is missing, next to the field.
    reason_errors = engineer.locator('#complete-form [data-field="reason"] .errorlist')
    assert reason_errors.is_visible()
    snap(engineer, "journey-05-vendor-needs-reason")
    engineer.fill("#id_complete_reason", "経営層の確認前にログ調査を依頼された")
    engineer.click("#complete-form button[type=submit]")
    engineer.wait_for_url("**/steps/2-10/")
    assert engineer.locator("#step-status").get_attribute("data-status") == "done"
    assert engineer.locator("#timeline .badge.out-of-order").count() == 1
    assert engineer.locator("#decisions").count() == 0
    snap(engineer, "journey-06-vendor-step-done")
    assert incident.steps.get(step_id="2-10").records["attacker"] == "不明"

    # The director chooses the tracks at 2-12.
    finish_ready_steps(incident, manager, but={"2-12"})
    assert get_incident_picture(incident).statuses["2-12"].status == Status.READY
    boss = open_page("director")
    boss.goto(f"{url}steps/2-12/")
    for track in ("2-13", "2-14", "2-18"):
        boss.check(f"#decision-tracks input[value='{track}']")
    boss.fill("#id_decision_tracks_reason", "暗号化被害のため厚労省・警察へ")
    boss.click("#decision-tracks button[type=submit]")
    boss.wait_for_url("**/steps/2-12/")
    assert "厚生労働省へ報告" in boss.locator("#decision-tracks .outcome").inner_text()
    snap(boss, "journey-07-director-tracks")

    # Every other step is finished; closing too early names what is left.
    boss.goto(url)
    boss.click("#close-form button[type=submit]")
    assert "2-12" in boss.locator("#close-form .errors").inner_text()
    finish_ready_steps(incident, manager)
    assert incident.steps.get(step_id="2-12").state == StepState.DONE
    boss.goto(url)
    boss.fill("#id_close_reason", "全システム復旧、再発防止策を実施中")
    boss.click("#close-form button[type=submit]")
    boss.wait_for_url(url)
    assert boss.locator("#incident-state").inner_text() == "クローズ"
    assert Incident.objects.get(pk=incident.pk).state == IncidentState.CLOSED
    snap(boss, "journey-08-closed")

    # The English toggle.
    boss.click("#language-form button")
    boss.wait_for_load_state()
    assert boss.locator("#incident-state").inner_text() == "Closed"
    assert "Tracks to pursue" in boss.locator("#decision-tracks").inner_text()
    snap(boss, "journey-09-closed-english")
