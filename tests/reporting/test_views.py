import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from medir.audit.models import AuditRecord
from medir.incidents import services
from medir.incidents.models import (
    EventKind,
    Incident,
    IncidentState,
    Report,
    TimelineEvent,
)
from medir.reporting.tokens import make_sent_token

JAPAN = ZoneInfo("Asia/Tokyo")


def ransom_note_report(**changes):
    data = {
        "name": "東 さくら",
        "department": "東4病棟",
        "callback_number": "内線 4123",
        "signs": ["ransom_note", "files_encrypted"],
        "seen_since": "",
        "description": "ナースステーションのプリンタから英語の脅迫文が出続けている",
    }
    data.update(changes)
    return data


def stored_counts():
    return (
        Incident.objects.count(),
        Report.objects.count(),
        TimelineEvent.objects.count(),
        AuditRecord.objects.count(),
    )


def test_a_nurse_without_an_account_reports_and_is_told_to_pull_the_cable(
    client, manager_phones
):
    response = client.post("/report/", ransom_note_report(), follow=True)

    assert response.redirect_chain[0][0].startswith("/report/sent/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="disconnect"' in page
    assert "（LAN）ケーブルを抜いてください" in page
    assert "パソコンの電源は切らないでください" in page
    assert 'href="tel:0120-000-103"' in page
    assert 'href="tel:090-0000-1003"' in page
    assert 'href="tel:090-0000-1004"' in page
    assert "manager@example.jp" not in page


def test_the_managers_numbers_come_first_then_the_deputys_with_nights_marked(
    client, manager_phones
):
    response = client.post("/report/", ransom_note_report(), follow=True)

    page = response.content.decode()
    contacts = page[page.index('id="contacts"') :]
    assert (
        contacts.index("0120-000-103")
        < contacts.index("090-0000-1003")
        < contacts.index("代理F")
        < contacts.index("090-0000-1004")
    )
    mobile = contacts[contacts.index("090-0000-1003") : contacts.index("代理F")]
    assert "夜間・休日" in mobile


def test_a_report_without_signs_of_infection_does_not_say_to_pull_the_cable(
    client, manager_phones
):
    response = client.post(
        "/report/", ransom_note_report(signs=["slow_or_stopped"]), follow=True
    )

    page = response.content.decode()
    assert 'id="disconnect"' not in page
    assert 'id="no-disconnect"' in page
    assert 'href="tel:0120-000-103"' in page


def test_the_report_is_stored_as_a_reported_incident_with_timeline_and_audit(
    client, ward
):
    response = client.post(
        "/report/", ransom_note_report(seen_since="2026-04-01T03:10")
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.incident.state == IncidentState.REPORTED
    assert report.reporter_name == "東 さくら"
    assert report.department == ward
    assert report.callback_number == "内線 4123"
    assert report.signs == ["files_encrypted", "ransom_note"]
    assert report.seen_since == dt.datetime(2026, 4, 1, 3, 10, tzinfo=JAPAN)
    assert report.created_by is None
    event = TimelineEvent.objects.get(incident=report.incident)
    assert event.kind == EventKind.REPORTED
    assert event.actor_role == "staff"
    audit = AuditRecord.objects.get(action="report.filed")
    assert audit.object_id == str(report.pk)


def test_every_report_opens_its_own_incident(client):
    client.post("/report/", ransom_note_report())
    client.post("/report/", ransom_note_report(name="西山 はるか"))

    assert Incident.objects.filter(state=IncidentState.REPORTED).count() == 2


def test_a_logged_in_nurse_is_recorded_as_the_reporter(client_for, nurse):
    client_for(nurse).post("/report/", ransom_note_report())

    assert Report.objects.get().created_by == nurse


def test_the_department_may_be_typed_freely(client):
    client.post("/report/", ransom_note_report(department="地下の倉庫"))

    report = Report.objects.get()
    assert report.department is None
    assert report.department_text == "地下の倉庫"


def test_full_width_digits_in_the_call_back_number_are_made_plain(client):
    client.post(
        "/report/", ransom_note_report(callback_number="０９０ー１２３４ー５６７８")
    )

    assert Report.objects.get().callback_number == "090-1234-5678"


def test_the_form_offers_the_departments_and_works_without_script(client, ward):
    response = client.get("/report/")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="東4病棟">' in page
    assert 'type="datetime-local"' in page
    assert "<script" not in page
    assert page.count('type="checkbox"') == 7


def test_a_report_with_nothing_ticked_is_refused_next_to_the_signs(client):
    before = stored_counts()

    response = client.post("/report/", ransom_note_report(signs=[]))

    assert response.status_code == 400
    page = response.content.decode()
    signs = page[page.index('id="signs"') : page.index("</fieldset>")]
    assert "確認した事象を1つ以上選択してください" in signs
    assert stored_counts() == before


def test_a_time_in_the_future_is_refused(client):
    before = stored_counts()
    tomorrow = timezone.now().astimezone(JAPAN) + dt.timedelta(days=1)

    response = client.post(
        "/report/",
        ransom_note_report(seen_since=tomorrow.strftime("%Y-%m-%dT%H:%M")),
    )

    page = response.content.decode()
    field = page[page.index('id="field-seen_since"') :]
    assert "その日時はまだ来ていません" in field[: field.index("</div>")]
    assert stored_counts() == before


def test_a_description_that_is_too_long_is_refused(client):
    before = stored_counts()

    response = client.post("/report/", ransom_note_report(description="あ" * 2001))

    assert "2000" in response.content.decode()
    assert stored_counts() == before


def test_a_hostile_script_in_the_name_is_refused_and_not_echoed(client):
    before = stored_counts()

    response = client.post(
        "/report/", ransom_note_report(name="<script>alert(1)</script>")
    )

    page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert "と &gt; は使わずに" in page
    assert stored_counts() == before


def test_a_call_back_number_with_letters_is_refused(client):
    before = stored_counts()

    response = client.post(
        "/report/", ransom_note_report(callback_number="javascript:alert(1)")
    )

    assert "電話番号か内線番号を数字で" in response.content.decode()
    assert stored_counts() == before


def test_errors_are_in_english_for_someone_who_chose_english(client):
    client.cookies["django_language"] = "en"

    response = client.post("/report/", ransom_note_report(signs=[]))

    assert "Please tick at least one thing you saw." in response.content.decode()


def test_the_active_stop_use_notice_shows_at_the_top(client, nurse, manager):
    incident = services.file_report(
        actor=nurse, reporter_name="看護師A", signs=["ransom_note"]
    ).incident
    services.confirm_incident(incident, actor=manager)
    services.publish_stop_use_notice(
        incident, actor=manager, message="電子カルテ端末は使用しないでください"
    )
    lifted = services.publish_stop_use_notice(
        incident, actor=manager, message="PACSは使用しないでください"
    )
    services.lift_stop_use_notice(lifted, actor=manager, reason="復旧確認済み")

    page = client.get("/report/").content.decode()

    notices = page[page.index('id="stop-use-notices"') : page.index("<h1>")]
    assert "電子カルテ端末は使用しないでください" in notices
    assert "PACSは使用しないでください" not in page


def test_without_a_notice_the_page_shows_none(client):
    assert 'id="stop-use-notices"' not in client.get("/report/").content.decode()


@pytest.fixture
def three_a_minute(settings):
    settings.MEDIR_REPORT_RATE = ("3/m", "100/h")


def test_the_rate_limit_answers_429_with_the_numbers_to_phone(
    client, manager_phones, three_a_minute
):
    for _attempt in range(3):
        assert client.post("/report/", ransom_note_report()).status_code == 302

    response = client.post("/report/", ransom_note_report())

    assert response.status_code == 429
    page = response.content.decode()
    assert "この端末のネットワークから短時間に多くの報告" in page
    assert "Too many reports came from this network just now" in page
    assert 'href="tel:0120-000-103"' in page
    assert Report.objects.count() == 3


def test_the_rate_limit_holds_across_clients_from_the_same_address(
    three_a_minute,
):
    first, second = Client(), Client()
    for _attempt in range(3):
        first.post("/report/", ransom_note_report())

    response = second.post("/report/", ransom_note_report())

    assert response.status_code == 429
    assert Report.objects.count() == 3


def test_another_address_is_not_limited(three_a_minute):
    for _attempt in range(3):
        Client(REMOTE_ADDR="10.0.0.1").post("/report/", ransom_note_report())

    response = Client(REMOTE_ADDR="10.0.0.2").post("/report/", ransom_note_report())

    assert response.status_code == 302


def test_bad_inputs_count_against_the_limit_too(client, three_a_minute):
    for _attempt in range(3):
        client.post("/report/", ransom_note_report(signs=[]))

    assert client.post("/report/", ransom_note_report()).status_code == 429


def test_reading_the_form_is_never_limited(client, three_a_minute):
    for _attempt in range(5):
        assert client.get("/report/").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    settings, three_a_minute
):
    settings.MEDIR_TRUSTED_PROXY = True
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _attempt in range(3):
        Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").post(
            "/report/", ransom_note_report()
        )

    other = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    forged = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")

    assert other.post("/report/", ransom_note_report()).status_code == 302
    assert forged.post("/report/", ransom_note_report()).status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(three_a_minute):
    for address in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]:
        Client(HTTP_X_FORWARDED_FOR=address).post("/report/", ransom_note_report())

    response = Client(HTTP_X_FORWARDED_FOR="203.0.113.4").post(
        "/report/", ransom_note_report()
    )

    assert response.status_code == 429


