"""Settings read at start-up: the secret key and the embedded database."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def start_python(code, data_dir, **env):
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "medir.settings",
            "MEDIR_DATA_DIR": str(data_dir),
            **env,
        },
    )


def test_the_secret_key_is_made_once_and_kept_private(tmp_path):
    first = start_python(PRINT_KEY, tmp_path)
    second = start_python(PRINT_KEY, tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_processes_starting_together_agree_on_one_secret_key(tmp_path):
    env = {"MEDIR_SECRET_KEY": ""}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: start_python(PRINT_KEY, tmp_path, **env), range(4))
        )

    assert [result.returncode for result in results] == [0, 0, 0, 0], [
        result.stderr for result in results
    ]
    assert len({result.stdout for result in results}) == 1


def test_the_secret_key_from_the_environment_wins_and_writes_nothing(tmp_path):
    result = start_python(PRINT_KEY, tmp_path, MEDIR_SECRET_KEY="k" * 40)

    assert result.stdout.strip() == "k" * 40
    assert not (tmp_path / "secret_key").exists()


def test_a_truncated_secret_key_file_stops_start_up_naming_it(tmp_path):
    (tmp_path / "secret_key").write_text("short")

    result = start_python(PRINT_KEY, tmp_path)

    assert result.returncode != 0
    assert "secret_key holds a key that is too short" in result.stderr


def test_the_embedded_database_runs_in_wal_mode_with_immediate_writes(db):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database is SQLite")

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]

    assert journal_mode == "wal"
    assert busy_timeout == 30_000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
