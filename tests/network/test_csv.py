"""The network as a CSV file, as Excel writes and reads it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from medir.audit.models import AuditRecord
from medir.contacts.csvfile import CsvFileError
from medir.network import services
from medir.network.csvfile import COLUMNS, export_network_csv, import_network
from medir.network.models import (
    Asset,
    AssetVersion,
    Connection,
    ConnectionVersion,
    ExternalConnection,
    ExternalConnectionVersion,
    Segment,
    SegmentVersion,
)
from medir.network.selectors import network_as_of

HEADER = ",".join(COLUMNS)


def _csv(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def _row(**cells) -> str:
    return ",".join(cells.get(column, "") for column in COLUMNS)


def _shape(state):
    return (
        sorted((s.name, s.purpose) for s in state.segments),
        sorted((a.name, a.kind, a.segment_id is not None) for a in state.assets),
        len(state.connections),
        sorted((e.party, e.kind, e.is_remote_maintenance) for e in state.externals),
    )


def test_the_export_is_utf8_with_a_bom_and_one_row_per_thing(small_network):
    data = export_network_csv()

    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    kinds = [line.split(",")[0] for line in lines[1:]]
    assert kinds == ["segment"] * 2 + ["asset"] * 3 + ["connection"] * 2 + ["external"]


def test_an_export_imported_into_an_empty_installation_gives_the_same_network(
    small_network,
):
    data = export_network_csv()
    before = _shape(network_as_of())
    # Empty the tables, as in a second installation; only a test may.
    for model in (
        ExternalConnectionVersion,
        ConnectionVersion,
        AssetVersion,
        SegmentVersion,
        ExternalConnection,
        Connection,
        Asset,
        Segment,
    ):
        model.objects.all().delete()

    result = import_network(data, actor=None)

    assert result.errors == []
    assert result.counts == {"segment": 2, "asset": 3, "connection": 2, "external": 1}
    assert _shape(network_as_of()) == before


def test_importing_the_same_file_again_changes_nothing(small_network):
    data = export_network_csv()
    audits = AuditRecord.objects.count()
    versions = AssetVersion.objects.count()

    result = import_network(data, actor=None)

    assert result.errors == []
    assert AssetVersion.objects.count() == versions
    assert AuditRecord.objects.count() == audits


def test_a_changed_row_becomes_a_new_version(small_network, manager):
    data = _csv(
        _row(
            kind="asset",
            name="電子カルテサーバ",
            asset_kind="server",
            segment="バックアップ系",
            notes="移設",
        )
    )

    result = import_network(data, actor=manager)

    assert result.errors == []
    versions = AssetVersion.objects.filter(asset=small_network["server"])
    assert versions.count() == 2
    assert versions.current().get().segment == small_network["backup"]


def test_a_cp932_file_from_excel_is_read(db):
    text = HEADER + "\r\n" + _row(kind="segment", name="㈱髙﨑① 系", purpose="other")
    result = import_network(text.encode("cp932"), actor=None)

    assert result.errors == []
    assert SegmentVersion.objects.current().get().name == "㈱髙﨑① 系"


def test_a_file_in_another_encoding_is_refused(db):
    data = (HEADER + "\r\n").encode("utf-16")

    with pytest.raises(CsvFileError, match="UTF-8 or Windows Japanese"):
        import_network(data, actor=None)


def test_a_missing_column_is_named(db):
    data = b"kind,name\r\nsegment,X\r\n"

    with pytest.raises(CsvFileError, match="lacks these columns: name_en"):
        import_network(data, actor=None)


def test_formula_cells_are_neutralised_on_export_and_restored_on_import(db):
    segment = services.add_segment(actor=None, name="=HYPERLINK(1)", purpose="other")
    services.add_asset(
        actor=None, kind="server", name="+cmd", segment=segment, notes="@SUM(A1)"
    )

    data = export_network_csv()

    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert "'+cmd" in text
    assert "'@SUM(A1)" in text
    assert import_network(data, actor=None).errors == []
    assert AssetVersion.objects.current().get().name == "+cmd"


def test_a_half_bad_file_changes_nothing_and_names_each_bad_row(small_network):
    audits = AuditRecord.objects.count()
    data = _csv(
        _row(kind="segment", name="事務系", purpose="office"),
        _row(kind="asset", name="事務PC", asset_kind="client", segment="事務系"),
        _row(kind="asset", name="謎の機器", asset_kind="toaster"),
        _row(kind="connection", asset="事務PC", to_asset="存在しない"),
        _row(
            kind="external",
            asset="事務PC",
            name="ISP",
            external_kind="internet",
            remote_maintenance="maybe",
        ),
        _row(kind="router", name="X"),
    )

    result = import_network(data, actor=None)

    assert [(e.row, e.column) for e in result.errors] == [
        (4, "asset_kind"),
        (5, "to_asset"),
        (6, "remote_maintenance"),
        (7, "kind"),
    ]
    assert not result.applied
    assert not SegmentVersion.objects.filter(name="事務系").exists()
    assert not AssetVersion.objects.filter(name="事務PC").exists()
    assert AuditRecord.objects.count() == audits


def test_checking_a_good_file_stores_nothing(small_network):
    data = _csv(_row(kind="segment", name="事務系", purpose="office"))

    result = import_network(data, actor=None, apply=False)

    assert result.errors == []
    assert result.counts["segment"] == 1
    assert not SegmentVersion.objects.filter(name="事務系").exists()


def test_the_manager_imports_on_the_page(client_for, small_network, manager):
    upload = SimpleUploadedFile(
        "network.csv", _csv(_row(kind="segment", name="事務系", purpose="office"))
    )

    page = client_for(manager).post("/network/import/", {"file": upload, "apply": "1"})

    assert page.status_code == 200
    assert 'id="import-done"' in page.content.decode()
    assert SegmentVersion.objects.current().filter(name="事務系").exists()


def test_the_director_may_not_import(client_for, small_network, director):
    upload = SimpleUploadedFile("network.csv", _csv())

    assert (
        client_for(director).post("/network/import/", {"file": upload}).status_code
        == 403
    )


def test_a_bad_file_on_the_page_shows_the_rows(client_for, small_network, manager):
    upload = SimpleUploadedFile(
        "network.csv", _csv(_row(kind="asset", name="X", asset_kind="toaster"))
    )

    page = client_for(manager).post("/network/import/", {"file": upload, "apply": "1"})

    assert page.status_code == 400
    assert 'data-row="2"' in page.content.decode()


def test_a_name_longer_than_its_column_is_named_and_nothing_is_stored(db):
    data = _csv(
        _row(kind="segment", name="事務系", purpose="office"),
        _row(kind="asset", name="P" * 101, asset_kind="client", segment="事務系"),
    )

    result = import_network(data, actor=None)

    assert len(result.errors) == 1
    assert "100" in str(result.errors[0])
    assert not SegmentVersion.objects.exists()
