"""Report versions as files: PDF (WeasyPrint), DOCX and XLSX.

Official Japanese reports must look right in print and stay editable in
Word and Excel. Every output is drawn from one ``Document`` so the three
formats always carry the same content, in Japanese, with 和暦 dates.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import timezone
from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from medir.authority.models import ReportVersion
from medir.authority.reports.formatting import (
    SENT_VIA_JA,
    display_value,
    version_label,
    wareki_datetime,
)
from medir.authority.reports.kinds import ReportKind, Variant, get_kind
from medir.lib.dates import wareki
from medir.organisation.models import Hospital

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Noto Sans CJK JP comes with Debian's fonts-noto-cjk; WeasyPrint finds it
# through fontconfig and embeds the glyphs used. Naming it explicitly keeps
# Japanese from falling back to whatever font happens to be first.
PDF_FONT = "Noto Sans CJK JP"
# What Word on the hospital's Windows PCs has; LibreOffice substitutes.
OFFICE_FONT = "游ゴシック"
# Spreadsheet programs run a cell that starts with these as a formula
# (CSV/formula injection); such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
REPLAY_BANNER = "再生データ（訓練用）：実際の事案の報告ではありません"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    item: int | None
    value: str
    show_label: bool


@dataclass(frozen=True)
class Document:
    kind: ReportKind
    variant: Variant | None
    title: str
    addressee: str
    addressee_needs_verification: bool
    copy_note: str
    hospital_name: str
    hospital_address: str
    incident_number: str
    is_replay: bool
    version: str
    dated: str
    sent: str
    rows: tuple[Row, ...]
    basis: str


def build_document(version: ReportVersion, variant: str = "") -> Document:
    """Everything the outputs print, from one version (and variant)."""
    draft = version.draft
    kind = get_kind(draft.kind)
    if kind is None:
        raise KeyError(draft.kind)
    chosen = kind.variant(variant) if variant else None
    if variant and chosen is None:
        raise KeyError(variant)
    hospital = Hospital.objects.first()
    rows = tuple(
        Row(
            key=field.key,
            label=field.label.ja,
            item=field.item,
            value=display_value(field, version.fields.get(field.key)),
            show_label=field.show_label,
        )
        for field in kind.fields
        if field.key != kind.heading_field
    )
    title = kind.title.ja
    if kind.heading_field and version.fields.get(kind.heading_field):
        title = str(version.fields[kind.heading_field])
    sent = ""
    if version.sent_at:
        via = SENT_VIA_JA.get(version.sent_via, version.sent_via)
        sent = f"{wareki_datetime(version.sent_at)}（{via}）"
    return Document(
        kind=kind,
        variant=chosen,
        title=f"{title}（写）" if chosen else title,
        addressee=chosen.addressee.ja if chosen else kind.addressee.ja,
        addressee_needs_verification=kind.addressee_needs_verification
        and chosen is None,
        copy_note=(
            f"{chosen.title.ja}。{kind.addressee.ja}へ提出した報告と同じ内容です。"
            if chosen
            else ""
        ),
        hospital_name=hospital.name if hospital else "",
        hospital_address=hospital.address if hospital else "",
        incident_number=draft.incident.number,
        is_replay=draft.incident.is_replay,
        version=version_label(version.number),
        dated=wareki(timezone.localtime(version.sent_at or version.updated_at).date()),
        sent=sent,
        rows=rows,
        basis=kind.basis,
    )


def _refuse_fetch(url: str, *args, **kwargs):
    # Report text comes from people; nothing in it may make the server
    # fetch a file or a URL while drawing the PDF.
    raise ValueError("MedIR reports load no outside resources")


def render_pdf(version: ReportVersion, variant: str = "") -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which pages that
    # never draw a PDF need not pay for.
    from weasyprint import HTML

    document = build_document(version, variant)
    html = render_to_string(
        "authority/reports/document.html", {"doc": document, "font": PDF_FONT}
    )
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


def _east_asian_font(run_or_style, name: str) -> None:
    """Word picks a separate font for Japanese text (w:eastAsia)."""
    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    # A theme font, where the style names one, would win over ours.
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)


def render_docx(version: ReportVersion, variant: str = "") -> bytes:
    doc = build_document(version, variant)
    word = WordDocument()
    normal = word.styles["Normal"]
    normal.font.name = OFFICE_FONT
    normal.font.size = Pt(10.5)
    _east_asian_font(normal, OFFICE_FONT)
    for style_name in ("Title", "Heading 1", "Heading 2"):
        _east_asian_font(word.styles[style_name], OFFICE_FONT)

    if doc.is_replay:
        word.add_paragraph(REPLAY_BANNER)
    dated = word.add_paragraph(f"{doc.dated}　{doc.version}")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    addressee = doc.addressee + (
        "（宛先は要確認）" if doc.addressee_needs_verification else ""
    )
    word.add_paragraph(f"{addressee}　御中" if doc.kind.layout == "form" else addressee)
    sender = word.add_paragraph(
        "\n".join(p for p in (doc.hospital_name, doc.hospital_address) if p)
    )
    sender.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.add_heading(doc.title, level=1)
    if doc.copy_note:
        word.add_paragraph(doc.copy_note)

    if doc.kind.layout == "letter":
        for row in doc.rows:
            if row.show_label:
                word.add_heading(row.label, level=2)
            word.add_paragraph(row.value)
    else:
        table = word.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for row in doc.rows:
            cells = table.add_row().cells
            cells[0].text = f"{row.item}. {row.label}" if row.item else row.label
            cells[1].text = row.value
    if doc.sent:
        word.add_paragraph(f"送付：{doc.sent}")
    word.add_paragraph(f"根拠：{doc.basis}　事案番号：{doc.incident_number}")

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def safe_cell(value):
    """A value a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render_xlsx(version: ReportVersion, variant: str = "") -> bytes:
    doc = build_document(version, variant)
    book = Workbook()
    sheet = book.active
    sheet.title = "共通様式"
    bold = Font(name=OFFICE_FONT, bold=True)
    plain = Font(name=OFFICE_FONT)
    wrap = Alignment(wrap_text=True, vertical="top")

    header = [
        (doc.title, ""),
        (
            "報告者",
            "\n".join(p for p in (doc.hospital_name, doc.hospital_address) if p),
        ),
        ("版", doc.version),
        ("作成日", doc.dated),
        ("事案番号", doc.incident_number),
    ]
    if doc.sent:
        header.append(("送付", doc.sent))
    if doc.is_replay:
        header.insert(1, (REPLAY_BANNER, ""))
    rows = [*header, ("", ""), ("項目", "内容")]
    rows += [(row.label, row.value) for row in doc.rows]
    for label, value in rows:
        sheet.append([safe_cell(label), safe_cell(value)])
    for cells in sheet.iter_rows():
        for cell in cells:
            # Written as text explicitly, so that no value (even one
            # passed through safe_cell) is read as a formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.font = plain
            cell.alignment = wrap
    sheet["A1"].font = Font(name=OFFICE_FONT, bold=True, size=14)
    heading_row = len(header) + 2
    for cell in sheet[heading_row]:
        cell.font = bold
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 90
    sheet.freeze_panes = f"A{heading_row + 1}"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}


def render(version: ReportVersion, fmt: str, variant: str = "") -> bytes:
    return RENDERERS[fmt](version, variant)


def file_names(version: ReportVersion, fmt: str, variant: str = "") -> tuple[str, str]:
    """(Japanese name, ASCII fallback) for the downloaded file."""
    kind = get_kind(version.draft.kind)
    number = version.draft.incident.number
    title = kind.title.ja if kind else version.draft.kind
    chosen = kind.variant(variant) if kind and variant else None
    suffix = "（都道府県等提出用の写し）" if chosen else ""
    japanese = f"{number}_{title}{suffix}_{version_label(version.number)}.{fmt}"
    # Path separators, quotes and control characters never reach a header.
    japanese = re.sub(r'[\\/"\x00-\x1f\x7f]', "_", japanese)
    ascii_name = f"medir-{number}-{version.draft.kind}-v{version.number}"
    ascii_name += f"-{variant}" if chosen else ""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_name) + f".{fmt}"
    return japanese, ascii_name


def content_disposition(japanese: str, ascii_name: str) -> str:
    """An attachment header readable by old and new browsers (RFC 6266):
    an ASCII name, then the UTF-8 one (RFC 5987) that modern ones prefer."""
    return (
        f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(japanese, safe='')}"
    )
