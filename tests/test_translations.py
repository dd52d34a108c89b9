"""The Japanese catalogue is complete and compiled: Japanese is the default
language, and a missing entry would show English to a nurse at 3 a.m."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "medir"
CATALOGUES = sorted(PACKAGE.glob("**/locale/ja/LC_MESSAGES/django.po"))


def entries(po_text: str):
    """(flags, msgid, msgstr) of each entry, joining continued lines."""
    for block in po_text.split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(
                r'^(msgid|msgstr|msgid_plural|msgstr\[\d\])\s+"(.*)"$', line
            )
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            yield (
                flags,
                fields["msgid"],
                fields.get("msgstr", fields.get("msgstr[0]", "")),
            )


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.parent.parent.parent)
)
def test_every_japanese_entry_is_translated_and_not_fuzzy(catalogue):
    problems = [
        msgid
        for flags, msgid, msgstr in entries(catalogue.read_text(encoding="utf-8"))
        if not msgstr or "fuzzy" in flags
    ]

    assert problems == []


@pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda p: str(p.parent.parent.parent)
)
def test_the_compiled_catalogue_matches_its_source(catalogue, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("GNU gettext's msgfmt is needed: apt-get install gettext")
    compiled = tmp_path / "django.mo"

    subprocess.run([msgfmt, "--check-format", "-o", compiled, catalogue], check=True)

    assert compiled.read_bytes() == catalogue.with_suffix(".mo").read_bytes(), (
        "run `make messages` (or compilemessages) and commit the .mo file"
    )


def test_there_is_a_japanese_catalogue():
    assert PACKAGE / "locale/ja/LC_MESSAGES/django.po" in CATALOGUES
