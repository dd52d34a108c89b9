"""Authority reports: drafts filled from the incident, numbered versions
that freeze once sent, and the PDF, DOCX and XLSX files made from them.

Most tests start from the Osaka 2022 replay moved to the last few days,
with the personal-data facts a hospital would record after it.
"""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from docx import Document as WordDocument
from openpyxl import load_workbook
from pypdf import PdfReader

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.authority.models import ReportVersion, SentVia
from medir.authority.reports import outputs
from medir.authority.reports.kinds import (
    ReportKindError,
    all_kinds,
    is_known_source,
    parse_kinds,
)
from medir.authority.reports.prefill import prefill
from medir.authority.reports.services import (
    edit_report,
    mark_report_sent,
    record_notice_batch,
)
from medir.authority.reports_queries import latest_sent_at, sent_versions
from medir.authority.services import record_personal_data_facts
from medir.incidents.models import EventKind, Incident
from medir.incidents.services import IncidentError
from medir.lib.dates import JAPAN, wareki
from medir.organisation.models import Hospital
from medir.playbook.schema import get_playbook

PPC_ITEMS = (
    "概要",
    "漏えい等が発生し又はおそれがある個人データの項目",
    "本人の数",
    "原因",
    "二次被害又はそのおそれの有無及びその内容",
    "本人への対応の実施状況",
    "公表の実施状況",
    "再発防止のための措置",
    "その他参考となる事項",
)
WAREKI = re.compile(r"令和(元|\d+)年\d+月\d+日（\d{4}年\d+月\d+日）")


def replay_osaka(days_ago: int = 3) -> Incident:
    """The Osaka replay starting a few days ago, as a hospital would run a
    drill, with the personal-data facts recorded afterwards."""
    start = timezone.now().astimezone(JAPAN) - dt.timedelta(days=days_ago)
    call_command("replay", "osaka-2022", "--start", start.strftime("%Y-%m-%dT%H:%M"))
    incident = Incident.objects.get(scenario="osaka-2022")
    record_personal_data_facts(
        incident,
        actor=None,
        leaked="possibly",
        damaged="yes",
        sensitive="yes",
        wrongful_purpose="yes",
        people_count=112000,
        people_count_kind="estimated",
        data_items="氏名、生年月日、病名、診療記録",
    )
    return incident


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def hospital(db):
    return Hospital.objects.create(
        name="架空府立総合病院",
        address="大阪府架空市中央1-2-3",
        operator_type="local_incorporated",
    )


@pytest.fixture
def osaka(hospital, manager, director):
    return replay_osaka()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """PDF text without the line breaks a table cell wraps at."""
    return re.sub(r"\s+", "", text)


# --- Report kinds as data -------------------------------------------------


def test_every_step_record_a_report_reads_exists_in_the_playbook():
    playbook = get_playbook()
    missing = []
    for kind in all_kinds():
        for field in kind.fields:
            for source in field.prefill:
                match = re.match(r"^step:([0-9-]+)\.(\w+)$", source)
                if not match:
                    continue
                step = playbook.step_index.get(match.group(1))
                keys = {record.key for record in step.records} if step else set()
                if match.group(2) not in keys:
                    missing.append(f"{kind.key}.{field.key}: {source}")

    assert missing == []


def test_the_ppc_reports_carry_the_nine_items_of_rule_8():
    for key in ("ppc_preliminary", "ppc_final"):
        kind = next(k for k in all_kinds() if k.key == key)
        items = {field.item: field.label.ja for field in kind.fields if field.item}

        assert [items[n] for n in range(1, 10)] == list(PPC_ITEMS)


def test_the_notice_to_individuals_carries_items_1_2_4_5_and_9():
    kind = next(k for k in all_kinds() if k.key == "notice_to_individuals")
    labels = {field.label.ja for field in kind.fields}

    for number in (1, 2, 4, 5, 9):
        assert PPC_ITEMS[number - 1] in labels
    for number in (3, 6, 7, 8):
        assert PPC_ITEMS[number - 1] not in labels


