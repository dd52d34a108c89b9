"""Helpers for tests that run `medir` as separate processes, each on its
own data folder, the way an operator does."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def child_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `medir` child process on its own data folder.

    The test run's own settings must not leak into the child: with the
    suite's DATABASE_URL every child would share one PostgreSQL database
    instead of the fresh SQLite database of its data folder.
    """
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    # Set by the browser tests for their own process only.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, "MEDIR_DATA_DIR": str(data_dir), **extra}


def run_medir(
    data_dir: Path,
    *args: str,
    check: bool = True,
    timeout: float = 180,
    database_url: str | None = None,
) -> subprocess.CompletedProcess:
    """Run `medir` on a data folder: its SQLite database, or the PostgreSQL
    database at ``database_url``."""
    env = child_env(
        data_dir, **({"DATABASE_URL": database_url} if database_url else {})
    )
    result = subprocess.run(
        [sys.executable, "-m", "medir", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"medir {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


def shell_json(data_dir: Path, code: str, *, database_url: str | None = None):
    """Run Python in `medir manage shell` on a data folder; the code prints
    one JSON value as its last line."""
    result = run_medir(
        data_dir, "manage", "shell", "-c", code, database_url=database_url
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


INCIDENT_NUMBERS = (
    "import json; from medir.incidents.models import Incident; "
    "print(json.dumps(list(Incident.objects.order_by('id')"
    ".values_list('id', 'number'))))"
)

REPORT_IDS = (
    "import json; from medir.incidents.models import Report; "
    "print(json.dumps(list(Report.objects.values_list('id', flat=True))))"
)


@pytest.fixture
def demo_dir(tmp_path) -> Path:
    data = tmp_path / "source"
    run_medir(data, "demo")
    return data
