"""Reminder e-mails, sent to a real SMTP server on 127.0.0.1."""

import datetime as dt
import logging
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.deadlines import reminders
from medir.deadlines.models import ReminderSent
from medir.deadlines.reminders import reminder_recipients, send_deadline_reminders
from medir.organisation.models import ChannelKind, ContactChannel
from medir.organisation.services import create_person
from tests.deadlines.conftest import ransomware
from tests.deadlines.smtp import SmtpServer

D = dt.date

# 2026-11-10 awareness: on 11-13 the 速報 target (11-12) is overdue and the
# outer limit (11-16, Monday) is still three days off.
TODAY = D(2026, 11, 13)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_on(settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.MEDIR_MAIL_ENABLED = True
    settings.DEFAULT_FROM_EMAIL = "medir@hospital.example.jp"
    settings.MEDIR_REMINDER_DAYS = 1
    return smtp.inbox


@pytest.fixture
def addresses(director, manager, nurse):
    """The director's account address, the security manager's e-mail
    channel (and the same address on the account), and a nurse's address
    that must never be used."""
    director.email = "director@hospital.example.jp"
    director.save()
    ContactChannel.objects.create(
        person=manager.person, kind=ChannelKind.EMAIL, value="sm@hospital.example.jp"
    )
    ContactChannel.objects.create(
        person=manager.person, kind=ChannelKind.PHONE, value="090-1111-2222"
    )
    manager.email = "SM@hospital.example.jp"
    manager.save()
    nurse.email = "nurse@hospital.example.jp"
    nurse.save()
    return {"director@hospital.example.jp", "sm@hospital.example.jp"}


@pytest.fixture
def overdue(nurse, manager, director, aware_tuesday, addresses):
    return ransomware(nurse, manager, director, aware_at=aware_tuesday)


def test_recipients_are_management_and_the_security_manager_once_each(addresses):
    found = {r.address.lower() for r in reminder_recipients()}

    assert found == addresses


def test_an_overdue_clock_is_mailed_once_even_when_the_job_runs_twice(overdue, mail_on):
    first = send_deadline_reminders(today=TODAY)
    second = send_deadline_reminders(today=TODAY)

    assert first.sent_keys == [(overdue.number, "preliminary_target", "overdue")]
    assert second.sent == 0
    assert len(mail_on.messages) == 2  # one per recipient
    assert sorted(mail_on.recipients) == [
        "director@hospital.example.jp",
        "sm@hospital.example.jp",
    ]
    assert ReminderSent.objects.count() == 1


def test_a_clock_due_soon_gets_a_near_reminder_then_an_overdue_one(overdue, mail_on):
    send_deadline_reminders(today=D(2026, 11, 11))  # target due tomorrow
    send_deadline_reminders(today=D(2026, 11, 13))  # target passed

    kinds = list(
        ReminderSent.objects.filter(clock_key="preliminary_target").values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["near", "overdue"]
    assert "期限間近" in mail_on.messages[0]["Subject"]
    assert "期限超過" in mail_on.messages[-1]["Subject"]


def test_the_mail_names_the_incident_the_report_and_the_due_date_only(
    overdue, mail_on, settings
):
    send_deadline_reminders(today=TODAY)

    message = mail_on.messages[0]
    body = message.get_content()
    assert message["Subject"].strip() == (
        f"[MedIR] 期限超過 / Overdue: {overdue.number} "
        "個人情報保護委員会への速報（目安） 2026-11-12"
    )
    assert message["From"] == "medir@hospital.example.jp"
    assert f"{settings.PUBLIC_URL}/incidents/{overdue.number}/" in body
    assert "PPC preliminary report (target)" in body
    for private in ("山田", "看護師A", "090-0000-0000", "脅迫文", overdue.title):
        assert private not in body
        assert private not in message["Subject"]


def test_each_reminder_writes_an_audit_record_in_the_chain(overdue, mail_on):
    send_deadline_reminders(today=TODAY)

    record = AuditRecord.objects.get(action="deadline.reminder_sent")
    assert record.actor_label == "system"
    assert record.after["clock"] == "preliminary_target"
    assert record.after["kind"] == "overdue"
    assert record.after["due_on"] == "2026-11-12"
    assert len(record.after["recipient_person_ids"]) == 2
    assert verify_audit_chain().ok


def test_nothing_is_sent_when_no_clock_is_due_soon(overdue, mail_on):
    run = send_deadline_reminders(today=D(2026, 11, 10))

    assert run.sent == 0
    assert mail_on.messages == []


def test_nothing_is_sent_for_a_replayed_incident(
    nurse, manager, director, aware_tuesday, addresses, mail_on
):
    ransomware(nurse, manager, director, aware_at=aware_tuesday, replay=True)

    run = send_deadline_reminders(today=TODAY)

    assert run.sent == 0
    assert mail_on.messages == []
    assert not ReminderSent.objects.exists()


def test_nothing_is_sent_for_a_clock_already_done(overdue, mail_on, sent_reports):
    sent_reports[(overdue.number, "ppc_preliminary")] = dt.datetime(
        2026, 11, 11, 12, 0, tzinfo=dt.UTC
    )

    assert send_deadline_reminders(today=TODAY).sent == 0
    assert mail_on.messages == []


def test_a_refused_mail_leaves_no_record_and_is_tried_again(overdue, mail_on):
    mail_on.refuse = True

    with pytest.raises(Exception, match="refused"):
        send_deadline_reminders(today=TODAY)
    assert not ReminderSent.objects.exists()
    assert not AuditRecord.objects.filter(action="deadline.reminder_sent").exists()

    mail_on.refuse = False
    assert send_deadline_reminders(today=TODAY).sent == 1
    assert len(mail_on.messages) == 2


def test_with_e_mail_off_nothing_is_sent_and_that_is_logged_once(
    overdue, settings, caplog, monkeypatch
):
    settings.MEDIR_MAIL_ENABLED = False
    monkeypatch.setitem(reminders._said, "mail_off", False)

    with caplog.at_level(logging.INFO, logger="medir.deadlines"):
        first = send_deadline_reminders(today=TODAY)
        send_deadline_reminders(today=TODAY)

    assert first.mail_enabled is False
    assert not ReminderSent.objects.exists()
    said = [r for r in caplog.records if "e-mail is off" in r.getMessage()]
    assert len(said) == 1


def test_a_replay_dated_in_the_past_is_silent_but_a_live_one_is_not(
    nurse, manager, director, aware_tuesday, addresses, mail_on
):
    live = ransomware(nurse, manager, director, aware_at=aware_tuesday)
    ransomware(nurse, manager, director, aware_at=aware_tuesday, replay=True)

    run = send_deadline_reminders(today=TODAY)

    assert {number for number, _key, _kind in run.sent_keys} == {live.number}


def test_nobody_to_remind_sends_nothing(
    nurse, manager, director, aware_tuesday, mail_on
):
    ransomware(nurse, manager, director, aware_at=aware_tuesday)

    run = send_deadline_reminders(today=TODAY)

    assert run.recipients == 0
    assert mail_on.messages == []


def test_an_inactive_person_is_not_reminded(addresses, director):
    person = director.person
    person.is_active = False
    person.save()

    found = {r.address for r in reminder_recipients()}

    assert "director@hospital.example.jp" not in found


def test_a_person_without_an_account_is_reminded_through_their_channel(db):
    person = create_person(actor=None, display_name="副院長F", roles=["management"])
    ContactChannel.objects.create(
        person=person, kind=ChannelKind.EMAIL, value="deputy@hospital.example.jp"
    )

    assert [r.address for r in reminder_recipients()] == ["deputy@hospital.example.jp"]


# --- Two runs at once --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_reminder_once(
    nurse, manager, director, aware_tuesday, addresses, mail_on
):
    ransomware(nurse, manager, director, aware_at=aware_tuesday)
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        from django.db import connection

        try:
            start.wait(timeout=10)
            results.append(send_deadline_reminders(today=TODAY).sent)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(mail_on.messages) == 2
    assert ReminderSent.objects.count() == 1


# --- The command -----------------------------------------------------------


def test_the_command_sends_once_and_says_so(overdue, mail_on, capsys, monkeypatch):
    monkeypatch.setattr(
        "medir.deadlines.reminders.today_in_japan", lambda: TODAY, raising=True
    )

    call_command("send_deadline_reminders")
    call_command("send_deadline_reminders")

    out = capsys.readouterr().out
    assert "Reminders sent: 1; already sent before: 0." in out
    assert "Reminders sent: 0; already sent before: 1." in out
    assert len(mail_on.messages) == 2


def test_the_command_reports_e_mail_off(overdue, settings, capsys):
    settings.MEDIR_MAIL_ENABLED = False

    call_command("send_deadline_reminders")

    assert "E-mail is off" in capsys.readouterr().out


def test_the_command_fails_without_showing_the_refused_address(
    overdue, mail_on, monkeypatch
):
    monkeypatch.setattr("medir.deadlines.reminders.today_in_japan", lambda: TODAY)
    mail_on.refuse = True

    with pytest.raises(CommandError) as caught:
        call_command("send_deadline_reminders")

    assert "@" not in str(caught.value)
    assert not ReminderSent.objects.exists()
