"""The readable list of a bundle's items, hashes and custody, as a PDF.

Drawn the way authority reports are: WeasyPrint with Noto Sans CJK JP, no
outside resources, Japanese text and 和暦 dates.
"""

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from medir.authority.reports.outputs import PDF_FONT
from medir.evidence.models import EvidenceKind
from medir.incidents.models import Incident
from medir.lib.dates import JAPAN, wareki


def _refuse_fetch(url: str, *args, **kwargs):
    # Titles and reasons come from people; nothing in them may make the
    # server fetch a file or a URL while drawing the PDF.
    raise ValueError("MedIR bundles load no outside resources")


def _japan_time(value: str | None) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value).astimezone(JAPAN)
    return f"{wareki(moment.date())} {moment:%H:%M}"


def render_manifest_pdf(
    incident: Incident,
    manifest: dict[str, Any],
    *,
    manifest_sha256: str,
    export: dict[str, Any],
) -> bytes:
    """The PDF of a bundle; ``export`` is the id and digest of the export's
    audit record, which holds ``manifest_sha256``."""
    from weasyprint import HTML

    with translation.override("ja"):
        kinds = {key: str(label) for key, label in EvidenceKind.choices}
    items = [
        {
            **entry,
            "kind_label": kinds.get(entry["kind"], entry["kind"]),
            "collected": _japan_time(entry["collected_at"]),
            "custody": [
                {**t, "handed": _japan_time(t["handed_at"])} for t in entry["custody"]
            ],
        }
        for entry in manifest["items"]
    ]
    html = render_to_string(
        "evidence/bundle_pdf.html",
        {
            "incident": incident,
            "manifest": manifest,
            "manifest_sha256": manifest_sha256,
            "export": export,
            "items": items,
            "created": _japan_time(manifest["created_at"]),
            "font": PDF_FONT,
        },
    )
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