def test_a_kinds_file_with_mistakes_names_every_problem():
    raw = {
        "kinds": [
            {
                "key": "bad",
                "title": {"ja": "悪い例", "en": "Bad"},
                "addressee": {"ja": "宛先", "lost or damaged": None},
                "fields": [
                    {"key": "a", "label": {"ja": "項目"}, "type": "colour"},
                    {
                        "key": "b",
                        "label": {"ja": "項目"},
                        "type": "text",
                        "prefill": ["step:2-10", "sent:nothing"],
                    },
                ],
            }
        ]
    }

    with pytest.raises(ReportKindError) as error:
        parse_kinds(raw)

    problems = "\n".join(error.value.problems)
    assert "type must be one of" in problems
    assert "unknown prefill source 'step:2-10'" in problems
    assert "sent:nothing names no kind" in problems
    assert "unexpected" in problems


def test_prefill_sources_are_checked_by_name():
    assert is_known_source("step:2-10.found_at")
    assert is_known_source("facts.people")
    assert not is_known_source("facts.names_of_patients")


# --- 和暦 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 3), "令和8年12月3日（2026年12月3日）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（2019年5月1日）"),
        (dt.date(2019, 4, 30), "平成31年4月30日（2019年4月30日）"),
        (dt.date(1989, 1, 8), "平成元年1月8日（1989年1月8日）"),
        (dt.date(1989, 1, 7), "昭和64年1月7日（1989年1月7日）"),
    ],
)
def test_wareki_writes_the_era_year_then_the_western_date(day, expected):
    assert wareki(day) == expected


# --- Prefill --------------------------------------------------------------


def test_prefill_fills_the_damage_report_from_the_records_of_2_10(osaka):
    fields = prefill("damage_status", osaka)

    found_at = osaka.steps.get(step_id="2-10").records["found_at"]
    assert fields["found_at"] == dt.datetime.fromisoformat(found_at).isoformat()
    assert "電子カルテ" in fields["location_and_care_impact"]
    assert fields["attacker"].startswith("不明")
    assert "ランサムウェア" in fields["method"]
    assert fields["cause"] == "調査中"
    assert "ネットワークの遮断" in fields["countermeasures"]
    assert "約112,000人（推計）" in fields["personal_data"]


def test_prefill_takes_the_personal_data_facts_into_the_ppc_report(osaka):
    fields = prefill("ppc_preliminary", osaka)

    assert fields["people"] == "約112,000人（推計）"
    assert "氏名、生年月日、病名、診療記録" in fields["data_items"]
    assert "要配慮個人情報" in fields["data_items"]
    assert "3号（不正の目的によるおそれ）" in fields["other"]
    assert fields["aware_at"] == osaka.aware_at.astimezone(JAPAN).isoformat()
    assert "架空府立総合病院" in fields["reporter"]
    assert "公表する" in fields["publication"]
    assert "VPN" in fields["cause"]
    # Folded YAML leaves no stray spaces inside Japanese sentences.
    assert "、 " not in fields["prevention"]


def test_prefill_names_the_contacts_and_the_timeline(osaka, manager):
    fields = prefill("mhlw", osaka)

    assert "情報システム責任者B" in fields["contact"]
    assert "病院長C" in fields["contact"]
    assert WAREKI.search(fields["timeline"])
    assert "2-12 方針指示" in fields["timeline"]
    assert "厚生労働省へ報告" in fields["other_reports"]


def test_prefill_reads_the_ransom_signs_into_the_common_form(osaka):
    fields = prefill("ransomware_common_form", osaka)

    assert fields["damage_type"] == ["encryption", "ransom_demand"]
    assert "脅迫文" in fields["ransom_note"]
    assert "encrypted_extension" not in fields


def test_the_police_memo_says_the_network_diagram_is_brought_separately(osaka):
    fields = prefill("police", osaka)

    assert "システム構成図は別途" in fields["network_diagram"]
    assert fields["police_station"] == "大阪府警察"


def test_prefill_writes_nothing(osaka):
    events = osaka.events.count()
    records = AuditRecord.objects.count()

    for kind in all_kinds():
        prefill(kind, osaka)

    assert osaka.events.count() == events
    assert AuditRecord.objects.count() == records
    assert ReportVersion.objects.count() == 0


