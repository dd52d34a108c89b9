"""The playbook: the flowchart as data, loaded from YAML and validated.

A playbook file declares roles, phases, the standing phase-0 items, the
per-incident steps with their guidance, checklists and record fields, the
decisions taken at steps, the facts that conditions may test, and the arrows
between steps. Loading checks the whole file and reports every problem with
the step and the line it was found on, so that a hospital editing its own
playbook sees what to fix.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml

START = "start"
# The organisation data a phase-0 item may point at.
LINK_TARGETS = {
    "people",
    "departments",
    "organisations",
    "contacts",
    "call_tree",
    "systems",
    "network",
}
# Whom a step may list in its ``contacts``: the holders of a role (with
# their deputies), the vendors of the affected systems, or an authority
# (an organisation whose ``authority`` is that key).
CONTACT_TARGETS = {
    "security_manager",
    "management",
    "vendor",
    "mhlw",
    "ppc",
    "police",
    "ipa",
    "jpcert",
    "prefecture",
}
RECORD_TYPES = {"text", "longtext", "datetime", "date", "choice", "boolean", "number"}
BUILTIN_ROLES = ("management", "security_manager", "staff", "external")


class PlaybookError(Exception):
    """The playbook file cannot be used; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{source}: the playbook has {len(problems)} problem(s):\n{lines}"
        )


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") and self.en else self.ja


@dataclass(frozen=True)
class Role:
    key: str
    title: str
    title_en: str


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    title_en: str


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    text: Text


@dataclass(frozen=True)
class RecordField:
    key: str
    label: Text
    type: str
    choices: tuple[ChecklistItem, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Outcome:
    key: str
    label: Text


@dataclass(frozen=True)
class Decision:
    id: str
    step: str
    title: Text
    kind: str  # "single" or "multiple"
    outcomes: tuple[Outcome, ...]
    revisable: bool
    line: int

    def outcome_keys(self) -> set[str]:
        return {outcome.key for outcome in self.outcomes}


@dataclass(frozen=True)
class Fact:
    key: str
    label: Text


@dataclass(frozen=True)
class Step:
    id: str
    phase: int
    title: str
    title_en: str
    roles: tuple[str, ...]
    vendor_assists: bool
    guidance: Text
    checklist: tuple[ChecklistItem, ...]
    records: tuple[RecordField, ...]
    line: int
    links: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()

    def title_for(self, language: str) -> str:
        return self.title_en if language.startswith("en") else self.title


@dataclass(frozen=True)
class Condition:
    """A test on the incident's decisions or facts.

    Exactly one form is used: ``decision`` with ``is`` or ``includes``;
    ``fact`` with ``is``; or ``any`` / ``all`` over nested conditions.
    """

    decision: str = ""
    fact: str = ""
    is_: Any = None
    includes: str = ""
    any_of: tuple[Condition, ...] = ()
    all_of: tuple[Condition, ...] = ()

    def subjects(self) -> list[str]:
        """The decisions and facts this condition tests, in order."""
        if self.any_of or self.all_of:
            return [s for c in self.any_of + self.all_of for s in c.subjects()]
        return [self.decision or self.fact]

    def describe(self) -> str:
        if self.any_of:
            return " or ".join(c.describe() for c in self.any_of)
        if self.all_of:
            return " and ".join(c.describe() for c in self.all_of)
        if self.decision and self.includes:
            return f"{self.decision} includes {self.includes}"
        subject = self.decision or self.fact
        return f"{subject} is {self.is_}"


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    when: Condition | None
    line: int


@dataclass(frozen=True)
class Playbook:
    name: str
    version: str
    digest: str
    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    preparedness: tuple[Step, ...]
    steps: tuple[Step, ...]
    decisions: tuple[Decision, ...]
    facts: tuple[Fact, ...]
    arrows: tuple[Arrow, ...]
    step_index: dict[str, Step] = field(default_factory=dict, compare=False)
    decision_index: dict[str, Decision] = field(default_factory=dict, compare=False)

    def step(self, step_id: str) -> Step:
        return self.step_index[step_id]

    def decision(self, decision_id: str) -> Decision:
        return self.decision_index[decision_id]

    def role(self, key: str) -> Role:
        return next(role for role in self.roles if role.key == key)

    def phase(self, number: int) -> Phase:
        return next(phase for phase in self.phases if phase.number == number)

    def arrows_into(self, step_id: str) -> list[Arrow]:
        return [arrow for arrow in self.arrows if arrow.target == step_id]

    def arrows_out_of(self, step_id: str) -> list[Arrow]:
        return [arrow for arrow in self.arrows if arrow.source == step_id]

    def decisions_at(self, step_id: str) -> list[Decision]:
        return [d for d in self.decisions if d.step == step_id]

    def steps_in_order(self) -> list[Step]:
        """Steps in a topological order of the arrows, ties by file order."""
        order = {step.id: n for n, step in enumerate(self.steps)}
        graph: dict[str, set[str]] = {step.id: set() for step in self.steps}
        for arrow in self.arrows:
            if arrow.source != START:
                graph[arrow.target].add(arrow.source)
        sorter = TopologicalSorter(graph)
        sorter.prepare()
        result: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=order.__getitem__)
            result.extend(ready)
            sorter.done(*ready)
        return [self.step_index[step_id] for step_id in result]


