"""``medir manage export_contacts`` and ``import_contacts``."""

import pytest
from django.core.management import CommandError, call_command

from medir.organisation.models import Organisation


def test_export_then_import_by_command_is_a_dry_run_until_applied(db, tmp_path):
    Organisation.objects.create(name="県庁", kind="authority")
    path = tmp_path / "contacts.csv"
    call_command("export_contacts", str(path))
    Organisation.objects.all().delete()

    call_command("import_contacts", str(path))
    assert not Organisation.objects.exists()

    call_command("import_contacts", str(path), "--apply")
    assert Organisation.objects.get().name == "県庁"


def test_import_command_lists_the_bad_rows_and_stores_nothing(db, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "kind,name,name_en,organisation_kind,organisation,department,roles,"
        "deputy_for,channel_kind,channel_value,channel_label,order,out_of_hours,"
        "verified_on,source_url,needs_verification\r\n"
        "organisation,県庁,,authority,,,,,,,,,,,,\r\n"
        "organisation,警察,,police,,,,,,,,,,,,\r\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="1 problems found; nothing was stored"):
        call_command("import_contacts", str(path), "--apply")

    assert "Row 3, column organisation_kind" in capsys.readouterr().err
    assert not Organisation.objects.exists()
