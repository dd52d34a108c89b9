"""Every persona against every action, through the pages they would use.

One table says who may do what; the test walks it and compares. Exporting
has no page yet, so it is asked of ``permissions.can`` directly.
"""

import pytest

from medir.incidents import permissions
from medir.incidents.permissions import Action
from tests.incidents.factories import confirmed_attack
from tests.incidents.web import event_count, make_outsider, share_with

ACTIONS = ("view", "work", "decide", "share", "export")

EXPECTED = {
    #                   view   work   decide share  export
    "nurse":           (True,  True,  False, False, False),
    "manager":         (True,  True,  True,  True,  True),
    "director":        (True,  True,  True,  True,  True),
    "shared vendor":   (True,  True,  False, False, False),
    "unshared vendor": (False, False, False, False, False),
    "admin":           (False, False, False, False, False),
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

    found = {}
    for action in ACTIONS:
        if action == "export":
            found[action] = permissions.can(user, Action.EXPORT, incident)
        else:
            found[action] = attempt(client, incident, persona, action)

    assert found == dict(zip(ACTIONS, EXPECTED[persona], strict=True))
