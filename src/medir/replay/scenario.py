"""Scenario files: a real or made-up incident as timed events by role.

A scenario is checked completely before anything is replayed, so a bad
file changes nothing. See the README for the format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

ACTIONS = {
    "report",
    "confirm",
    "dismiss",
    "decide",
    "start",
    "complete",
    "skip",
    "note",
    "close",
}
ROLES = {"management", "security_manager", "staff", "external"}
BUILTIN_DIR = Path(__file__).resolve().parent / "scenarios"


class ScenarioError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{source}: the scenario has {len(problems)} problem(s):\n{lines}"
        )


@dataclass(frozen=True)
class ScenarioEvent:
    number: int
    at: dt.datetime
    action: str
    role: str
    assumed: bool
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    title_en: str
    source: str
    events: tuple[ScenarioEvent, ...]

    def shifted(self, start: dt.datetime | None) -> tuple[ScenarioEvent, ...]:
        """The events moved to start at ``start``, every interval kept."""
        if start is None:
            return self.events
        offset = start - self.events[0].at
        return tuple(
            ScenarioEvent(
                e.number, e.at + offset, e.action, e.role, e.assumed, e.fields
            )
            for e in self.events
        )


def _parse_time(raw: Any, zone: ZoneInfo) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str):
        value = dt.datetime.fromisoformat(raw.strip())
    else:
        raise ValueError("not a date and time")
    # Times without an offset are read in the scenario's time zone.
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


def parse_scenario(text: str, *, source: str = "<scenario>") -> Scenario:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(source, [f"not valid YAML ({error})"]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(source, ["the scenario must be a YAML mapping"])

    problems: list[str] = []
    try:
        zone = ZoneInfo(str(raw.get("timezone", "Asia/Tokyo")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"unknown time zone {raw.get('timezone')!r}")
        zone = ZoneInfo("Asia/Tokyo")
    for key in ("scenario", "title"):
        if not raw.get(key):
            problems.append(f"'{key}' is missing")

    events: list[ScenarioEvent] = []
    raw_events = raw.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        problems.append("'events' must be a non-empty list")
        raw_events = []
    previous: dt.datetime | None = None
    for number, item in enumerate(raw_events, start=1):
        where = f"event {number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        action = str(item.get("do", ""))
        if action not in ACTIONS:
            problems.append(
                f"{where}: 'do' must be one of {', '.join(sorted(ACTIONS))}"
            )
            continue
        role = str(item.get("role", ""))
        if role not in ROLES:
            problems.append(
                f"{where}: 'role' must be one of {', '.join(sorted(ROLES))}"
            )
        try:
            at = _parse_time(item.get("at"), zone)
        except ValueError:
            problems.append(
                f"{where}: 'at' is not a date and time like 2022-10-31 06:38"
            )
            continue
        if previous is not None and at < previous:
            problems.append(f"{where}: happens before the event above it")
        previous = at
        if action in {"start", "complete", "skip"} and not item.get("step"):
            problems.append(f"{where}: '{action}' needs a step")
        if action == "decide" and not (item.get("decision") and "outcome" in item):
            problems.append(f"{where}: 'decide' needs decision and outcome")
        if action == "skip" and not item.get("reason"):
            problems.append(f"{where}: 'skip' needs a reason")
        if action == "note" and not item.get("text"):
            problems.append(f"{where}: 'note' needs text")
        fields = {
            k: v for k, v in item.items() if k not in {"at", "do", "role", "assumed"}
        }
        if "step" in fields:
            fields["step"] = str(fields["step"])
        events.append(
            ScenarioEvent(
                number, at, action, role, bool(item.get("assumed", False)), fields
            )
        )

    if events and events[0].action != "report":
        problems.append("event 1: a scenario starts with a report")
    if problems:
        raise ScenarioError(source, problems)
    return Scenario(
        key=str(raw["scenario"]),
        title=str(raw["title"]),
        title_en=str(raw.get("title_en", "")),
        source=str(raw.get("source", "")),
        events=tuple(events),
    )


def load_scenario_file(path: Path) -> Scenario:
    """Load a scenario by path, or by the name of a built-in scenario."""
    if not path.exists() and (BUILTIN_DIR / f"{path.name}.yaml").exists():
        path = BUILTIN_DIR / f"{path.name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        builtin = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
        raise ScenarioError(
            str(path), [f"file not found (built-in scenarios: {builtin})"]
        ) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), ["not UTF-8 text"]) from None
    return parse_scenario(text, source=str(path))
