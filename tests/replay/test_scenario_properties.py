"""The scenario parser accepts a file or raises ``ScenarioError``,
whatever the file holds."""

import contextlib

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from medir.replay.scenario import ScenarioError, parse_scenario

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["2026-10-31 06:38", "report", "staff"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
EVENT = st.fixed_dictionaries(
    {},
    optional={
        "at": SCALARS,
        "role": st.sampled_from(["staff", "management", "x", 3]),
        "do": st.sampled_from(["report", "complete", "decide", "skip", "note", 1]),
        "step": VALUES,
        "decision": VALUES,
        "outcome": VALUES,
        "reason": VALUES,
        "text": VALUES,
        "assumed": VALUES,
    },
)
SCENARIO = st.fixed_dictionaries(
    {},
    optional={
        "scenario": VALUES,
        "title": VALUES,
        "timezone": st.sampled_from(["Asia/Tokyo", "Mars/Base", "", "../etc"]),
        "events": st.one_of(VALUES, st.lists(EVENT, max_size=4)),
    },
)


@settings(max_examples=150, deadline=None)
@given(SCENARIO)
def test_a_random_scenario_parses_or_raises_scenario_error(raw):
    try:
        text = yaml.safe_dump(raw, allow_unicode=True)
    except yaml.YAMLError:
        return
    with contextlib.suppress(ScenarioError):
        parse_scenario(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_scenario_error(text):
    with contextlib.suppress(ScenarioError):
        parse_scenario(text)
