"""The playbook names whom each step calls, and refuses unknown names."""

from pathlib import Path

import pytest

from medir.playbook.schema import PlaybookError, parse_playbook

MHLW = Path(__file__).parents[2] / "src" / "medir" / "playbook" / "mhlw.yaml"


def test_the_built_in_playbook_names_the_contacts_of_its_steps():
    playbook = parse_playbook(MHLW.read_text(encoding="utf-8"))

    assert playbook.step("2-5").contacts == ("ipa", "jpcert")
    assert playbook.step("4-3").contacts == ("ppc", "prefecture")
    assert playbook.step("2-6").contacts == ()


def test_an_unknown_contact_is_named_with_its_step_and_line():
    text = MHLW.read_text(encoding="utf-8").replace(
        "contacts: [mhlw]", "contacts: [ministry]"
    )

    with pytest.raises(PlaybookError) as error:
        parse_playbook(text)

    (problem,) = error.value.problems
    assert problem.startswith("step 2-13 (line ")
    assert "unknown contact 'ministry'" in problem
