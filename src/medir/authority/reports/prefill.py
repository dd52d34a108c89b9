"""First drafts of reports, filled from what the incident recorded.

``prefill(kind, incident)`` reads the incident once into plain data
(``gather_sources``) and maps that onto the kind's fields
(``fill_fields``). It writes nothing and uses no clock, so the same
incident always gives the same draft. Texts are Japanese: the reports go
to Japanese authorities whatever language the drafter reads MedIR in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from medir.authority.models import Answer, CountKind, PersonalDataFacts
from medir.authority.reports.formatting import (
    SENT_VIA_JA,
    parse_day,
    parse_moment,
    store_moment,
    version_label,
    wareki_datetime,
)
from medir.authority.reports.kinds import (
    ReportField,
    ReportKind,
    get_kind,
    load_kinds,
    unfold,
)
from medir.authority.selectors import get_ppc_assessment
from medir.incidents.models import EventKind, Incident, InfectionSign, StepState
from medir.incidents.selectors import current_decisions
from medir.lib.dates import JAPAN, wareki
from medir.network.selectors import summarise_network_ja
from medir.organisation.models import Hospital, Person, Role
from medir.playbook.schema import Playbook, get_playbook

ANSWERS_JA = {
    Answer.YES: "あり",
    Answer.POSSIBLY: "おそれあり",
    Answer.NO: "なし",
    Answer.UNKNOWN: "不明（調査中）",
}
# 規則7条1-4号, as the report's "other matters" names them.
PPC_CASES_JA = {
    1: "1号（要配慮個人情報）",
    2: "2号（財産的被害のおそれ）",
    3: "3号（不正の目的によるおそれ）",
    4: "4号（本人の数が1,000人を超える）",
}
# Where a ransomware report's damage types show in what staff saw.
RANSOM_TYPES_BY_SIGN = {
    InfectionSign.FILES_ENCRYPTED: "encryption",
    InfectionSign.RANSOM_NOTE: "ransom_demand",
}
TIMELINE_KINDS = {
    EventKind.REPORTED,
    EventKind.CONFIRMED,
    EventKind.DISMISSED,
    EventKind.STEP_COMPLETED,
    EventKind.DECISION,
    EventKind.DECISION_REVISED,
    EventKind.NOTE,
    EventKind.NOTICE_PUBLISHED,
    EventKind.NOTICE_LIFTED,
    EventKind.AWARENESS_SET,
    EventKind.REPORT_SENT,
    EventKind.CLOSED,
}
CONTACT_ROLES = (Role.SECURITY_MANAGER, Role.MANAGEMENT)


@dataclass(frozen=True)
class Value:
    """One value a source found, with the label it goes by in a text."""

    value: Any
    label: str = ""
    # How a choice or yes/no reads in a sentence, when not str(value).
    text: str | None = None


@dataclass(frozen=True)
class Event:
    happened_at: dt.datetime
    kind: str
    step_id: str
    text: str
    data: dict


@dataclass
class Sources:
    """Everything a draft may be filled from, as plain data."""

    number: str
    title: str
    state: str
    aware_at: dt.datetime | None
    reported_at: dt.datetime
    hospital_name: str = ""
    hospital_address: str = ""
    steps: dict[str, dict] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    report_signs: list[list[str]] = field(default_factory=list)
    ransom_notes: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    facts: dict[str, Any] | None = None
    ppc_cases: tuple[int, ...] = ()
    notices: list[tuple[dt.date, str, int]] = field(default_factory=list)
    # kind → (sent_at, number, via label) of its latest sent version
    sent: dict[str, tuple[dt.datetime, int, str]] = field(default_factory=dict)


# --- Reading the incident ---------------------------------------------------


def _contacts() -> list[str]:
    lines = []
    people = (
        Person.objects.reachable()
        .filter(roles__role__in=CONTACT_ROLES)
        .prefetch_related("roles", "channels")
        .distinct()
    )
    playbook = get_playbook()
    role_titles = {role.key: role.title for role in playbook.roles}
    ordered = sorted(
        people,
        key=lambda p: (Role.SECURITY_MANAGER not in p.role_keys(), p.display_name),
    )
    for person in ordered:
        held = person.role_keys()
        roles = "・".join(role_titles.get(k, k) for k in CONTACT_ROLES if k in held)
        title = person.job_title or roles
        channel = next(iter(person.channels.all()), None)
        reach = f" {channel.get_kind_display()}：{channel.value}" if channel else ""
        lines.append(f"{person.display_name}（{title}）{reach}")
    return lines


def gather_sources(incident: Incident) -> Sources:
    """Read what the incident recorded; writes nothing."""
    from medir.authority.models import NoticeBatch, ReportVersion

    with translation.override("ja"):
        hospital = Hospital.objects.first()
        sources = Sources(
            number=incident.number,
            title=incident.title,
            state=incident.get_state_display(),
            aware_at=incident.aware_at,
            reported_at=incident.reported_at,
            hospital_name=hospital.name if hospital else "",
            hospital_address=hospital.address if hospital else "",
        )
        for row in incident.steps.all():
            sources.steps[row.step_id] = {
                "state": row.state,
                "finished_at": row.finished_at,
                "records": dict(row.records),
            }
        sources.decisions = {
            key: decision.outcome
            for key, decision in current_decisions(incident).items()
        }
        sources.events = [
            Event(e.happened_at, e.kind, e.step_id, e.text, dict(e.data))
            for e in incident.events.filter(kind__in=TIMELINE_KINDS).order_by(
                "happened_at", "id"
            )
        ]
        sources.systems = [system.name for system in incident.affected_systems.all()]
        for report in incident.reports.all():
            sources.report_signs.append(list(report.signs))
            if InfectionSign.RANSOM_NOTE in report.signs and report.description:
                sources.ransom_notes.append(unfold(report.description))
        sources.contacts = _contacts()

        facts = PersonalDataFacts.objects.filter(incident=incident).first()
        if facts is not None:
            sources.facts = {
                "leaked": facts.leaked,
                "lost": facts.lost,
                "damaged": facts.damaged,
                "sensitive": facts.sensitive,
                "financial_risk": facts.financial_risk,
                "wrongful_purpose": facts.wrongful_purpose,
                "strongly_encrypted": facts.strongly_encrypted,
                "people_count": facts.people_count,
                "people_count_kind": facts.people_count_kind,
                "data_items": facts.data_items,
            }
            assessment = get_ppc_assessment(incident)
            if assessment is not None and assessment.mandatory:
                sources.ppc_cases = assessment.cases

        sources.notices = [
            (batch.sent_on, SENT_VIA_JA.get(batch.method, batch.method), batch.count)
            for batch in NoticeBatch.objects.filter(incident=incident)
        ]
        for version in ReportVersion.objects.filter(
            draft__incident=incident, sent_at__isnull=False
        ).select_related("draft"):
            previous = sources.sent.get(version.draft.kind)
            if previous is None or version.number > previous[1]:
                sources.sent[version.draft.kind] = (
                    version.sent_at,
                    version.number,
                    SENT_VIA_JA.get(version.sent_via, version.sent_via),
                )
    return sources


# --- Sources -----------------------------------------------------------


def _record_value(playbook: Playbook, step_id: str, key: str, raw: Any) -> Value:
    step = playbook.step_index.get(step_id)
    record = next((r for r in step.records if r.key == key), None) if step else None
    label = record.label.ja if record else key
    if isinstance(raw, str):
        raw = unfold(raw)
    if record is None:
        return Value(raw, label)
    if record.type == "datetime":
        return Value(parse_moment(raw) or raw, label)
    if record.type == "date":
        return Value(parse_day(raw) or raw, label)
    if record.type == "choice":
        choice = next((c for c in record.choices if c.key == str(raw)), None)
        return Value(str(raw), label, choice.text.ja if choice else str(raw))
    if record.type == "boolean":
        return Value(bool(raw), label, "はい" if raw else "いいえ")
    return Value(raw, label)


def _timeline(sources: Sources, playbook: Playbook) -> str:
    """The incident's events day by day, each day headed by its 和暦 date."""
    lines: list[str] = []
    current_day = None
    kinds = load_kinds()
    for event in sources.events:
        local = event.happened_at.astimezone(JAPAN)
        if local.date() != current_day:
            current_day = local.date()
            lines.append(f"■ {wareki(current_day)}")
        step = playbook.step_index.get(event.step_id) if event.step_id else None
        where = f"［{step.id} {step.title}］" if step else ""
        if event.kind == EventKind.STEP_COMPLETED:
            what = "完了"
        elif event.kind in {EventKind.DECISION, EventKind.DECISION_REVISED}:
            definition = playbook.decision_index.get(event.data.get("decision", ""))
            outcome = event.data.get("outcome")
            keys = outcome if isinstance(outcome, list) else [outcome]
            if definition is None:
                what = "決定"
            else:
                labels = {o.key: o.label.ja for o in definition.outcomes}
                chosen = "、".join(labels.get(str(k), str(k)) for k in keys)
                what = f"{definition.title.ja}：{chosen}"
        elif event.kind == EventKind.REPORT_SENT:
            kind = kinds.get(event.data.get("kind", ""))
            title = kind.title.ja if kind else event.data.get("kind", "")
            what = f"{title} {version_label(event.data.get('number', 1))}を送付"
        else:
            with translation.override("ja"):
                what = str(EventKind(event.kind).label)
        text = unfold(" ".join(event.text.split()))
        line = f"{local:%H:%M} {where}{what}"
        lines.append(f"{line} — {text}" if text else line)
    return "\n".join(lines)