# --- Versions -------------------------------------------------------------


def test_the_first_save_starts_version_1_from_the_incident(osaka, director):
    version = edit_report(
        osaka,
        kind="ppc_preliminary",
        fields={"secondary_damage": "現時点で二次被害は確認されていない。"},
        actor=director,
    )

    assert version.number == 1
    assert version.fields["people"] == "約112,000人（推計）"
    assert version.fields["secondary_damage"] == "現時点で二次被害は確認されていない。"
    event = osaka.events.get(kind=EventKind.REPORT_SAVED)
    assert event.step_id == "4-3"
    assert event.actor_role == "management"
    assert event.text == "個人情報保護委員会への報告（速報） 第1報"


def test_editing_an_unsent_version_updates_it_and_audits_field_names_only(
    osaka, director
):
    edit_report(osaka, kind="mhlw", fields={}, actor=director)

    version = edit_report(
        osaka,
        kind="mhlw",
        fields={"summary": "患者Aの秘密の記載", "support": "request"},
        actor=director,
        number=1,
    )

    assert version.number == 1
    assert ReportVersion.objects.count() == 1
    record = AuditRecord.objects.filter(action="report.edited").get()
    assert record.after["changed"] == ["summary", "support"]
    assert "患者A" not in str(record.before) + str(record.after)
    assert len(record.after["content_sha256"]) == 64
    assert verify_audit_chain().ok


def test_an_edit_that_changes_nothing_is_refused(osaka, director):
    edit_report(osaka, kind="police", fields={}, actor=director)

    with pytest.raises(IncidentError, match="Nothing changed"):
        edit_report(osaka, kind="police", fields={}, actor=director)


def test_a_sent_version_refuses_edits_and_the_next_edit_creates_the_second_report(
    osaka, director
):
    first = edit_report(osaka, kind="ppc_preliminary", fields={}, actor=director)
    sent_at = timezone.now() - dt.timedelta(hours=1)
    mark_report_sent(
        first, actor=director, sent_at=sent_at, sent_via=SentVia.ONLINE_FORM
    )

    with pytest.raises(IncidentError, match="第1報 was recorded as sent"):
        edit_report(
            osaka,
            kind="ppc_preliminary",
            fields={"people": "約120,000人（推計）"},
            actor=director,
            number=1,
        )
    first.refresh_from_db()
    assert first.fields["people"] == "約112,000人（推計）"

    second = edit_report(
        osaka,
        kind="ppc_preliminary",
        fields={"people": "約120,000人（推計）"},
        actor=director,
    )
    assert second.number == 2
    assert second.fields["people"] == "約120,000人（推計）"
    assert second.fields["cause"] == first.fields["cause"]
    assert not second.is_sent
    assert latest_sent_at(osaka, "ppc_preliminary") == sent_at
    assert [v.number for v in sent_versions(osaka, "ppc_preliminary")] == [1]


def test_marking_sent_twice_is_refused(osaka, director):
    version = edit_report(osaka, kind="mhlw", fields={}, actor=director)
    mark_report_sent(
        version, actor=director, sent_at=timezone.now(), sent_via=SentVia.PHONE
    )

    with pytest.raises(IncidentError, match="already been recorded as sent"):
        mark_report_sent(
            version, actor=director, sent_at=timezone.now(), sent_via=SentVia.FAX
        )


def test_marking_sent_writes_the_timeline_and_an_audit_record_without_the_note(
    osaka, director
):
    version = edit_report(osaka, kind="police", fields={}, actor=director)
    sent_at = timezone.now() - dt.timedelta(minutes=30)

    mark_report_sent(
        version,
        actor=director,
        sent_at=sent_at,
        sent_via=SentVia.IN_PERSON,
        sent_note="生活安全課の担当者に手渡し",
    )

    event = osaka.events.get(kind=EventKind.REPORT_SENT)
    assert event.happened_at == sent_at
    assert event.data == {"kind": "police", "number": 1, "sent_via": "in_person"}
    record = AuditRecord.objects.get(action="report.marked_sent")
    assert record.after["has_note"] is True
    assert "手渡し" not in str(record.after)


