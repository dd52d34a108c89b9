"""The paper kit as one Japanese PDF, for when every screen is dark.

Drawn the way authority reports are (WeasyPrint, Noto Sans CJK JP embedded,
no outside resources), from the sections in ``medir.kit.sections``. Every
page carries the print time (和暦 and western, Japan time) and the data
version in its footer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation

from medir.authority.reports.outputs import PDF_FONT
from medir.kit import sections as kit_sections
from medir.lib.dates import JAPAN, wareki

# Where Noto Sans CJK JP has no glyph (☐), DejaVu Sans has one.
FONT_STACK = f'"{PDF_FONT}", "DejaVu Sans", sans-serif'


@dataclass(frozen=True)
class Kit:
    pdf: bytes
    data_version: str
    printed_at: dt.datetime
    chain_head_id: int
    chain_head_digest: str
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def _refuse_fetch(url: str, *args, **kwargs):
    # Names and notes come from people; nothing in them may make the
    # server fetch a file or a URL while drawing the PDF.
    raise ValueError("the paper kit loads no outside resources")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, for the page margin boxes."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", " ")
        # The string sits inside <style>: a "</style>" in a hospital's
        # name must not end it. CSS reads \3c and \3e as < and >.
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return f'"{escaped}"'


def printed_label(moment: dt.datetime) -> str:
    local = moment.astimezone(JAPAN)
    return f"{wareki(local.date())} {local:%H:%M}"


def _display_name(actor) -> str:
    person = getattr(actor, "person", None)
    if person is not None:
        return person.display_name
    return actor.get_username() if getattr(actor, "is_authenticated", False) else ""


def build_kit(*, actor=None, now: dt.datetime | None = None) -> Kit:
    """Draw the kit from the current data; nothing is recorded."""
    from weasyprint import HTML

    now = now or timezone.now()
    with translation.override("ja"):
        sources = {s.key: s.collect() for s in kit_sections.SECTIONS}
        version = kit_sections.data_version(
            {s.key: sources[s.key] for s in kit_sections.SECTIONS if s.versioned}
        )
        parts = []
        for section in kit_sections.SECTIONS:
            data = sources[section.key]
            drawn = section.prepare(data) if section.prepare else {}
            parts.append({"section": section, "data": data, "drawn": drawn})
        printed = printed_label(now)
        hospital = sources.get("how_to", {}).get("hospital", "")
        footer = f"{hospital} 紙運用キット　印刷 {printed}　データ版 {version}"
        html = render_to_string(
            "kit/pdf/kit.html",
            {
                "parts": parts,
                "font": FONT_STACK,
                "footer": css_string(footer.strip()),
                "hospital": hospital,
                "printed": printed,
                "printed_by": _display_name(actor),
                "version": version,
            },
        )

    document = HTML(string=html, url_fetcher=_refuse_fetch).render()
    head = sources.get("audit_head") or kit_sections.collect_audit_head()
    return Kit(
        pdf=document.write_pdf(),
        data_version=version,
        printed_at=now,
        chain_head_id=head["id"],
        chain_head_digest=head["digest"],
        pages=len(document.pages),
    )


def build_kit_pdf(*, actor=None) -> bytes:
    """The kit's PDF from the current data (see ``build_kit``)."""
    return build_kit(actor=actor).pdf