# --- Loading -------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line each mapping starts on."""


def _construct_mapping_with_line(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_with_line
)


class _Reader:
    """Collects problems while turning raw YAML into playbook objects."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, line: int | None, message: str) -> None:
        location = f"line {line}" if line else "file"
        self.problems.append(f"{where} ({location}): {message}")

    def text(self, raw: Any, where: str, line: int | None, *, required=True) -> Text:
        if isinstance(raw, dict):
            ja = str(raw.get("ja") or "").strip()
            en = str(raw.get("en") or "").strip()
        elif isinstance(raw, str):
            ja, en = raw.strip(), ""
        else:
            ja = en = ""
        if required and not ja:
            self.problem(where, line, "Japanese text (ja) is missing")
        return Text(ja=ja, en=en)

    def items(
        self, raw: Any, where: str, line: int | None
    ) -> tuple[ChecklistItem, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem(where, line, "must be a list")
            return ()
        result = []
        keys: set[str] = set()
        for item in raw:
            if not isinstance(item, dict) or not item.get("key"):
                self.problem(where, line, "every item needs a key")
                continue
            key = str(item["key"])
            if key in keys:
                self.problem(where, item.get("__line__"), f"duplicate key {key!r}")
            keys.add(key)
            result.append(
                ChecklistItem(
                    key=key, text=self.text(item, where, item.get("__line__"))
                )
            )
        return tuple(result)

    def condition(self, raw: Any, where: str, line: int | None) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.problem(where, line, "a condition must be a mapping")
            return None
        line = raw.get("__line__", line)
        if "any" in raw or "all" in raw:
            key = "any" if "any" in raw else "all"
            parts = raw[key]
            if not isinstance(parts, list) or not parts:
                self.problem(where, line, f"'{key}' needs a list of conditions")
                return None
            nested = tuple(
                c for c in (self.condition(p, where, line) for p in parts) if c
            )
            return (
                Condition(any_of=nested) if key == "any" else Condition(all_of=nested)
            )
        if "decision" in raw:
            if "includes" in raw:
                return Condition(
                    decision=str(raw["decision"]), includes=str(raw["includes"])
                )
            if "is" in raw:
                return Condition(decision=str(raw["decision"]), is_=str(raw["is"]))
            self.problem(where, line, "a decision condition needs 'is' or 'includes'")
            return None
        if "fact" in raw:
            if "is" not in raw or not isinstance(raw["is"], bool):
                self.problem(
                    where, line, "a fact condition needs 'is: true' or 'is: false'"
                )
                return None
            return Condition(fact=str(raw["fact"]), is_=raw["is"])
        self.problem(where, line, "a condition needs decision, fact, any or all")
        return None


def _as_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(item) for item in raw]
    return [str(raw)]


def _read_step(reader: _Reader, raw: dict, role_keys: set[str]) -> Step | None:
    line = raw.get("__line__")
    step_id = str(raw.get("id") or "").strip()
    if not step_id:
        reader.problem("a step", line, "has no id")
        return None
    where = f"step {step_id}"
    title = str(raw.get("title") or "").strip()
    title_en = str(raw.get("title_en") or "").strip()
    if not title:
        reader.problem(where, line, "title (Japanese) is missing")
    if not title_en:
        reader.problem(where, line, "title_en is missing")
    roles = tuple(_as_list(raw.get("roles")))
    if not roles:
        reader.problem(where, line, "lists no roles")
    for role in roles:
        if role not in role_keys:
            reader.problem(where, line, f"unknown role {role!r}")
    try:
        phase = int(raw.get("phase", step_id.split("-")[0]))
    except ValueError:
        reader.problem(where, line, "phase is not a number")
        phase = 0

    records = []
    raw_records = raw.get("records") or []
    if not isinstance(raw_records, list):
        reader.problem(where, line, "records must be a list")
        raw_records = []
    for item in raw_records:
        item_line = item.get("__line__") if isinstance(item, dict) else line
        if not isinstance(item, dict) or not item.get("key"):
            reader.problem(where, item_line, "every record field needs a key")
            continue
        kind = str(item.get("type", "text"))
        if kind not in RECORD_TYPES:
            reader.problem(
                where, item_line, f"record {item['key']!r} has unknown type {kind!r}"
            )
        choices = reader.items(item.get("choices"), where, item_line)
        if kind == "choice" and not choices:
            reader.problem(where, item_line, f"record {item['key']!r} needs choices")
        records.append(
            RecordField(
                key=str(item["key"]),
                label=reader.text(item, where, item_line),
                type=kind,
                choices=choices,
                required=bool(item.get("required", False)),
            )
        )

    links = tuple(_as_list(raw.get("links")))
    for link in links:
        if link not in LINK_TARGETS:
            reader.problem(
                where,
                line,
                f"unknown link {link!r}; use {', '.join(sorted(LINK_TARGETS))}",
            )

    contacts = tuple(_as_list(raw.get("contacts")))
    for contact in contacts:
        if contact not in CONTACT_TARGETS:
            reader.problem(
                where,
                line,
                f"unknown contact {contact!r}; use "
                f"{', '.join(sorted(CONTACT_TARGETS))}",
            )

    return Step(
        links=links,
        contacts=contacts,
        id=step_id,
        phase=phase,
        title=title,
        title_en=title_en,
        roles=roles,
        vendor_assists=bool(raw.get("vendor_assists", False)),
        guidance=reader.text(raw.get("guidance"), where, line),
        checklist=reader.items(raw.get("checklist"), where, line),
        records=tuple(records),
        line=line or 0,
    )


def _condition_names(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    if condition.any_of or condition.all_of:
        result: list[Condition] = []
        for nested in condition.any_of + condition.all_of:
            result.extend(_condition_names(nested))
        return result
    return [condition]


def parse_playbook(text: str, *, source: str = "<playbook>") -> Playbook:
    """Parse and validate a playbook; raise ``PlaybookError`` listing every
    problem found."""
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise PlaybookError(source, [f"{where}: not valid YAML ({error})"]) from None
    if not isinstance(raw, dict):
        raise PlaybookError(source, ["file: the playbook must be a YAML mapping"])

    reader = _Reader()

    roles = []
    for item in raw.get("roles") or []:
        if not isinstance(item, dict) or not item.get("key"):
            reader.problem("roles", None, "every role needs a key")
            continue
        roles.append(
            Role(
                str(item["key"]),
                str(item.get("title", "")),
                str(item.get("title_en", "")),
            )
        )
    if not roles:
        reader.problem("roles", None, "no roles declared")
    role_keys = {role.key for role in roles}

    phases = tuple(
        Phase(
            int(item["number"]),
            str(item.get("title", "")),
            str(item.get("title_en", "")),
        )
        for item in raw.get("phases") or []
        if isinstance(item, dict) and "number" in item
    )

    preparedness = tuple(
        step
        for item in raw.get("preparedness") or []
        if isinstance(item, dict)
        for step in [_read_step(reader, item, role_keys)]
        if step
    )

    steps: list[Step] = []
    seen: dict[str, int] = {}
    for item in raw.get("steps") or []:
        if not isinstance(item, dict):
            reader.problem("steps", None, "every step must be a mapping")
            continue
        step = _read_step(reader, item, role_keys)
        if step is None:
            continue
        if step.id in seen:
            reader.problem(
                f"step {step.id}",
                step.line,
                f"duplicate id (first on line {seen[step.id]})",
            )
            continue
        seen[step.id] = step.line
        steps.append(step)
    if not steps:
        reader.problem("steps", None, "no steps declared")
    step_ids = set(seen)

    facts = []
    for item in raw.get("facts") or []:
        if isinstance(item, dict) and item.get("key"):
            facts.append(
                Fact(
                    str(item["key"]),
                    reader.text(item, f"fact {item['key']}", item.get("__line__")),
                )
            )
    fact_keys = {fact.key for fact in facts}

    decisions: list[Decision] = []
    for item in raw.get("decisions") or []:
        line = item.get("__line__") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not item.get("id"):
            reader.problem("a decision", line, "has no id")
            continue
        decision_id = str(item["id"])
        at_step = str(item.get("step") or "")
        # Naming the step too: a hospital editing its playbook looks for the
        # step, and one step may take several decisions.
        where = f"decision {decision_id} at step {at_step or '?'}"
        if any(existing.id == decision_id for existing in decisions):
            reader.problem(where, line, "duplicate decision id")
        if at_step not in step_ids:
            reader.problem(where, line, f"is taken at unknown step {at_step!r}")
        outcomes = tuple(
            Outcome(o.key, o.text)
            for o in reader.items(item.get("outcomes"), where, line)
        )
        if not outcomes:
            reader.problem(where, line, "has no outcomes")
        kind = str(item.get("kind", "single"))
        if kind not in {"single", "multiple"}:
            reader.problem(
                where, line, f"kind must be single or multiple, not {kind!r}"
            )
        decisions.append(
            Decision(
                id=decision_id,
                step=at_step,
                title=reader.text(item.get("title"), where, line),
                kind=kind,
                outcomes=outcomes,
                revisable=bool(item.get("revisable", False)),
                line=line or 0,
            )
        )
    decision_index = {decision.id: decision for decision in decisions}

    arrows: list[Arrow] = []
    for item in raw.get("arrows") or []:
        line = item.get("__line__") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            reader.problem("arrows", line, "every arrow must be a mapping")
            continue
        sources = _as_list(item.get("from"))
        targets = _as_list(item.get("to"))
        if not sources or not targets:
            reader.problem("an arrow", line, "needs both 'from' and 'to'")
            continue
        condition = reader.condition(item.get("when"), "an arrow", line)
        for source_id in sources:
            if source_id != START and source_id not in step_ids:
                reader.problem(
                    f"arrow from {source_id}", line, f"unknown step {source_id!r}"
                )
                continue
            for target_id in targets:
                if target_id not in step_ids:
                    reader.problem(
                        f"arrow to {target_id}", line, f"unknown step {target_id!r}"
                    )
                    continue
                arrows.append(Arrow(source_id, target_id, condition, line or 0))

        for test in _condition_names(condition):
            if test.decision:
                decision = decision_index.get(test.decision)
                if decision is None:
                    reader.problem(
                        "an arrow", line, f"tests unknown decision {test.decision!r}"
                    )
                elif test.includes and test.includes not in decision.outcome_keys():
                    reader.problem(
                        "an arrow",
                        line,
                        f"decision {test.decision!r} has no outcome {test.includes!r}",
                    )
                elif test.is_ is not None and decision.kind == "multiple":
                    reader.problem(
                        "an arrow",
                        line,
                        f"decision {test.decision!r} takes several outcomes; "
                        "test it with 'includes'",
                    )
                elif test.is_ is not None and test.is_ not in decision.outcome_keys():
                    reader.problem(
                        "an arrow",
                        line,
                        f"decision {test.decision!r} has no outcome {test.is_!r}",
                    )
            if test.fact and test.fact not in fact_keys:
                reader.problem("an arrow", line, f"tests unknown fact {test.fact!r}")

    step_index = {step.id: step for step in steps}
    _check_graph(reader, steps, arrows, step_index)

    if reader.problems:
        raise PlaybookError(source, reader.problems)

    return Playbook(
        name=str(raw.get("name", "")),
        version=str(raw.get("version", "")),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        roles=tuple(roles),
        phases=phases,
        preparedness=preparedness,
        steps=tuple(steps),
        decisions=tuple(decisions),
        facts=tuple(facts),
        arrows=tuple(arrows),
        step_index=step_index,
        decision_index=decision_index,
    )


def _check_graph(reader: _Reader, steps, arrows, step_index) -> None:
    """Report cycles and steps that no path from the start reaches."""
    graph: dict[str, set[str]] = {step.id: set() for step in steps}
    for arrow in arrows:
        if arrow.source != START:
            graph[arrow.target].add(arrow.source)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = error.args[1]
        first = step_index[cycle[0]]
        reader.problem(
            f"step {first.id}",
            first.line,
            "is part of a cycle: " + " -> ".join(reversed(cycle)),
        )
        return

    reached: set[str] = set()
    frontier = [arrow.target for arrow in arrows if arrow.source == START]
    while frontier:
        step_id = frontier.pop()
        if step_id in reached:
            continue
        reached.add(step_id)
        frontier.extend(a.target for a in arrows if a.source == step_id)
    if not any(arrow.source == START for arrow in arrows):
        reader.problem("arrows", None, "no arrow leaves 'start'")
    for step in steps:
        if step.id not in reached:
            reader.problem(
                f"step {step.id}", step.line, "is unreachable from the start"
            )


def load_playbook_file(path: Path) -> Playbook:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError(str(path), ["file: not found"]) from None
    except UnicodeDecodeError:
        raise PlaybookError(str(path), ["file: not UTF-8 text"]) from None
    return parse_playbook(text, source=str(path))


@cache
def _cached_playbook(path: str, mtime_ns: int) -> Playbook:
    return load_playbook_file(Path(path))


# A page asks for the playbook many times; looking at the file once a
# second is enough to notice a hospital's edit without a restart.
RECHECK_SECONDS = 1.0
_last_check: dict[str, tuple[float, int]] = {}


def get_playbook() -> Playbook:
    """The installation's playbook (``settings.PLAYBOOK_FILE``), cached until
    the file changes."""
    from django.conf import settings

    path = str(settings.PLAYBOOK_FILE)
    now = time.monotonic()
    checked = _last_check.get(path)
    if checked is None or now - checked[0] > RECHECK_SECONDS:
        try:
            mtime_ns = Path(path).stat().st_mtime_ns
        except FileNotFoundError:
            raise PlaybookError(path, ["file: not found"]) from None
        checked = (now, mtime_ns)
        _last_check[path] = checked
    return _cached_playbook(path, checked[1])
