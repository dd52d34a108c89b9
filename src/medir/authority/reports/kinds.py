"""The kinds of report MedIR drafts, loaded from report_kinds.yaml.

Loading checks the whole file and names every problem, like the playbook,
so that wording can be corrected in data without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from medir.playbook.schema import Text

KINDS_FILE = Path(__file__).resolve().parents[1] / "report_kinds.yaml"

FIELD_TYPES = {
    "text",
    "longtext",
    "date",
    "datetime",
    "number",
    "choice",
    "multichoice",
}
OUTPUTS = ("pdf", "docx", "xlsx")
LAYOUTS = {"form", "letter"}

# Named prefill sources; see the header of report_kinds.yaml.
NAMED_SOURCES = {
    "incident.aware_at",
    "incident.reported_at",
    "incident.title",
    "incident.number",
    "hospital.name",
    "hospital.address",
    "hospital.name_and_address",
    "contacts",
    "systems",
    "signs",
    "reports.ransom_note",
    "ransom_types",
    "summary",
    "progress",
    "timeline",
    "tracks",
    "decisions",
    "facts.breach",
    "facts.people",
    "facts.data_items",
    "facts.sensitive",
    "facts.wrongful_purpose",
    "facts.secondary_damage",
    "facts.ppc_cases",
    "notices",
    "reports_sent",
    "network_diagram",
}
PATTERN_SOURCES = (
    re.compile(r"^step:(?P<step>[0-9]+-[0-9]+)\.(?P<record>[a-z_]+)$"),
    re.compile(r"^step_done:(?P<step>[0-9]+-[0-9]+)$"),
    re.compile(r"^sent:(?P<kind>[a-z_]+)$"),
)


class ReportKindError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")


@dataclass(frozen=True)
class Choice:
    key: str
    label: Text


@dataclass(frozen=True)
class ReportField:
    key: str
    label: Text
    type: str
    prefill: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    default: Text | None = None
    unit: Text | None = None
    # The item number of 規則8条1項 (1-9) the field answers, if any.
    item: int | None = None
    show_label: bool = True

    def choice_label(self, key: str, language: str = "ja") -> str:
        for choice in self.choices:
            if choice.key == key:
                return choice.label.get(language)
        return key


@dataclass(frozen=True)
class Variant:
    """Another copy of the same content for a second recipient."""

    key: str
    title: Text
    addressee: Text


@dataclass(frozen=True)
class ReportKind:
    key: str
    step: str
    title: Text
    addressee: Text
    basis: str
    layout: str
    outputs: tuple[str, ...]
    fields: tuple[ReportField, ...]
    guidance: Text | None = None
    variants: tuple[Variant, ...] = ()
    addressee_needs_verification: bool = False
    # A field whose value is printed as the document's heading instead of
    # the kind's title (a public announcement's headline).
    heading_field: str = ""

    def field(self, key: str) -> ReportField:
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(key)

    def variant(self, key: str) -> Variant | None:
        for variant in self.variants:
            if variant.key == key:
                return variant
        return None


def is_known_source(source: str) -> bool:
    return source in NAMED_SOURCES or any(p.match(source) for p in PATTERN_SOURCES)


def _text(raw: Any, where: str, problems: list[str]) -> Text:
    # An unquoted comma in a flow mapping ({ja: …, en: a, b}) silently adds
    # a key; catch it rather than print half a label.
    if isinstance(raw, dict) and set(raw) - {"ja", "en", "key"}:
        problems.append(f"{where}: unexpected {sorted(set(raw) - {'ja', 'en'})}")
    if isinstance(raw, dict) and isinstance(raw.get("ja"), str) and raw["ja"].strip():
        return Text(ja=unfold(raw["ja"]), en=str(raw.get("en") or "").strip())
    problems.append(f"{where}: needs a `ja` text (and an `en` one)")
    return Text(ja="?", en="?")


# Kana, CJK ideographs and full-width forms.
_JAPANESE = "\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef"
_FOLD_SPACE = re.compile(f"(?<=[{_JAPANESE}]) (?=[{_JAPANESE}])")


def unfold(text: str) -> str:
    """Drop the spaces YAML's folded style (>-) leaves where a Japanese line
    was wrapped; spaces beside Latin words (VPN, RDP) stay."""
    return _FOLD_SPACE.sub("", text.strip())


def _flatten(items: list) -> list:
    flat: list = []
    for item in items:
        if isinstance(item, list):
            flat.extend(item)
        else:
            flat.append(item)
    return flat


def _field(raw: Any, where: str, problems: list[str]) -> ReportField | None:
    if not isinstance(raw, dict) or not raw.get("key"):
        problems.append(f"{where}: a field needs a `key`")
        return None
    key = str(raw["key"])
    where = f"{where} field {key}"
    kind = raw.get("type")
    if kind not in FIELD_TYPES:
        problems.append(f"{where}: type must be one of {sorted(FIELD_TYPES)}")
    choices = tuple(
        Choice(str(c.get("key")), _text(c, f"{where} choice", problems))
        for c in raw.get("choices") or []
        if isinstance(c, dict)
    )
    if kind in {"choice", "multichoice"} and not choices:
        problems.append(f"{where}: a {kind} field needs `choices`")
    prefill = raw.get("prefill") or []
    prefill = [prefill] if isinstance(prefill, str) else list(prefill)
    for source in prefill:
        if not isinstance(source, str) or not is_known_source(source):
            problems.append(f"{where}: unknown prefill source {source!r}")
    item = raw.get("item")
    if item is not None and (not isinstance(item, int) or not 1 <= item <= 9):
        problems.append(f"{where}: item must be 1-9 (規則8条1項)")
    return ReportField(
        key=key,
        label=_text(raw.get("label"), f"{where} label", problems),
        type=str(kind),
        prefill=tuple(str(s) for s in prefill),
        choices=choices,
        default=_text(raw["default"], f"{where} default", problems)
        if "default" in raw
        else None,
        unit=_text(raw["unit"], f"{where} unit", problems) if "unit" in raw else None,
        item=item,
        show_label=bool(raw.get("show_label", True)),
    )


def parse_kinds(raw: Any, source: str = "report_kinds.yaml") -> dict[str, ReportKind]:
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("kinds"), list):
        raise ReportKindError(source, ["the file needs a `kinds` list"])
    kinds: dict[str, ReportKind] = {}
    for index, entry in enumerate(raw["kinds"], start=1):
        if not isinstance(entry, dict) or not entry.get("key"):
            problems.append(f"kind #{index}: needs a `key`")
            continue
        key = str(entry["key"])
        where = f"kind {key}"
        if key in kinds:
            problems.append(f"{where}: the key is used twice")
        if not re.match(r"^[a-z_]+$", key):
            problems.append(f"{where}: keys are lower-case letters and _")
        fields = [
            _field(item, where, problems) for item in _flatten(entry.get("fields", []))
        ]
        present = [f for f in fields if f is not None]
        if not present:
            problems.append(f"{where}: needs fields")
        keys = [f.key for f in present]
        for duplicate in sorted({k for k in keys if keys.count(k) > 1}):
            problems.append(f"{where}: field {duplicate} appears twice")
        outputs = tuple(entry.get("outputs") or ("pdf", "docx"))
        if not set(outputs) <= set(OUTPUTS) or "pdf" not in outputs:
            problems.append(f"{where}: outputs are pdf (always), docx and xlsx")
        layout = entry.get("layout", "form")
        if layout not in LAYOUTS:
            problems.append(f"{where}: layout must be one of {sorted(LAYOUTS)}")
        variants = tuple(
            Variant(
                key=str(v.get("key")),
                title=_text(v.get("title"), f"{where} variant", problems),
                addressee=_text(v.get("addressee"), f"{where} variant", problems),
            )
            for v in entry.get("variants") or []
            if isinstance(v, dict)
        )
        guidance = entry.get("guidance")
        kinds[key] = ReportKind(
            key=key,
            step=str(entry.get("step", "")),
            title=_text(entry.get("title"), f"{where} title", problems),
            addressee=_text(entry.get("addressee"), f"{where} addressee", problems),
            basis=unfold(str(entry.get("basis", ""))),
            layout=str(layout),
            outputs=outputs,
            fields=tuple(present),
            guidance=_text(guidance, f"{where} guidance", problems)
            if guidance
            else None,
            variants=variants,
            addressee_needs_verification=bool(
                entry.get("addressee_needs_verification", False)
            ),
            heading_field=str(entry.get("heading_field", "")),
        )
        if entry.get("heading_field") and entry["heading_field"] not in keys:
            problems.append(f"{where}: heading_field names no field")
    for kind in kinds.values():
        for field in kind.fields:
            for source in field.prefill:
                if source.startswith("sent:") and source[5:] not in kinds:
                    problems.append(
                        f"kind {kind.key} field {field.key}: {source} names no kind"
                    )
    if problems:
        raise ReportKindError(source, problems)
    return kinds


@cache
def load_kinds(path: Path = KINDS_FILE) -> dict[str, ReportKind]:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_kinds(raw, str(path))


def get_kind(key: str) -> ReportKind | None:
    return load_kinds().get(key)


def all_kinds() -> list[ReportKind]:
    return list(load_kinds().values())