def _summary(sources: Sources, playbook: Playbook) -> str:
    lines = [f"事案：{sources.title}"]
    found = _step_record(sources, playbook, "2-10", "found_at")
    moment = found[0].value if found else sources.aware_at
    if isinstance(moment, dt.datetime):
        lines.append(f"発覚：{wareki_datetime(moment)}")
    observed = _step_record(sources, playbook, "2-1", "signs_observed")
    if observed:
        lines.append(f"確認した兆候：{observed[0].value}")
    systems = _systems(sources, playbook)
    if systems:
        lines.append(f"影響を受けたシステム：{systems}")
    return "\n".join(lines)


def _step_record(
    sources: Sources, playbook: Playbook, step_id: str, key: str
) -> list[Value]:
    raw = sources.steps.get(step_id, {}).get("records", {}).get(key)
    if raw in (None, "", []):
        return []
    return [_record_value(playbook, step_id, key, raw)]


def _systems(sources: Sources, playbook: Playbook) -> str:
    parts = list(sources.systems)
    stopped = _step_record(sources, playbook, "2-7", "systems_stopped")
    if stopped:
        parts.append(str(stopped[0].value))
    return "、".join(parts)


def _signs(sources: Sources) -> str:
    seen: list[str] = []
    with translation.override("ja"):
        for signs in sources.report_signs:
            for sign in signs:
                label = str(InfectionSign(sign).label)
                if label not in seen:
                    seen.append(label)
    return "、".join(seen)


