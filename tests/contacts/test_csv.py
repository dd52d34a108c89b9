"""Exporting and importing the contact directory as CSV, as Excel writes it."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.contacts.csvfile import COLUMNS, CsvFileError, export_contacts_csv
from medir.contacts.services import import_contacts
from medir.organisation.models import (
    ContactChannel,
    Department,
    Organisation,
    Person,
)
from medir.organisation.services import create_person

HEADER = ",".join(COLUMNS)


def _csv(*rows: str) -> str:
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def _row(**cells) -> str:
    return ",".join(cells.get(column, "") for column in COLUMNS)


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def directory(db):
    """A small directory without accounts, so that it can be emptied."""
    police = Organisation.objects.create(
        name="県警察本部 サイバー犯罪相談窓口",
        kind="authority",
        source_url="https://example.jp/police",
        verified_on=datetime.date(2026, 10, 1),
        needs_verification=True,
    )
    ContactChannel.objects.create(
        organisation=police, kind="phone", value="#9110", order=1
    )
    vendor = Organisation.objects.create(
        name="㈱架空電子カルテ", name_en="Fictional EHR", kind="vendor"
    )
    ContactChannel.objects.create(
        organisation=vendor,
        kind="phone",
        value="+81-3-0000-0000",
        label="24時間窓口",
        order=1,
        out_of_hours=True,
        verified_on=datetime.date(2026, 11, 1),
    )
    ContactChannel.objects.create(
        organisation=vendor, kind="email", value="support@example.jp", order=2
    )
    ward = Department.objects.create(name="東4病棟")
    director = create_person(actor=None, display_name="髙橋院長", roles=["management"])
    ContactChannel.objects.create(person=director, kind="mobile", value="090-1111-2222")
    create_person(
        actor=None,
        display_name="山﨑副院長",
        roles=["management", "security_manager"],
        department=ward,
        deputy_for=director,
    )
    create_person(
        actor=None, display_name="保守担当①", roles=["external"], organisation=vendor
    )


def _empty_directory():
    ContactChannel.objects.all().delete()
    Person.objects.update(deputy_for=None)
    Person.objects.all().delete()
    Organisation.objects.all().delete()
    Department.objects.all().delete()


def test_export_starts_with_a_byte_order_mark_for_excel(directory):
    data = export_contacts_csv()

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").startswith(HEADER + "\r\n")


def test_export_neutralises_cells_a_spreadsheet_would_run(directory):
    Organisation.objects.create(name='=HYPERLINK("http://evil")', kind="other")
    Organisation.objects.create(name="@SUM(A1)", kind="other")

    text = export_contacts_csv().decode("utf-8-sig")

    assert "'+81-3-0000-0000" in text
    assert '"\'=HYPERLINK(""http://evil"")"' in text
    assert "'@SUM(A1)" in text
    assert ",=" not in text and ",@" not in text


def test_export_then_import_into_an_empty_directory_gives_the_same_data(directory):
    exported = export_contacts_csv()
    _empty_directory()

    result = import_contacts(exported, actor=None, apply=True)

    assert result.errors == []
    assert (result.organisations, result.people, result.channels) == (2, 3, 4)
    assert export_contacts_csv() == exported
    assert Person.objects.get(display_name="山﨑副院長").deputy_for.display_name == (
        "髙橋院長"
    )
    assert ContactChannel.objects.get(value="+81-3-0000-0000").out_of_hours
    assert verify_audit_chain().ok


def test_import_reads_a_cp932_file_from_japanese_excel(db):
    text = _csv(
        _row(kind="organisation", name="㈱髙﨑システム", organisation_kind="vendor"),
        _row(
            kind="organisation",
            name="㈱髙﨑システム",
            channel_kind="phone",
            channel_value="03-0000-0001",
            channel_label="窓口①",
            order="1",
            out_of_hours="yes",
        ),
        _row(
            kind="person",
            name="山﨑 一郎",
            roles="security_manager",
            department="情報システム室",
        ),
    )

    result = import_contacts(text.encode("cp932"), actor=None, apply=True)

    assert result.errors == []
    channel = ContactChannel.objects.get(organisation__name="㈱髙﨑システム")
    assert (channel.value, channel.label, channel.out_of_hours) == (
        "03-0000-0001",
        "窓口①",
        True,
    )
    assert (
        Person.objects.get(display_name="山﨑 一郎").department.name == "情報システム室"
    )


def test_import_reads_utf8_without_a_byte_order_mark(db):
    text = _csv(_row(kind="organisation", name="県庁", organisation_kind="authority"))

    result = import_contacts(text.encode("utf-8"), actor=None, apply=True)

    assert result.errors == []
    assert Organisation.objects.get().name == "県庁"


@pytest.mark.parametrize(
    "data",
    [
        _csv(
            _row(kind="organisation", name="県庁", organisation_kind="authority")
        ).encode("utf-16"),
        bytes([0x81, 0x00, 0xFF, 0xFE, 0x80, 0x0A]) * 20,
    ],
    ids=["utf-16", "random bytes"],
)
def test_import_refuses_a_file_in_another_encoding(db, data):
    with pytest.raises(CsvFileError, match="UTF-8 or Windows Japanese"):
        import_contacts(data, actor=None, apply=True)

    assert not Organisation.objects.exists()


def test_import_refuses_a_file_without_a_required_column(db):
    text = "kind,name\r\norganisation,県庁\r\n"

    with pytest.raises(CsvFileError, match="lacks these columns: name_en, "):
        import_contacts(text.encode("utf-8"), actor=None, apply=True)


def test_a_half_bad_file_stores_nothing_and_names_the_bad_row(db):
    text = _csv(
        _row(kind="organisation", name="県庁", organisation_kind="authority"),
        _row(
            kind="organisation",
            name="県庁",
            channel_kind="pager",
            channel_value="123",
            verified_on="2026-13-01",
        ),
    )

    result = import_contacts(text.encode("utf-8"), actor=None, apply=True)

    assert [(e.row, e.column) for e in result.errors] == [
        (3, "channel_kind"),
        (3, "verified_on"),
    ]
    assert not result.applied
    assert not Organisation.objects.exists()
    assert not AuditRecord.objects.exists()


def test_a_dry_run_checks_the_file_and_stores_nothing(db):
    text = _csv(_row(kind="person", name="夜間当直", roles="staff"))

    result = import_contacts(text.encode("utf-8"), actor=None, apply=False)

    assert (result.errors, result.people, result.applied) == ([], 1, False)
    assert not Person.objects.exists()


def test_an_administrator_imports_through_the_page_and_each_row_is_audited(
    client_for, admin
):
    text = _csv(
        _row(kind="organisation", name="県庁", organisation_kind="authority"),
        _row(kind="organisation", name="県庁", channel_kind="fax", channel_value="1"),
    )
    upload = SimpleUploadedFile("contacts.csv", text.encode("cp932"))

    response = client_for(admin).post(
        "/contacts/import/", {"file": upload, "apply": ""}
    )

    assert response.status_code == 200
    assert 'id="import-done"' in response.text
    actions = AuditRecord.objects.filter(actor=admin).values_list(
        "object_type", flat=True
    )
    assert sorted(actions) == [
        "organisation.contactchannel",
        "organisation.organisation",
    ]


def test_the_import_page_lists_the_bad_rows(client_for, admin):
    text = _csv(_row(kind="vendor", name="県庁"))
    upload = SimpleUploadedFile("contacts.csv", text.encode("utf-8"))

    response = _in_english(client_for(admin)).post(
        "/contacts/import/", {"file": upload, "apply": ""}
    )

    assert response.status_code == 400
    assert (
        "Row 2, column kind: “vendor” is not person or organisation." in response.text
    )


def test_the_import_page_refuses_a_utf16_file_with_a_message(client_for, admin):
    upload = SimpleUploadedFile("contacts.csv", _csv().encode("utf-16"))

    response = _in_english(client_for(admin)).post(
        "/contacts/import/", {"file": upload, "apply": ""}
    )

    assert response.status_code == 400
    assert "not a CSV text file in UTF-8 or Windows Japanese" in response.text


def test_a_nurse_may_not_import(client_for, nurse):
    upload = SimpleUploadedFile("contacts.csv", _csv().encode("utf-8"))

    response = client_for(nurse).post("/contacts/import/", {"file": upload})

    assert response.status_code == 403


def test_a_nurse_downloads_the_csv(client_for, nurse):
    response = client_for(nurse).get("/contacts/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbfkind,name,")


@pytest.mark.parametrize("order", ["abc", "-5", "0", "99999999999999999999999"])
def test_an_order_that_is_no_position_is_named_with_its_row(db, order):
    text = _csv(
        _row(
            kind="organisation",
            name="県庁",
            organisation_kind="authority",
            channel_kind="phone",
            channel_value="0120-000-901",
            order=order,
        ),
    )

    result = import_contacts(text.encode("utf-8"), actor=None, apply=True)

    assert [(e.row, e.column) for e in result.errors] == [(2, "order")]
    assert order in result.errors[0].problem
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    "written", ["令和8年4月1日", "２０２６－０４－０１", "2026/4/1"]
)
def test_a_verified_on_date_is_read_as_people_write_it(db, written):
    text = _csv(
        _row(
            kind="organisation",
            name="県庁",
            organisation_kind="authority",
            verified_on=written,
        ),
    )

    result = import_contacts(text.encode("utf-8"), actor=None, apply=True)

    assert result.errors == []
    assert str(Organisation.objects.get().verified_on) == "2026-04-01"
