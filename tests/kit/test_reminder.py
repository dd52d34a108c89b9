"""The dashboard's reminder to print the kit again."""

from medir.kit.services import record_kit_printed


def test_it_reminds_the_security_manager_that_no_kit_was_ever_printed(
    manager, client_for
):
    page = client_for(manager).get("/incidents/").content.decode()

    assert 'id="kit-reminder" data-reason="never"' in page
    assert 'href="/kit/"' in page


def test_the_reminder_goes_once_the_kit_is_printed(manager, client_for, fake_kit):
    record_kit_printed(fake_kit(), actor=manager, via="web")

    page = client_for(manager).get("/incidents/").content.decode()

    assert 'id="kit-reminder"' not in page
    assert 'id="kit-current"' in page


def test_it_comes_back_when_the_data_changes_and_goes_after_a_new_print(
    manager, manager_phone, client_for, fake_kit
):
    client = client_for(manager)
    record_kit_printed(fake_kit(), actor=manager, via="web")

    manager_phone.value = "0120-000-556"
    manager_phone.save()
    page = client.get("/incidents/").content.decode()
    assert 'id="kit-reminder" data-reason="outdated"' in page

    record_kit_printed(fake_kit(), actor=manager, via="web")
    page = client.get("/incidents/").content.decode()
    assert 'id="kit-reminder"' not in page


def test_administrators_see_it_too(admin, client_for):
    page = client_for(admin).get("/incidents/").content.decode()

    assert 'id="kit-reminder"' in page


def test_staff_never_see_it(nurse, client_for):
    page = client_for(nurse).get("/incidents/").content.decode()

    assert 'id="kit-reminder"' not in page
    assert 'id="kit-current"' not in page