def _people(facts: dict) -> str:
    count = facts.get("people_count")
    kind = facts.get("people_count_kind")
    if count is None:
        return "不明（調査中）"
    if kind == CountKind.CONFIRMED:
        return f"{count:,}人（確定）"
    if kind == CountKind.ESTIMATED:
        return f"約{count:,}人（推計）"
    return f"{count:,}人（精査中）"


def _breach(facts: dict) -> str:
    parts = [
        f"{label}：{ANSWERS_JA.get(facts[key], facts[key])}"
        for key, label in (("leaked", "漏えい"), ("lost", "滅失"), ("damaged", "毀損"))
    ]
    lines = ["／".join(parts), f"本人の数：{_people(facts)}"]
    if facts.get("data_items"):
        lines.append(f"項目：{facts['data_items']}")
    if facts.get("strongly_encrypted"):
        lines.append("高度な暗号化等の措置が講じられており、鍵は漏えいしていない。")
    return "\n".join(lines)


def _tracks(sources: Sources, playbook: Playbook) -> str:
    chosen = sources.decisions.get("tracks")
    definition = playbook.decision_index.get("tracks")
    if not chosen or definition is None:
        return ""
    labels = {o.key: o.label.ja for o in definition.outcomes}
    keys = chosen if isinstance(chosen, list) else [chosen]
    return "経営層が選んだ対応：" + "、".join(labels.get(k, k) for k in keys)


