import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from medir.audit.models import AuditRecord
from medir.audit.services import append_audit_record, verify_audit_chain


def append(action, **after):
    with transaction.atomic():
        return append_audit_record(
            actor=None, action=action, object_type="test", object_id="1", after=after
        )


def test_an_untouched_chain_verifies(db):
    for n in range(5):
        append("test.appended", n=n)

    report = verify_audit_chain()

    assert report.ok
    assert report.checked == 5
    assert report.head_digest == AuditRecord.objects.last().digest


def test_an_edited_record_is_named_as_the_first_break(db):
    records = [append("test.appended", n=n) for n in range(5)]
    AuditRecord.objects.filter(pk=records[2].pk).update(after={"n": 99})

    report = verify_audit_chain()

    assert not report.ok
    assert report.first_broken_id == records[2].pk
    assert report.checked == 2


def test_a_deleted_record_breaks_the_link_of_the_next_one(db):
    records = [append("test.appended", n=n) for n in range(4)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])

    report = verify_audit_chain()

    assert report.first_broken_id == records[2].pk
    assert "link" in report.problem


def test_records_refuse_to_be_deleted_through_the_orm(db):
    record = append("test.appended")

    with pytest.raises(PermissionError):
        record.delete()


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        append_audit_record(actor=None, action="x", object_type="t")


def test_the_verify_command_names_the_broken_record(db, capsys):
    records = [append("test.appended", n=n) for n in range(3)]
    call_command("audit", "verify")
    assert "3 records" in capsys.readouterr().out

    AuditRecord.objects.filter(pk=records[1].pk).update(action="test.forged")
    with pytest.raises(CommandError, match=f"#{records[1].pk}"):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    errors = []

    def writer(n):
        try:
            for i in range(15):
                append("test.concurrent", writer=n, i=i)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditRecord.objects.count() == 90
    previous = list(AuditRecord.objects.values_list("previous_digest", flat=True))
    assert len(set(previous)) == 90
    assert verify_audit_chain().ok
