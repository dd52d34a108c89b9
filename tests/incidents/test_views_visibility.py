"""What staff and outside parties see of an incident, and what they never
see: decisions, reporters' names and numbers, other lanes' steps."""

import re

import pytest

from medir.incidents import services
from tests.incidents.factories import complete, confirmed_attack, report_ransom_note
from tests.incidents.web import make_ehr_system, make_outsider, page_text, share_with

VENDOR_STEPS = {"1-1", "1-3", "2-1", "2-10", "2-6", "2-15", "3-3"}
STAFF_STEPS = {"1-1", "1-2", "1-3", "2-9", "4-7"}


@pytest.fixture
def shared_attack(nurse, manager, vendor, ehr_vendor):
    """A confirmed ransomware incident shared with the EHR vendor, with a
    decision and a note the vendor must not see."""
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager)
    services.add_note(incident, actor=manager, text="経営層だけに伝える件")
    return incident


def steps_listed(page: str) -> set[str]:
    table = page[page.index('id="steps"') :]
    table = table[: table.index("</table>")]
    return set(re.findall(r'<tr class="[^"]*" data-step="([^"]+)"', table))


def coloured_boxes(page: str) -> set[str]:
    svg = page[page.index("<svg") : page.index("</svg>")]
    return set(re.findall(r'data-step="([^"]+)" data-status=', svg))


def test_a_shared_vendor_sees_the_outside_lane_and_the_steps_vendors_assist(
    client_for, shared_attack, vendor
):
    page = page_text(client_for(vendor).get(f"/incidents/{shared_attack.number}/"))

    assert steps_listed(page) == VENDOR_STEPS
    assert coloured_boxes(page) == VENDOR_STEPS
    assert "/steps/2-12/" not in page


def test_a_shared_vendor_sees_no_decision_nor_who_reported(
    client_for, shared_attack, vendor
):
    page = page_text(client_for(vendor).get(f"/incidents/{shared_attack.number}/"))
    # The flowchart names the playbook's conditions on its arrows, never
    # the outcome decided.
    outside_chart = page[: page.index("<svg")] + page[page.index("</svg>") :]

    assert 'id="decisions"' not in page
    assert 'data-kind="decision"' not in page
    assert "サイバー攻撃の兆候" not in outside_chart
    assert "看護師A" not in page
    assert "090-0000-0000" not in page
    assert "経営層だけに伝える件" not in page
    assert "/decisions/" not in page


def test_a_shared_vendor_cannot_open_a_step_outside_their_part(
    client_for, shared_attack, vendor
):
    client = client_for(vendor)

    assert client.get(f"/incidents/{shared_attack.number}/steps/2-10/").status_code == (
        200
    )
    assert client.get(f"/incidents/{shared_attack.number}/steps/2-12/").status_code == (
        403
    )


def test_a_step_shared_explicitly_becomes_visible(
    client_for, nurse, manager, vendor, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager, extra_steps=["2-14"])

    page = page_text(client_for(vendor).get(f"/incidents/{incident.number}/"))

    assert steps_listed(page) == VENDOR_STEPS | {"2-14"}


def test_the_decisions_on_a_vendors_step_page_stay_hidden(
    client_for, shared_attack, vendor
):
    page = page_text(
        client_for(vendor).get(f"/incidents/{shared_attack.number}/steps/2-1/")
    )

    assert 'id="decision-attack_signs"' not in page
    assert 'data-kind="decision"' not in page
    assert 'data-kind="step_completed"' in page


def test_a_vendor_of_an_unshared_organisation_is_refused(client_for, shared_attack):
    client = client_for(make_outsider())

    assert client.get(f"/incidents/{shared_attack.number}/").status_code == 403
    assert client.get(f"/incidents/{shared_attack.number}/steps/1-1/").status_code == (
        403
    )
    assert client.get(
        f"/incidents/{shared_attack.number}/flowchart.svg"
    ).status_code == (403)


def test_ending_the_share_closes_the_incident_to_the_vendor(
    client_for, shared_attack, manager, vendor
):
    share = shared_attack.shares.get()
    services.unshare_incident(share, actor=manager)

    response = client_for(vendor).get(f"/incidents/{shared_attack.number}/")

    assert response.status_code == 403


def test_staff_see_their_lane_and_the_notice_but_no_decision(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(
        incident, actor=manager, message="電子カルテ端末を使わないでください"
    )

    page = page_text(client_for(nurse).get(f"/incidents/{incident.number}/"))

    assert steps_listed(page) == STAFF_STEPS
    assert coloured_boxes(page) == STAFF_STEPS
    assert "電子カルテ端末を使わないでください" in page
    assert 'id="decisions"' not in page
    assert 'data-kind="decision"' not in page
    assert "090-0000-0000" not in page


def test_staff_see_their_own_report_without_the_callback_number(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)

    page = page_text(client_for(nurse).get(f"/incidents/{incident.number}/"))

    assert 'id="own-reports"' in page
    assert "プリンタから英語の脅迫文が出続けている" in page
    assert "090-0000-0000" not in page


def test_staff_cannot_open_someone_elses_unconfirmed_report(client_for, nurse, vendor):
    incident = services.file_report(
        actor=None, reporter_name="看護師G", signs=["ransom_note"]
    ).incident

    response = client_for(nurse).get(f"/incidents/{incident.number}/")

    assert response.status_code == 403


def test_the_flowchart_file_shows_only_the_readers_steps(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    complete(incident, manager, "2-6")

    svg = client_for(nurse).get(f"/incidents/{incident.number}/flowchart.svg")

    assert coloured_boxes(svg.content.decode()) == STAFF_STEPS
    assert 'data-step="2-6" data-status' not in svg.content.decode()


def test_an_administrator_without_a_lane_sees_no_incident(client_for, admin, nurse):
    incident = report_ransom_note(nurse)

    response = client_for(admin).get(f"/incidents/{incident.number}/")

    assert response.status_code == 403


def test_a_vendor_sees_the_notice_systems_in_the_banner(
    client_for, shared_attack, manager, vendor, ehr_vendor
):
    system = make_ehr_system(ehr_vendor)
    services.publish_stop_use_notice(
        shared_attack, actor=manager, message="端末を使わない", systems=[system]
    )

    page = page_text(client_for(vendor).get("/incidents/"))

    banner = page[page.index('id="stop-use-banner"') :]
    banner = banner[: banner.index("</section>")]
    assert "電子カルテ" in banner
    assert "端末を使わない" in banner
