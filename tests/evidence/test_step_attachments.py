"""Files attached to a step, shown on its page to those who handle evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medir.evidence.models import EvidenceItem
from tests.incidents.web import share_with

pytestmark = pytest.mark.django_db


def attach(client, incident, step_id, name="ransom.jpg", content=b"\xff\xd8photo"):
    return client.post(
        f"/incidents/{incident.number}/evidence/upload/?step={step_id}",
        {
            "kind": "ransom_note_photo",
            "title": "ナースステーションのプリンタに出た脅迫文",
            "collected_at": "2026-01-10 03:20",
            "collected_by": "情報システム責任者B",
            "step_id": step_id,
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_the_step_page_offers_to_attach_a_file_to_that_step(
    client_for, manager, incident
):
    page = client_for(manager).get(f"/incidents/{incident.number}/steps/2-6/")
    text = page.content.decode()

    assert 'id="attachments"' in text
    assert f'href="/incidents/{incident.number}/evidence/upload/?step=2-6"' in text
    assert "この手順に添付されたものはまだありません。" in text


def test_the_upload_form_reached_from_a_step_has_that_step_chosen(
    client_for, manager, incident
):
    page = client_for(manager).get(
        f"/incidents/{incident.number}/evidence/upload/?step=1-1"
    )

    assert '<option value="1-1" selected>1-1</option>' in page.content.decode()


def test_a_file_attached_at_the_first_step_is_listed_on_that_step_only(
    client_for, manager, incident
):
    client = client_for(manager)

    response = attach(client, incident, "1-1")

    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.step_id == "1-1"
    first = client.get(f"/incidents/{incident.number}/steps/1-1/").content.decode()
    other = client.get(f"/incidents/{incident.number}/steps/2-6/").content.decode()
    assert f"/incidents/{incident.number}/evidence/{item.pk}/" in first
    assert "ナースステーションのプリンタに出た脅迫文" in first
    assert "ナースステーションのプリンタに出た脅迫文" not in other


def test_an_attachment_to_a_step_the_playbook_does_not_have_is_refused(
    client_for, manager, incident
):
    response = attach(client_for(manager), incident, "9-9")

    assert response.status_code == 400
    assert not EvidenceItem.objects.exists()


def test_staff_and_vendors_see_no_attachments_on_their_steps(
    client_for, manager, nurse, vendor, ehr_vendor, incident
):
    attach(client_for(manager), incident, "2-10")
    share_with(incident, ehr_vendor, manager)

    for user, step_id in ((nurse, "2-9"), (vendor, "2-10")):
        text = (
            client_for(user)
            .get(f"/incidents/{incident.number}/steps/{step_id}/")
            .content.decode()
        )

        assert 'id="attachments"' not in text, user
        assert "ナースステーションのプリンタに出た脅迫文" not in text, user