def test_the_thank_you_link_cannot_be_forged(client):
    client.post("/report/", ransom_note_report())
    report = Report.objects.get()
    genuine = make_sent_token(report.pk)
    unsigned = signing.dumps(report.pk, key="not the secret key", salt="x")

    assert client.get(f"/report/sent/{genuine}/").status_code == 200
    assert client.get(f"/report/sent/{report.pk}/").status_code == 404
    assert client.get(f"/report/sent/{unsigned}/").status_code == 404
    assert client.get(f"/report/sent/{genuine[:-1]}x/").status_code == 404


def test_an_old_thank_you_link_stops_working(client, settings):
    client.post("/report/", ransom_note_report())
    token = make_sent_token(Report.objects.get().pk)
    later = timezone.now() + dt.timedelta(days=8)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.time", lambda: later.timestamp())
        response = client.get(f"/report/sent/{token}/")

    assert response.status_code == 404


def test_the_limit_counters_live_in_the_database_that_every_process_shares(
    client, three_a_minute
):
    # Counted in memory, each server process would grant its own quota.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM medir_cache")
        before = cursor.fetchone()[0]

    client.post("/report/", ransom_note_report())

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM medir_cache")
        assert cursor.fetchone()[0] > before


def test_a_ward_filing_forty_reports_in_a_minute_is_never_turned_away(client):
    # The default limits (MEDIR_REPORT_RATE=60/m,600/h): a whole ward behind
    # one address reporting at the start of an attack.
    answers = [
        client.post("/report/", ransom_note_report()).status_code for _ in range(40)
    ]

    assert answers == [302] * 40
    assert Report.objects.count() == 40
