"""The `medir` command, run as a person would run it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import child_env

MEDIR = [sys.executable, "-m", "medir"]


def run(*args, data_dir: Path, env=None):
    return subprocess.run(
        [*MEDIR, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(data_dir, **(env or {})),
    )


def test_playbook_show_json_lists_every_step_with_its_arrows(tmp_path):
    result = run("playbook", "show", "--json", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    steps = {step["id"]: step for step in json.loads(result.stdout)}
    assert len(steps) == 35
    assert steps["1-2"]["title"] == "ケーブル等の切離"
    assert steps["1-2"]["title_en"] == "Disconnecting cables"
    assert steps["1-2"]["roles"] == ["staff"]
    assert steps["2-1"]["next"] == ["2-2", "2-3", "2-4", "2-5", "2-6"]
    assert steps["2-12"]["phase"] == 2
    assert set(steps["2-12"]["next"]) == {
        "2-13",
        "2-14",
        "2-15",
        "2-18",
        "4-3",
        "4-4",
        "4-9",
    }


def test_a_hospitals_own_playbook_replaces_the_built_in_one(tmp_path):
    shipped = Path(__file__).parents[1] / "src" / "medir" / "playbook" / "mhlw.yaml"
    own = tmp_path / "own.yaml"
    own.write_text(
        shipped.read_text(encoding="utf-8").replace(
            "title_en: Disconnecting cables", "title_en: Unplug the LAN cable"
        ),
        encoding="utf-8",
    )

    result = run(
        "playbook",
        "show",
        "--json",
        data_dir=tmp_path,
        env={"MEDIR_PLAYBOOK": str(own)},
    )

    assert result.returncode == 0, result.stderr
    steps = {step["id"]: step for step in json.loads(result.stdout)}
    assert steps["1-2"]["title_en"] == "Unplug the LAN cable"


def test_a_broken_own_playbook_stops_the_command_with_its_problems(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text(
        "roles: [{key: staff, title: 職員, title_en: Staff}]\n"
        "steps:\n"
        "  - {id: '1-1', title: 検知, title_en: Detect, roles: [robot],"
        " guidance: {ja: x}}\n"
        "arrows: [{from: start, to: '1-1'}]\n",
        encoding="utf-8",
    )

    result = run(
        "playbook", "show", data_dir=tmp_path, env={"MEDIR_PLAYBOOK": str(own)}
    )

    assert result.returncode == 1
    assert "step 1-1 (line 3): unknown role 'robot'" in result.stderr


def test_playbook_validate_accepts_the_shipped_file(tmp_path):
    shipped = Path(__file__).parents[1] / "src" / "medir" / "playbook" / "mhlw.yaml"

    result = run("playbook", "validate", str(shipped), data_dir=tmp_path)

    assert result.returncode == 0
    assert "35 steps" in result.stdout


def test_playbook_validate_names_the_problem_and_fails(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "roles: [{key: staff, title: 職員, title_en: Staff}]\n"
        "steps:\n"
        "  - {id: '1-1', title: 検知, title_en: Detect, roles: [robot],"
        " guidance: {ja: x}}\n"
        "arrows: [{from: start, to: '1-1'}]\n",
        encoding="utf-8",
    )

    result = run("playbook", "validate", str(broken), data_dir=tmp_path)

    assert result.returncode != 0
    assert "step 1-1 (line 3): unknown role 'robot'" in result.stderr


def test_a_bad_setting_stops_the_command_with_a_clear_message(tmp_path):
    result = run(
        "playbook", "show", data_dir=tmp_path, env={"MEDIR_LISTEN": "localhost:port"}
    )

    assert result.returncode == 2
    assert "MEDIR_LISTEN='localhost:port' has no numeric port" in result.stderr


def test_an_unknown_command_fails_with_the_usage(tmp_path):
    result = run("fly", data_dir=tmp_path)

    assert result.returncode == 2
    assert "usage: medir" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MEDIR_DEBUG", "perhaps", "is not a yes/no value"),
        ("MEDIR_PUBLIC_URL", "ftp://x", "is not an http(s) URL"),
        ("DATABASE_URL", "mysql://u@h/db", "must be a postgres:// URL"),
    ],
)
def test_each_bad_setting_is_named(tmp_path, variable, value, message):
    result = run("playbook", "show", data_dir=tmp_path, env={variable: value})

    assert result.returncode == 2
    assert message in result.stderr


def test_audit_verify_on_a_fresh_installation_succeeds(tmp_path):
    assert run("manage", "migrate", "-v0", data_dir=tmp_path).returncode == 0

    result = run("audit", "verify", data_dir=tmp_path)

    assert result.returncode == 0
    assert "Audit chain intact: 0 records" in result.stdout


def test_init_creates_the_hospital_and_its_administrator_once(tmp_path):
    env = {"MEDIR_ADMIN_PASSWORD": "a-long-enough-passphrase-2026"}
    args = ("init", "--hospital", "テスト病院", "--admin", "it-admin")

    first = run(*args, data_dir=tmp_path, env=env)
    second = run(*args, data_dir=tmp_path, env=env)

    assert first.returncode == 0, first.stderr
    assert second.returncode != 0
    assert "already has a hospital" in second.stderr
    assert run("audit", "verify", data_dir=tmp_path).returncode == 0


def test_init_refuses_a_weak_password(tmp_path):
    result = run(
        "init",
        "--hospital",
        "テスト病院",
        "--admin",
        "it-admin",
        data_dir=tmp_path,
        env={"MEDIR_ADMIN_PASSWORD": "12345678"},
    )

    assert result.returncode != 0
    assert "Password not accepted" in result.stderr


def test_a_command_on_a_data_folder_without_tables_says_to_migrate(tmp_path):
    result = run("kit", str(tmp_path / "kit.pdf"), data_dir=tmp_path)

    assert result.returncode == 1
    assert "run `medir manage migrate` first" in result.stderr
    assert f"The data folder {tmp_path} has no MedIR database yet" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_files_of_a_new_data_folder_are_private_to_medirs_account(tmp_path):
    data = tmp_path / "new"

    result = run("manage", "migrate", "--verbosity", "0", data_dir=data)

    assert result.returncode == 0, result.stderr
    assert data.stat().st_mode & 0o077 == 0
    database = data / "medir.sqlite3"
    assert database.stat().st_mode & 0o077 == 0
