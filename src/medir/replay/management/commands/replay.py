import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from medir.replay.scenario import ScenarioError, load_scenario_file
from medir.replay.services import ReplayError, replay_scenario

TOKYO = ZoneInfo("Asia/Tokyo")


def parse_start(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"--start {raw!r} is not a date and time like 2026-12-01T06:38 "
            "(read as Japan time unless it has an offset)."
        ) from None
    return value.replace(tzinfo=TOKYO) if value.tzinfo is None else value


class Command(BaseCommand):
    help = (
        "Replay a scenario file (or a built-in scenario by name) into a new incident."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="scenario file, or e.g. osaka-2022")
        parser.add_argument(
            "--start",
            help="move the scenario to start at this time, keeping every interval",
        )

    def handle(self, *args, file: Path, start: str | None, **options):
        start_at = parse_start(start) if start else None
        try:
            scenario = load_scenario_file(file)
            incident = replay_scenario(scenario, actor=None, start=start_at)
        except (ScenarioError, ReplayError) as error:
            raise CommandError(f"Nothing was replayed. {error}") from None
        self.stdout.write(
            f"Replayed {len(scenario.events)} events of {scenario.key!r} into incident "
            f"{incident.number} (state: {incident.state})."
        )
        self.stdout.write(
            f"Open it at {settings.PUBLIC_URL}/incidents/{incident.number}/ as "
            "management or the security manager."
        )