def _decisions(sources: Sources, playbook: Playbook) -> str:
    lines = []
    for decision_id, outcome in sources.decisions.items():
        definition = playbook.decision_index.get(decision_id)
        if definition is None:
            continue
        labels = {o.key: o.label.ja for o in definition.outcomes}
        keys = outcome if isinstance(outcome, list) else [outcome]
        chosen = "、".join(labels.get(str(k), str(k)) for k in keys)
        lines.append(f"{definition.title.ja}：{chosen}")
    return "\n".join(lines)


def _progress(sources: Sources, playbook: Playbook) -> str:
    done = [
        (info["finished_at"], step_id)
        for step_id, info in sources.steps.items()
        if info["state"] == StepState.DONE and info["finished_at"]
    ]
    line = f"状態：{sources.state}"
    if done:
        finished_at, step_id = max(done)
        step = playbook.step_index.get(step_id)
        title = step.title if step else ""
        when = wareki_datetime(finished_at)
        line += f"。直近に完了した手順：{step_id} {title}（{when}）"
    return line


def _reports_sent(sources: Sources, kinds: dict[str, ReportKind]) -> str:
    lines = []
    for key, (sent_at, number, via) in sources.sent.items():
        kind = kinds.get(key)
        title = kind.title.ja if kind else key
        lines.append(
            f"{title}：{version_label(number)}を{wareki_datetime(sent_at)}に送付（{via}）"
        )
    return "\n".join(lines)


def _notices(sources: Sources) -> str:
    total = sum(count for _, _, count in sources.notices)
    lines = [
        f"{wareki(sent_on)}に{method}で{count:,}人に通知した。"
        for sent_on, method, count in sources.notices
    ]
    if len(lines) > 1:
        lines.append(f"合計{total:,}人に通知済み。")
    return "\n".join(lines)


def resolve(source: str, sources: Sources, playbook: Playbook) -> list[Value]:
    """The values one prefill source finds; empty when it knows nothing."""
    facts = sources.facts
    if source.startswith("step:"):
        step_id, key = source[5:].split(".", 1)
        return _step_record(sources, playbook, step_id, key)
    if source.startswith("step_done:"):
        info = sources.steps.get(source[10:], {})
        finished = info.get("finished_at") if info.get("state") == "done" else None
        return [Value(finished, "完了日時")] if finished else []
    if source.startswith("sent:"):
        sent = sources.sent.get(source[5:])
        return [Value(sent[0], "送付日時")] if sent else []

    # Callables, so that a field asks only for what it uses.
    simple: dict[str, Any] = {
        "incident.aware_at": lambda: sources.aware_at,
        "incident.reported_at": lambda: sources.reported_at,
        "incident.title": lambda: sources.title,
        "incident.number": lambda: sources.number,
        "hospital.name": lambda: sources.hospital_name,
        "hospital.address": lambda: sources.hospital_address,
        "hospital.name_and_address": lambda: "\n".join(
            part for part in (sources.hospital_name, sources.hospital_address) if part
        ),
        "contacts": lambda: "\n".join(sources.contacts),
        "systems": lambda: _systems(sources, playbook),
        "signs": lambda: _signs(sources),
        "reports.ransom_note": lambda: "\n".join(sources.ransom_notes),
        "summary": lambda: _summary(sources, playbook),
        "progress": lambda: _progress(sources, playbook),
        "timeline": lambda: _timeline(sources, playbook),
        "tracks": lambda: _tracks(sources, playbook),
        "decisions": lambda: _decisions(sources, playbook),
        "notices": lambda: _notices(sources),
        "reports_sent": lambda: _reports_sent(sources, load_kinds()),
        # Empty without network data, so the police field keeps its default.
        "network_diagram": summarise_network_ja,
    }
    if source in simple:
        value = simple[source]()
        return [Value(value)] if value not in (None, "") else []
    if source == "ransom_types":
        found = {
            RANSOM_TYPES_BY_SIGN[sign]
            for signs in sources.report_signs
            for sign in signs
            if sign in RANSOM_TYPES_BY_SIGN
        }
        return [Value(sorted(found))] if found else []

    if facts is None:
        return []
    answer = ANSWERS_JA.get
    by_fact: dict[str, Value | None] = {
        "facts.breach": Value(_breach(facts)),
        "facts.people": Value(_people(facts), "本人の数"),
        "facts.data_items": Value(facts["data_items"], "項目")
        if facts.get("data_items")
        else None,
        "facts.sensitive": Value(
            f"要配慮個人情報（病歴・診療情報等）：{answer(facts['sensitive'])}"
        ),
        "facts.wrongful_purpose": Value(
            f"不正の目的によるおそれ：{answer(facts['wrongful_purpose'])}"
        ),
        "facts.secondary_damage": Value(
            f"財産的被害が生じるおそれ：{answer(facts['financial_risk'])}"
        ),
        "facts.ppc_cases": Value(
            "報告対象となる事態（個人情報保護法施行規則7条）："
            + "、".join(PPC_CASES_JA[case] for case in sources.ppc_cases)
        )
        if sources.ppc_cases
        else None,
    }
    found_value = by_fact.get(source)
    return [found_value] if found_value is not None else []