def test_marking_sent_in_the_future_or_without_a_method_is_refused(osaka, director):
    version = edit_report(osaka, kind="mhlw", fields={}, actor=director)

    with pytest.raises(IncidentError, match="future"):
        mark_report_sent(
            version,
            actor=director,
            sent_at=timezone.now() + dt.timedelta(days=1),
            sent_via=SentVia.EMAIL,
        )
    with pytest.raises(IncidentError, match="how the report was sent"):
        mark_report_sent(
            version, actor=director, sent_at=timezone.now(), sent_via="pigeon"
        )
    version.refresh_from_db()
    assert not version.is_sent


def test_values_that_do_not_fit_a_field_are_refused_and_change_nothing(osaka, director):
    with pytest.raises(IncidentError, match="not a field"):
        edit_report(osaka, kind="mhlw", fields={"patients": "x"}, actor=director)
    with pytest.raises(IncidentError, match="not a choice"):
        edit_report(osaka, kind="mhlw", fields={"support": "maybe"}, actor=director)
    with pytest.raises(IncidentError, match="whole number"):
        edit_report(osaka, kind="recovery_plan", fields={"cost": "-5"}, actor=director)
    with pytest.raises(IncidentError, match="date and time"):
        edit_report(osaka, kind="mhlw", fields={"found_at": "昨日"}, actor=director)

    assert ReportVersion.objects.count() == 0
    assert not osaka.events.filter(kind=EventKind.REPORT_SAVED).exists()


def test_notice_batches_are_counted_into_the_ppc_final_report(osaka, director):
    today = timezone.localdate()
    record_notice_batch(
        osaka, actor=director, sent_on=today, method=SentVia.POST, count=100_000
    )
    record_notice_batch(
        osaka, actor=director, sent_on=today, method=SentVia.EMAIL, count=12_000
    )

    fields = prefill("ppc_final", osaka)

    assert "郵送で100,000人に通知した" in fields["response_to_individuals"]
    assert "合計112,000人に通知済み" in fields["response_to_individuals"]
    assert osaka.events.filter(kind=EventKind.NOTICES_SENT).count() == 2


def test_a_notice_batch_of_no_one_is_refused(osaka, director):
    with pytest.raises(IncidentError, match="1 or more"):
        record_notice_batch(
            osaka,
            actor=director,
            sent_on=timezone.localdate(),
            method=SentVia.POST,
            count=0,
        )


def test_the_final_report_starts_from_when_the_preliminary_one_was_sent(
    osaka, director
):
    preliminary = edit_report(osaka, kind="ppc_preliminary", fields={}, actor=director)
    sent_at = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1)
    mark_report_sent(
        preliminary, actor=director, sent_at=sent_at, sent_via=SentVia.ONLINE_FORM
    )

    fields = prefill("ppc_final", osaka)

    assert fields["preliminary_sent_at"] == sent_at.astimezone(JAPAN).isoformat()
    assert "第1報" in fields["other"]


# --- Outputs --------------------------------------------------------------


@pytest.fixture
def every_report(osaka, director):
    return {
        kind.key: edit_report(osaka, kind=kind.key, fields={}, actor=director)
        for kind in all_kinds()
    }


def test_every_report_kind_is_generated_as_pdf_and_docx_with_its_fields(
    every_report,
):
    for key, version in every_report.items():
        kind = next(k for k in all_kinds() if k.key == key)
        text = flat(pdf_text(outputs.render(version, "pdf")))
        word = WordDocument(io.BytesIO(outputs.render(version, "docx")))
        word_text = flat(
            "\n".join(p.text for p in word.paragraphs)
            + "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
        )

        heading = version.fields.get(kind.heading_field) or kind.title.ja
        assert flat(heading) in text, key
        assert WAREKI.search(text), key
        assert WAREKI.search(word_text), key
        assert "再生データ（訓練用）" in text, key
        for field in kind.fields:
            if field.show_label and field.key != kind.heading_field:
                assert flat(field.label.ja) in text, (key, field.key)
                assert flat(field.label.ja) in word_text, (key, field.key)


