"""``medir kit FILE.pdf``."""

import pytest
from django.core.management import CommandError, call_command

from medir.audit.models import AuditRecord
from medir.cli import main
from medir.kit.models import KitPrint


def test_it_writes_the_kit_and_records_the_print(manager_phone, tmp_path, capsys):
    path = tmp_path / "kit.pdf"

    call_command("kit", str(path))

    assert path.read_bytes().startswith(b"%PDF-")
    printed = KitPrint.objects.get()
    assert printed.via == "command"
    assert printed.printed_by is None
    assert AuditRecord.objects.filter(action="kit.printed").count() == 1
    assert f"data version {printed.data_version}" in capsys.readouterr().out


def test_it_refuses_a_missing_folder_and_records_nothing(db, tmp_path):
    path = tmp_path / "no-such-folder" / "kit.pdf"

    with pytest.raises(CommandError, match="no such folder"):
        call_command("kit", str(path))

    assert not path.exists()
    assert not KitPrint.objects.exists()


def test_it_refuses_a_folder_as_the_file(db, tmp_path):
    with pytest.raises(CommandError, match="it is a folder"):
        call_command("kit", str(tmp_path))


def test_medir_kit_exits_non_zero_with_a_message(db, tmp_path, capsys):
    code = main(["kit", str(tmp_path / "missing" / "kit.pdf")])

    assert code != 0
    assert "Cannot write the kit to" in capsys.readouterr().err
