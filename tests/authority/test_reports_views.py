"""The report pages: list, draft, record as sent, downloads; only
management and the security manager may use them."""

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from medir.audit.models import AuditRecord
from medir.authority.models import ReportCopySent, ReportVersion, SentVia
from medir.authority.reports.services import edit_report, mark_report_sent
from medir.authority.reports_queries import latest_sent_at
from medir.authority.services import record_personal_data_facts
from medir.incidents.models import EventKind, Incident
from medir.organisation.models import Hospital
from tests.authority.test_reports import replay_osaka
from tests.incidents.web import make_outsider


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def browse(client_for):
    """A logged-in client that reads the pages in English."""

    def make(user):
        client = client_for(user)
        client.cookies["django_language"] = "en"
        return client

    return make


@pytest.fixture
def osaka(db, manager, director):
    Hospital.objects.create(name="架空府立総合病院", operator_type="local_incorporated")
    return replay_osaka()


@pytest.fixture
def sent_at():
    # A few minutes ago in Japan time, as the form's datetime-local sends it.
    moment = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=9)))
    return (moment - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")


def reports_url(incident, rest=""):
    return f"/incidents/{incident.number}/authority/reports/{rest}"


def form_data(client, url):
    """The values a browser would post back from the page's report form."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, ""):
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(value, "strftime"):
            data[name] = value.strftime(
                "%Y-%m-%dT%H:%M" if hasattr(value, "hour") else "%Y-%m-%d"
            )
        else:
            data[name] = str(value)
    return data


def test_the_reports_list_shows_every_kind_and_which_are_sent(osaka, director, browse):
    version = edit_report(osaka, kind="mhlw", fields={}, actor=director)
    mark_report_sent(
        version, actor=director, sent_at=timezone.now(), sent_via=SentVia.PHONE
    )
    edit_report(osaka, kind="police", fields={}, actor=director)

    response = browse(director).get(reports_url(osaka))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-kind="ppc_preliminary"' in page
    assert 'data-kind="ransomware_common_form"' in page
    assert 'data-version="1" data-sent="yes"' in page
    assert 'data-version="1" data-sent="no"' in page
    assert "It never sends them" in page


def test_the_draft_page_is_filled_from_the_incident(osaka, manager, browse):
    response = browse(manager).get(reports_url(osaka, "ppc_preliminary/"))

    assert response.status_code == 200
    assert response.context["form"]["people"].value() == "約112,000人（推計）"
    assert response.context["version_name"] == "第1報"
    assert ReportVersion.objects.count() == 0


def test_filling_again_pulls_in_new_records_but_keeps_what_people_wrote(
    osaka, director, browse
):
    edit_report(
        osaka,
        kind="mhlw",
        fields={"summary": "院長が書いた概要", "support": "request"},
        actor=director,
    )
    step = osaka.steps.get(step_id="2-10")
    step.records = {**step.records, "cause": "VPN装置の脆弱性"}
    step.save()
    client = browse(director)

    kept = client.get(reports_url(osaka, "mhlw/")).context["form"]
    refilled = client.get(reports_url(osaka, "mhlw/?refill=1")).context["form"]

    assert "VPN装置の脆弱性" not in kept["cause_and_method"].value()
    assert "VPN装置の脆弱性" in refilled["cause_and_method"].value()
    assert refilled["support"].value() == "request"
    assert ReportVersion.objects.get().fields["summary"] == "院長が書いた概要"


def test_saving_the_draft_creates_version_1_and_shows_it(osaka, director, browse):
    client = browse(director)
    data = form_data(client, reports_url(osaka, "ppc_preliminary/"))
    data["secondary_damage"] = "現時点で二次被害は確認されていない。"

    response = client.post(reports_url(osaka, "ppc_preliminary/"), data)

    assert response.status_code == 302
    assert response["Location"] == reports_url(osaka, "ppc_preliminary/v1/")
    version = ReportVersion.objects.get()
    assert version.fields["secondary_damage"] == "現時点で二次被害は確認されていない。"
    assert version.fields["people"] == "約112,000人（推計）"
    assert (
        version.fields["aware_at"]
        == osaka.aware_at.astimezone(dt.timezone(dt.timedelta(hours=9)))
        .replace(second=0, microsecond=0)
        .isoformat()
    )
    page = client.get(response["Location"]).content.decode()
    assert "現時点で二次被害は確認されていない。" in page


def test_marking_sent_freezes_the_version_and_the_next_edit_is_the_second_report(
    osaka, director, browse, sent_at
):
    client = browse(director)
    client.post(
        reports_url(osaka, "ppc_preliminary/"),
        form_data(client, reports_url(osaka, "ppc_preliminary/")),
    )

    response = client.post(
        reports_url(osaka, "ppc_preliminary/v1/sent/"),
        {"sent_at": sent_at, "sent_via": "online_form", "sent_note": "受付番号 123"},
    )

    assert response.status_code == 302
    assert response["Location"] == reports_url(osaka)
    assert latest_sent_at(osaka, "ppc_preliminary") is not None
    edit_page = client.get(reports_url(osaka, "ppc_preliminary/"))
    assert edit_page.context["version_name"] == "第2報"
    stale = form_data(client, reports_url(osaka, "ppc_preliminary/"))
    stale["version_number"] = "1"
    stale["people"] = "約120,000人（推計）"
    refused = client.post(reports_url(osaka, "ppc_preliminary/"), stale)
    assert refused.status_code == 400
    assert "第1報 was recorded as sent" in refused.content.decode()
    assert ReportVersion.objects.get().fields["people"] == "約112,000人（推計）"

    stale["version_number"] = "2"
    client.post(reports_url(osaka, "ppc_preliminary/"), stale)
    numbers = list(ReportVersion.objects.values_list("number", flat=True))
    assert numbers == [1, 2]


def test_a_bad_sending_record_is_refused_with_the_form_shown_again(
    osaka, director, browse
):
    version = edit_report(osaka, kind="mhlw", fields={}, actor=director)

    response = browse(director).post(
        reports_url(osaka, "mhlw/v1/sent/"),
        {"sent_at": "2099-01-01T10:00", "sent_via": "fax"},
    )

    assert response.status_code == 400
    assert "future" in response.content.decode()
    version.refresh_from_db()
    assert not version.is_sent


def test_the_prefecture_copy_is_recorded_apart_and_answers_its_clock(
    osaka, director, browse, sent_at
):
    edit_report(osaka, kind="ppc_preliminary", fields={}, actor=director)

    response = browse(director).post(
        reports_url(osaka, "ppc_preliminary/v1/sent/prefecture/"),
        {"prefecture-sent_at": sent_at, "prefecture-sent_via": "email"},
    )

    assert response.status_code == 302
    copy = ReportCopySent.objects.get()
    assert copy.variant == "prefecture"
    assert latest_sent_at(osaka, "prefecture") == copy.sent_at
    assert latest_sent_at(osaka, "ppc_preliminary") is None
    # Content that reached the prefecture is frozen like a sent report.
    version = edit_report(osaka, kind="ppc_preliminary", fields={}, actor=director)
    assert version.number == 2


def test_downloads_are_attachments_with_a_japanese_file_name(osaka, director, browse):
    edit_report(osaka, kind="ransomware_common_form", fields={}, actor=director)
    client = browse(director)

    pdf = client.get(reports_url(osaka, "ransomware_common_form/v1.pdf"))
    docx = client.get(reports_url(osaka, "ransomware_common_form/v1.docx"))
    xlsx = client.get(reports_url(osaka, "ransomware_common_form/v1.xlsx"))

    assert pdf.status_code == docx.status_code == xlsx.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Cache-Control"] == "no-store"
    disposition = pdf["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == (
        f"{osaka.number}_ランサムウェア事案共通様式（記載事項）_第1報.pdf"
    )
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 1
    assert load_workbook(io.BytesIO(xlsx.content)).active.title == "共通様式"
    assert AuditRecord.objects.filter(action="report.exported").count() == 3


def test_a_format_the_report_does_not_have_is_not_found(osaka, director, browse):
    edit_report(osaka, kind="mhlw", fields={}, actor=director)
    client = browse(director)

    assert client.get(reports_url(osaka, "mhlw/v1.xlsx")).status_code == 404
    assert client.get(reports_url(osaka, "mhlw/v2.pdf")).status_code == 404
    assert client.get(reports_url(osaka, "mhlw/v1-nowhere.pdf")).status_code == 404
    assert client.get(reports_url(osaka, "no_such_report/")).status_code == 404


def test_the_prefecture_copy_downloads_as_its_own_file(osaka, director, browse):
    edit_report(osaka, kind="ppc_final", fields={}, actor=director)

    response = browse(director).get(reports_url(osaka, "ppc_final/v1-prefecture.pdf"))

    assert response.status_code == 200
    assert "prefecture" in response["Content-Disposition"]


def test_recording_a_notice_batch_from_the_letter_page(osaka, director, browse):
    edit_report(osaka, kind="notice_to_individuals", fields={}, actor=director)
    client = browse(director)

    response = client.post(
        reports_url(osaka, "notice_to_individuals/batches/"),
        {
            "sent_on": timezone.localdate().isoformat(),
            "method": "post",
            "count": "1200",
        },
    )

    assert response.status_code == 302
    assert osaka.notice_batches.get().count == 1200
    assert osaka.events.filter(kind=EventKind.NOTICES_SENT).count() == 1


@pytest.mark.parametrize("who", ["nurse", "vendor", "admin", "outsider"])
def test_other_roles_get_403_and_nothing_changes(
    osaka, director, browse, request, who, sent_at
):
    version = edit_report(osaka, kind="ppc_preliminary", fields={}, actor=director)
    user = make_outsider() if who == "outsider" else request.getfixturevalue(who)
    client = browse(user)
    events = osaka.events.count()
    audits = AuditRecord.objects.count()

    responses = [
        client.get(reports_url(osaka)),
        client.get(reports_url(osaka, "ppc_preliminary/")),
        client.post(reports_url(osaka, "ppc_preliminary/"), {"version_number": "1"}),
        client.get(reports_url(osaka, "ppc_preliminary/v1/")),
        client.post(
            reports_url(osaka, "ppc_preliminary/v1/sent/"),
            {"sent_at": sent_at, "sent_via": "fax"},
        ),
        client.post(
            reports_url(osaka, "ppc_preliminary/v1/sent/prefecture/"),
            {"prefecture-sent_at": sent_at, "prefecture-sent_via": "fax"},
        ),
        client.get(reports_url(osaka, "ppc_preliminary/v1.pdf")),
        client.post(
            reports_url(osaka, "notice_to_individuals/batches/"),
            {"sent_on": "2026-12-01", "method": "post", "count": "5"},
        ),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    version.refresh_from_db()
    assert not version.is_frozen
    assert osaka.events.count() == events
    assert AuditRecord.objects.count() == audits


def test_signed_out_visitors_are_sent_to_log_in(osaka, client):
    response = client.get(reports_url(osaka))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_osaka_attack_at_its_real_date_owed_the_ppc_nothing_yet(
    manager, director, client_for
):
    # The Osaka hospital is run by a 地方独立行政法人, and October 2022 was
    # before the PPC rules reached such hospitals (2023-04-01).
    Hospital.objects.create(name="架空府立総合病院", operator_type="local_incorporated")
    call_command("replay", "osaka-2022")
    incident = Incident.objects.get(scenario="osaka-2022")
    record_personal_data_facts(
        incident,
        actor=None,
        leaked="possibly",
        damaged="yes",
        sensitive="yes",
        wrongful_purpose="yes",
        people_count_kind="unknown",
    )

    with translation.override("ja"):
        url = f"/incidents/{incident.number}/authority/facts/"
        text = client_for(manager).get(url).content.decode()

    assert "この状況では報告義務はありません" in text
    assert "2022-10-31 の時点では、地方公共団体・地方独立行政法人" in text
    assert "各団体の条例が適用されていました" in text
    assert "個人情報保護委員会への速報" not in text