# --- Filling fields ----------------------------------------------------


def _as_text(value: Value) -> str:
    raw = value.value
    if value.text is not None:
        return value.text
    if isinstance(raw, dt.datetime):
        return wareki_datetime(raw)
    if isinstance(raw, dt.date):
        return wareki(raw)
    if isinstance(raw, bool):
        return "はい" if raw else "いいえ"
    if isinstance(raw, int | float):
        return f"{raw:,}"
    if isinstance(raw, list):
        return "、".join(str(item) for item in raw)
    return str(raw).strip()


def _join(values: list[Value]) -> str:
    texts = [(value.label, _as_text(value)) for value in values]
    texts = [(label, text) for label, text in texts if text]
    if len(texts) == 1:
        return texts[0][1]
    parts = []
    for label, text in texts:
        if not label:
            parts.append(text)
        elif "\n" in text:
            parts.append(f"【{label}】\n{text}")
        else:
            parts.append(f"【{label}】{text}")
    return "\n".join(parts)


def fill_field(report_field: ReportField, values: Iterable[Value]) -> Any:
    """The value a field gets from what its sources found, or None."""
    values = list(values)
    kind = report_field.type
    if kind in {"text", "longtext"}:
        return _join(values) or None
    if kind == "datetime":
        for value in values:
            moment = parse_moment(value.value)
            if moment is not None:
                return store_moment(moment)
        return None
    if kind == "date":
        for value in values:
            day = parse_day(value.value)
            if day is not None:
                return day.isoformat()
        return None
    if kind == "number":
        for value in values:
            if isinstance(value.value, int | float) and not isinstance(
                value.value, bool
            ):
                return int(value.value)
        return None
    keys = {choice.key for choice in report_field.choices}
    if kind == "choice":
        for value in values:
            if str(value.value) in keys:
                return str(value.value)
        return None
    chosen: set[str] = set()
    for value in values:
        items = value.value if isinstance(value.value, list) else [value.value]
        chosen |= {str(item) for item in items}
    # In the order the form lists them.
    return [c.key for c in report_field.choices if c.key in chosen] or None


def fill_fields(kind: ReportKind, sources: Sources) -> dict[str, Any]:
    """Pure: the kind's fields filled from gathered sources, empty ones
    left out; a field's `default` stands in when no source has a value."""
    playbook = get_playbook()
    filled: dict[str, Any] = {}
    for report_field in kind.fields:
        values = [
            value
            for source in report_field.prefill
            for value in resolve(source, sources, playbook)
        ]
        value = fill_field(report_field, values)
        if value is None and report_field.default is not None:
            value = report_field.default.ja
        if value is not None:
            filled[report_field.key] = value
    return filled


def prefill(kind: ReportKind | str, incident: Incident) -> dict[str, Any]:
    """A first draft of a report of this kind for this incident."""
    if isinstance(kind, str):
        found = get_kind(kind)
        if found is None:
            raise KeyError(kind)
        kind = found
    return fill_fields(kind, gather_sources(incident))
