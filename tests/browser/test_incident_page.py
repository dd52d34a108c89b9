import pytest
from django.core.management import call_command

from medir.incidents.models import Incident
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def osaka_incident_page(live_server, page, manager):
    """The security manager looking at the replayed Osaka incident."""
    call_command("replay", "osaka-2022")
    incident = Incident.objects.get()
    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/incidents/{incident.number}/")
    return incident


def test_after_the_osaka_replay_the_incident_page_shows_states_and_timeline(
    osaka_incident_page, page, screenshot
):
    incident = osaka_incident_page

    assert page.locator("#incident-state").inner_text() == "クローズ"
    boxes = page.locator("#flowchart svg g.step")
    assert boxes.count() == 35
    for step in incident.steps.all():
        box = page.locator(f'#flowchart svg g.step[data-step="{step.step_id}"]')
        expected = step.state if step.state != "pending" else "not_applicable"
        assert box.get_attribute("data-status") == expected, step.step_id

    times = page.locator("#timeline time").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('datetime'))"
    )
    assert len(times) == incident.events.count()
    assert times == sorted(times)
    assert page.locator("#timeline .badge.replay").count() == len(times)
    assert page.locator("#timeline .badge.assumed").count() >= 1
    screenshot("incident-after-osaka-replay")


def test_a_step_in_the_flowchart_links_to_its_page_and_english_works(
    osaka_incident_page, page, screenshot
):
    incident = osaka_incident_page

    page.locator('#flowchart svg g.step[data-step="2-10"]').click()

    page.wait_for_url(f"**/incidents/{incident.number}/steps/2-10/")
    assert "被害状況等調査" in page.locator("h1").inner_text()
    page.click("#language-form button")
    page.wait_for_load_state()
    assert "Investigating the damage" in page.locator("h1").inner_text()
    screenshot("step-2-10-english")