def test_the_ppc_preliminary_pdf_carries_the_nine_items_and_a_wareki_date(
    every_report,
):
    text = flat(pdf_text(outputs.render(every_report["ppc_preliminary"], "pdf")))

    for number, item in enumerate(PPC_ITEMS, start=1):
        assert f"{number}.{flat(item)}" in text
    assert "約112,000人（推計）" in text
    assert re.search(r"令和\d+年\d+月\d+日（20\d\d年\d+月\d+日）\d+時\d\d分", text)


def test_the_pdf_embeds_the_japanese_font(every_report):
    reader = PdfReader(io.BytesIO(outputs.render(every_report["mhlw"], "pdf")))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts.add((str(font["/BaseFont"]), embedded))

    assert any("Noto-Sans-CJK-JP" in name and embedded for name, embedded in fonts)


def test_the_prefecture_copy_is_the_same_report_addressed_to_the_prefecture(
    every_report,
):
    version = every_report["ppc_final"]
    text = flat(pdf_text(outputs.render(version, "pdf", "prefecture")))

    assert "個人情報保護委員会への報告（確報）（写）" in text
    assert "所轄の都道府県・地方公共団体" in text
    assert "約112,000人（推計）" in text


def test_the_notice_letter_prints_no_report_number(every_report):
    text = flat(pdf_text(outputs.render(every_report["notice_to_individuals"], "pdf")))

    assert "ご本人様" in text
    assert "第1報" not in text
    assert "深くお詫び申し上げます" in text


def test_the_ransomware_form_is_a_workbook_with_the_common_items(every_report):
    version = every_report["ransomware_common_form"]
    book = load_workbook(io.BytesIO(outputs.render(version, "xlsx")))
    sheet = book.active
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}

    assert sheet.title == "共通様式"
    for label in (
        "発生日時",
        "発見日時",
        "現在の状況",
        "業務への影響",
        "被害拡大防止の措置",
        "被害の類型",
        "脅迫文の内容（画面の写しの有無を含む）",
        "暗号化されたファイルの拡張子",
        "侵入経路",
        "痕跡情報（ハッシュ値、C2の通信先、使用されたツールなど）",
        "担当者・連絡先",
    ):
        assert label in values
    assert values["被害の類型"] == "ファイル等の暗号化、金銭の要求"
    assert WAREKI.search(values["発見日時"])


def test_spreadsheet_formulas_typed_into_a_report_stay_text(osaka, director):
    version = edit_report(
        osaka,
        kind="ransomware_common_form",
        fields={
            "indicators": '=HYPERLINK("http://example.invalid/x","click")',
            "attacker": "+cmd|' /C calc'!A0",
            "encrypted_extension": "@SUM(1+1)",
            "ransom_note": "-2+3",
        },
        actor=director,
    )

    sheet = load_workbook(io.BytesIO(outputs.render(version, "xlsx"))).active
    cells = {row[0].value: row[1] for row in sheet.iter_rows()}

    for label in ("痕跡情報", "攻撃者", "暗号化されたファイル", "脅迫文"):
        cell = next(c for key, c in cells.items() if key and key.startswith(label))
        assert cell.data_type == "s"
        assert cell.value.startswith("'")
    assert not any(
        c.data_type == "f" for row in sheet.iter_rows() for c in row if c.value
    )


def test_download_names_are_japanese_with_an_ascii_fallback(every_report):
    version = every_report["ppc_preliminary"]

    japanese, ascii_name = outputs.file_names(version, "pdf")
    header = outputs.content_disposition(japanese, ascii_name)

    number = version.draft.incident.number
    assert japanese == f"{number}_個人情報保護委員会への報告（速報）_第1報.pdf"
    assert ascii_name == f"medir-{number}-ppc_preliminary-v1.pdf"
    assert header.startswith(f'attachment; filename="{ascii_name}"; ')
    assert "filename*=UTF-8''" in header
    assert "%E5%80%8B%E4%BA%BA" in header  # 個人
