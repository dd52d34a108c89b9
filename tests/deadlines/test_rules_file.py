"""A hospital's own deadline rules (MEDIR_DEADLINE_RULES), checked on load."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from medir.deadlines.clock import RulesError, load_rules
from tests.processes import child_env

SHIPPED = Path(__file__).parents[2] / "src" / "medir" / "deadlines" / "rules.yaml"


def deadlines_command(tmp_path, rules: Path):
    return subprocess.run(
        [sys.executable, "-m", "medir", "deadlines", "--aware", "2026-12-01", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(tmp_path, MEDIR_DEADLINE_RULES=str(rules)),
    )


def own_rules(tmp_path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_hospitals_own_rules_change_the_dates_the_command_prints(tmp_path):
    # Counsel read the awareness day as day 0: every date moves one day on.
    rules = own_rules(
        tmp_path, "awareness_is_day_one: true", "awareness_is_day_one: false"
    )

    result = deadlines_command(tmp_path, rules)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["preliminary_target"] == "2026-12-04"


def test_the_shipped_rules_give_the_day_three_target(tmp_path):
    result = deadlines_command(tmp_path, SHIPPED)

    assert json.loads(result.stdout)["preliminary_target"] == "2026-12-03"


def test_a_rule_with_a_count_that_is_not_a_number_is_named(tmp_path):
    rules = own_rules(tmp_path, "days: 30", 'days: "thirty"')

    result = deadlines_command(tmp_path, rules)

    assert result.returncode == 2
    assert "rule final: days must be a whole number 1-366" in result.stderr
    assert str(rules) in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  confirmed: false\n", "", "'confirmed' is missing"),
        ('from: "12-29"', 'from: "13-29"', "month must be in 1..12"),
        ("effective_from: 2022-04-01", "effective_from: soon", "effective_from"),
        ("rules:\n", "rules: [\n", "is not valid UTF-8 YAML"),
    ],
)
def test_a_broken_rules_file_is_refused_with_what_is_wrong(tmp_path, old, new, message):
    rules = own_rules(tmp_path, old, new)

    with pytest.raises(RulesError, match=message):
        load_rules(rules)


def test_a_missing_rules_file_is_named(tmp_path):
    with pytest.raises(RulesError, match="cannot be read"):
        load_rules(tmp_path / "none.yaml")
