"""The kit's PDF, drawn once for the demo hospital, read back with pypdf."""

import io
import re

import pytest
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from medir.kit.pdf import build_kit, css_string
from medir.organisation.demo import DEPARTMENTS, load_demo_hospital

PUBLIC_URL = "https://medir.hospital.example.jp"
REPORT_URL = PUBLIC_URL + "/report/"

# Also makes pytest-django create the test database the module's kit needs.
pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    """Text without the line breaks a table cell or a line wraps at."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def kit(django_db_setup, django_db_blocker):
    # One kit for the whole module, drawn inside a transaction that is
    # rolled back, so no other test sees the demo hospital.
    with (
        django_db_blocker.unblock(),
        override_settings(PUBLIC_URL=PUBLIC_URL),
        transaction.atomic(),
    ):
        load_demo_hospital()
        drawn = build_kit()
        transaction.set_rollback(True)
    reader = PdfReader(io.BytesIO(drawn.pdf))
    pages = [page.extract_text() for page in reader.pages]
    return drawn, reader, pages


@pytest.fixture(scope="module")
def text(kit):
    return flat("\n".join(kit[2]))


def test_the_sections_come_in_order(text):
    titles = [
        "このキットの使い方",
        "連絡先一覧",
        "連絡網",
        "ネットワーク構成図",
        "対応フローチャート（全体）",
        "役割ごとの手順：経営層",
        "役割ごとの手順：医療情報システム安全管理責任者",
        "役割ごとの手順：医療従事者",
        "役割ごとの手順：外部",
        "LANケーブルを抜く",
        "記入用紙：異常の報告票",
        "記入用紙：手順の記録票",
        "記入用紙：判断記録",
        "記入用紙：時系列記録票",
        "記入用紙：被害状況の調査票",
        "監査ログの先頭",
    ]
    # After the contents list on the cover.
    body = text[text.index("このキットの使い方", text.index("目次") + 30) :]
    positions = [body.index(title) for title in titles]

    assert positions == sorted(positions)


def test_every_page_carries_the_print_date_and_the_data_version(kit):
    drawn, _, pages = kit

    assert len(pages) == drawn.pages > 30
    for number, page in enumerate(pages, start=1):
        page = flat(page)
        assert f"データ版{drawn.data_version}" in page, number
        assert re.search(
            r"印刷令和\d+年\d+月\d+日（20\d\d年\d+月\d+日）\d\d:\d\d", page
        )
        assert f"{number}/{len(pages)}" in page


def test_the_contact_list_starts_with_the_security_manager_and_the_deputy(kit):
    contacts = flat("".join(p for p in kit[2] if "連絡先一覧" in p))
    manager = contacts.index("安全守")
    deputy = contacts.index("代田みのり")
    director = contacts.index("記念一郎")

    assert manager < deputy < director
    assert "0120-000-103" in contacts
    assert "安全守の代理" in contacts


def test_vendors_are_listed_with_their_systems_and_out_of_hours_numbers(text):
    vendor = text[text.index("架空メディカルシステムズ株式会社") :]

    assert "電子カルテシステム" in vendor[:400]
    assert "0120-000-202（24時間障害受付）夜間・休日可" in vendor


def test_authorities_keep_their_source_and_the_to_be_verified_flag(text):
    authorities = text[text.index("所管官庁等", text.index("連絡先一覧")) :]

    assert "https://www.ppc.go.jp/personalinfo/legal/leakAction/" in authorities
    assert "厚生労働省医政局医療情報担当参事官室要確認" in authorities


def test_the_call_tree_prints_who_calls_whom_with_the_numbers(text):
    start = text.index("連絡網上から順に電話します")
    tree = text[start : text.index("ネットワーク構成図", start)]

    # The nurse calls the security manager, who calls the EHR vendor.
    assert tree.index("安全守") < tree.index("架空メディカルシステムズ株式会社")
    assert "前日までの保守作業の有無を確認（2-2）" in tree
    assert "攻撃時のみ" in tree
    assert "0120-000-103" in tree


def test_the_network_diagram_is_drawn_with_its_outside_lines(kit):
    page = flat("".join(p for p in kit[2] if "ネットワーク構成図" in p))

    for label in ("ファイアウォール", "リモート保守VPN装置", "バックアップNAS"):
        assert label in page
    assert "赤の破線はベンダのリモート保守回線" in page


def test_each_role_lists_its_steps_with_checkboxes(text):
    staff = text[text.index("役割ごとの手順：医療従事者") :]

    assert "1-2ケーブル等の切離" in staff
    assert staff.index("1-2ケーブル等の切離") < staff.index("2-9対応(使用停止等)")
    assert "☐" in staff


def test_every_department_has_a_poster_with_the_numbers_and_the_report_url(kit):
    posters = [flat(p) for p in kit[2] if "LANケーブルを抜く" in flat(p)]

    assert len(posters) == len(DEPARTMENTS)
    for (department, _), poster in zip(sorted(DEPARTMENTS), posters, strict=True):
        assert poster.startswith(department)
        assert "電源は切らない" in poster
        assert "0120-000-103" in poster  # the security manager
        assert "0120-000-104" in poster  # the deputy
        assert REPORT_URL in poster


def test_the_posters_carry_a_qr_code_drawn_as_vectors(kit):
    _, reader, pages = kit
    poster = next(i for i, p in enumerate(pages) if "LANケーブルを抜く" in flat(p))
    content = reader.pages[poster].get_contents().get_data()

    # segno's SVG is drawn as filled paths, not embedded as an image.
    assert content.count(b" re") + content.count(b" l") > 20


def test_the_damage_form_has_the_items_of_step_2_10(text):
    form = text[text.index("被害状況の調査票（手順2-10") :]

    for label in (
        "発見日時",
        "異常の発生箇所と診療への影響",
        "今後の被害拡大の可能性",
        "攻撃元（判明している場合）",
        "攻撃手法（判明している場合）",
        "被害発生の原因",
        "講じる対応策",
    ):
        assert label in form


def test_the_audit_chain_head_at_printing_is_on_the_last_page(kit):
    drawn, _, pages = kit
    last = flat(pages[-1])

    assert drawn.chain_head_id > 0
    assert f"#{drawn.chain_head_id}" in last
    assert drawn.chain_head_digest in last


def _fonts(resources, seen):
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        embedded = any(
            key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        seen.add((str(font["/BaseFont"]), embedded))
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            _fonts(xobject["/Resources"].get_object(), seen)


def test_every_font_is_embedded_and_japanese_is_in_noto_sans_cjk(kit):
    fonts: set[tuple[str, bool]] = set()
    for page in kit[1].pages:
        _fonts(page["/Resources"].get_object(), fonts)

    assert fonts
    assert all(embedded for _, embedded in fonts), fonts
    assert any("Noto-Sans-CJK-JP" in name for name, _ in fonts)


def test_a_hospital_name_cannot_end_the_kits_style_sheet():
    quoted = css_string('X</style><h1 class="x">INJECTED</h1>\\')

    assert "<" not in quoted and ">" not in quoted
    assert quoted.startswith('"X\\3c /style\\3e \\3c h1 class=\\"x\\"')
