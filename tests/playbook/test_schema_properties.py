"""Random mutations of the playbook file never crash the loader with
anything but its own ``PlaybookError``."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medir.playbook.schema import PlaybookError, parse_playbook

TEXT = (Path(__file__).parents[2] / "src/medir/playbook/mhlw.yaml").read_text(
    encoding="utf-8"
)
LINES = TEXT.splitlines(keepends=True)
JUNK = st.sampled_from(
    [
        "",
        "- ",
        ": ",
        "{",
        "}",
        "[",
        "]",
        '"',
        "*a",
        "&a ",
        "!!python/object ",
        "null",
        "~",
        "1-1",
        "roles: 3\n",
        "  - {from: x}\n",
        "\t",
        "é",
        "\x00",
    ]
)


@st.composite
def mutated(draw):
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "insert", "splice", "duplicate"]))
        if action == "drop":
            del lines[at]
        elif action == "insert":
            lines.insert(at, draw(JUNK) + draw(st.text(max_size=8)) + "\n")
        elif action == "splice":
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(JUNK) + lines[at][cut:]
        else:
            lines.insert(at, lines[at])
    return "".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_mutated_playbook_loads_or_raises_playbook_error(text):
    try:
        parse_playbook(text, source="mutated.yaml")
    except PlaybookError as error:
        assert error.problems


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_raises_playbook_error(text):
    try:
        parse_playbook(text)
    except PlaybookError as error:
        assert error.problems
