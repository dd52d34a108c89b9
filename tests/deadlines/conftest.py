"""Incidents with running report clocks, and a stand-in for sent reports.

The report versions are another app's; the clocks only ask it
``latest_sent_at(incident, kind)``, so the tests answer that question
from a dict: ``sent_reports[(number, kind)] = when``.
"""

import datetime as dt

import pytest

from medir.authority import reports_queries
from medir.authority.services import record_personal_data_facts
from medir.incidents import services
from medir.incidents.models import EntrySource, Incident
from medir.lib.dates import JAPAN
from tests.incidents.factories import complete


@pytest.fixture(autouse=True)
def sent_reports(monkeypatch):
    sent: dict[tuple[str, str], dt.datetime] = {}

    def latest_sent_at(incident, kind):
        return sent.get((incident.number, kind))

    monkeypatch.setattr(reports_queries, "latest_sent_at", latest_sent_at)
    return sent


def ransomware(
    nurse,
    manager,
    director,
    *,
    aware_at: dt.datetime,
    wrongful_purpose: str = "yes",
    tracks: tuple[str, ...] = ("2-13", "2-18", "4-3"),
    replay: bool = False,
) -> Incident:
    """A confirmed ransomware incident with medical records possibly
    leaked (PPC report mandatory) and the tracks chosen at 2-12 a day
    after awareness."""
    # Times from the past are believable only when transcribed from paper.
    source = EntrySource.REPLAY if replay else EntrySource.TRANSCRIBED
    incident = services.file_report(
        actor=nurse,
        reporter_name="看護師A",
        callback_number="090-0000-0000",
        signs=["ransom_note"],
        description="プリンタから英語の脅迫文が出続けている",
        title="電子カルテ停止（患者 山田太郎 様の記録含む）",
        happened_at=aware_at,
        source=source,
    ).incident
    complete(incident, nurse, "1-1", "1-2", "1-3")
    services.confirm_incident(incident, actor=manager)
    record_personal_data_facts(
        incident,
        actor=manager,
        leaked="possibly",
        sensitive="yes",
        wrongful_purpose=wrongful_purpose,
    )
    if tracks:
        services.record_decision(
            incident,
            decision_id="tracks",
            outcome=list(tracks),
            actor=director,
            happened_at=aware_at + dt.timedelta(days=1),
            source=source,
        )
    incident.refresh_from_db()
    return incident


@pytest.fixture
def aware_tuesday() -> dt.datetime:
    # Tuesday 2026-11-10, 06:38 in Japan.
    return dt.datetime(2026, 11, 10, 6, 38, tzinfo=JAPAN)
