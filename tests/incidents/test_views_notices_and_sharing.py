"""Stop-use notices and sharing with outside organisations, from the
incident page."""

from django.utils import translation

from medir.incidents import services
from medir.incidents.models import IncidentShare, StopUseNotice
from medir.organisation.models import Organisation, OrganisationKind
from tests.incidents.factories import confirmed_attack
from tests.incidents.web import event_count, make_ehr_system, page_text, share_with


def japanese(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


def test_the_security_manager_publishes_a_notice_with_its_systems(
    client_for, nurse, manager
):
    incident = confirmed_attack(nurse, manager)
    system = make_ehr_system()

    response = client_for(manager).post(
        f"/incidents/{incident.number}/notices/",
        {
            "message": "電子カルテ端末を使わず、紙運用に切り替えてください",
            "systems": [system.pk],
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.number}/#notices"
    notice = StopUseNotice.objects.get()
    assert list(notice.systems.all()) == [system]


def test_a_notice_without_a_message_is_refused(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    events = event_count()

    response = client_for(manager).post(f"/incidents/{incident.number}/notices/", {})

    assert response.status_code == 400
    page = page_text(response)
    field = page[page.index('data-field="message"') :]
    assert japanese("This field is required.") in field[: field.index("</div>")]
    assert event_count() == events
    assert not StopUseNotice.objects.exists()


def test_every_logged_in_person_sees_the_notice_until_it_is_lifted(
    client_for, nurse, manager, vendor, admin
):
    incident = confirmed_attack(nurse, manager)
    services.publish_stop_use_notice(incident, actor=manager, message="<b>使用停止</b>")
    notice = StopUseNotice.objects.get()

    pages = {
        user.username: page_text(client_for(user).get("/incidents/"))
        for user in (nurse, manager, vendor, admin)
    }
    lifted = client_for(manager).post(
        f"/incidents/{incident.number}/notices/{notice.pk}/lift/",
        {"reason": "復旧を確認"},
    )
    after = page_text(client_for(nurse).get("/incidents/"))

    for page in pages.values():
        assert 'id="stop-use-banner"' in page
        assert "&lt;b&gt;使用停止&lt;/b&gt;" in page
    # Only those who may open the incident get the link to it.
    assert f'href="/incidents/{incident.number}/#notices"' in pages["nurse"]
    assert f'href="/incidents/{incident.number}/#notices"' not in pages["vendor"]
    assert lifted.status_code == 302
    assert 'id="stop-use-banner"' not in after


def test_lifting_needs_a_reason(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    notice = services.publish_stop_use_notice(incident, actor=manager, message="停止")
    events = event_count()

    response = client_for(manager).post(
        f"/incidents/{incident.number}/notices/{notice.pk}/lift/", {"reason": ""}
    )

    assert response.status_code == 400
    assert event_count() == events
    notice.refresh_from_db()
    assert notice.is_active


def test_a_nurse_can_neither_publish_nor_lift(client_for, nurse, manager):
    incident = confirmed_attack(nurse, manager)
    notice = services.publish_stop_use_notice(incident, actor=manager, message="停止")
    events = event_count()
    client = client_for(nurse)

    published = client.post(
        f"/incidents/{incident.number}/notices/", {"message": "勝手な告知"}
    )
    lifted = client.post(
        f"/incidents/{incident.number}/notices/{notice.pk}/lift/", {"reason": "直った"}
    )

    assert (published.status_code, lifted.status_code) == (403, 403)
    assert event_count() == events


def test_a_notice_of_another_incident_is_not_found(client_for, nurse, manager):
    first = confirmed_attack(nurse, manager)
    second = confirmed_attack(nurse, manager)
    notice = services.publish_stop_use_notice(first, actor=manager, message="停止")

    response = client_for(manager).post(
        f"/incidents/{second.number}/notices/{notice.pk}/lift/", {"reason": "復旧"}
    )

    assert response.status_code == 404


def test_sharing_offers_vendors_and_contractors_only(
    client_for, nurse, manager, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    caterer = Organisation.objects.create(
        name="架空給食株式会社", kind=OrganisationKind.CONTRACTOR
    )
    police = Organisation.objects.create(
        name="架空県警察本部", kind=OrganisationKind.AUTHORITY
    )

    page = page_text(client_for(manager).get(f"/incidents/{incident.number}/"))

    select = page[page.index('name="organisation"') :]
    select = select[: select.index("</select>")]
    assert f'value="{ehr_vendor.pk}"' in select
    assert f'value="{caterer.pk}"' in select
    assert f'value="{police.pk}"' not in select


def test_the_manager_shares_with_extra_steps_then_ends_the_share(
    client_for, nurse, manager, ehr_vendor
):
    incident = confirmed_attack(nurse, manager)
    client = client_for(manager)

    shared = client.post(
        f"/incidents/{incident.number}/shares/",
        {"organisation": ehr_vendor.pk, "extra_steps": ["2-14"]},
    )
    share = IncidentShare.objects.get()
    page = page_text(client.get(f"/incidents/{incident.number}/"))
    ended = client.post(f"/incidents/{incident.number}/shares/{share.pk}/end/")

    assert shared.status_code == 302
    assert share.extra_steps == ["2-14"]
    assert f'action="/incidents/{incident.number}/shares/{share.pk}/end/"' in page
    assert ended.status_code == 302
    share.refresh_from_db()
    assert share.revoked_at is not None


def test_sharing_the_same_way_twice_says_so(client_for, nurse, manager, ehr_vendor):
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager)
    events = event_count()
    client = client_for(manager)
    client.cookies["django_language"] = "en"

    response = client.post(
        f"/incidents/{incident.number}/shares/", {"organisation": ehr_vendor.pk}
    )

    assert response.status_code == 400
    assert "The incident is already shared that way." in page_text(response)
    assert event_count() == events


def test_ending_a_share_twice_shows_the_error(client_for, nurse, manager, ehr_vendor):
    incident = confirmed_attack(nurse, manager)
    share = share_with(incident, ehr_vendor, manager)
    services.unshare_incident(share, actor=manager)
    client = client_for(manager)
    client.cookies["django_language"] = "en"

    response = client.post(
        f"/incidents/{incident.number}/shares/{share.pk}/end/", follow=True
    )

    assert "This sharing has already ended." in page_text(response)


def test_a_vendor_cannot_share(client_for, nurse, manager, vendor, ehr_vendor):
    incident = confirmed_attack(nurse, manager)
    share_with(incident, ehr_vendor, manager)
    events = event_count()

    response = client_for(vendor).post(
        f"/incidents/{incident.number}/shares/",
        {"organisation": ehr_vendor.pk, "extra_steps": ["2-12"]},
    )

    assert response.status_code == 403
    assert event_count() == events
