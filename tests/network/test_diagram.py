"""The diagram drawn for the demo hospital, now and as it was, escaped."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from medir.network import services
from medir.network.diagram import render_network_svg
from medir.organisation.demo import load_demo_hospital


@pytest.fixture
def demo(db):
    load_demo_hospital()


def _texts(svg: str) -> str:
    """What the picture says: its text, and the full names in the tooltips
    of boxes whose labels are wrapped."""
    root = ET.fromstring(svg)
    return " ".join(
        element.text or ""
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in ("text", "title")
    )


def test_the_demo_hospital_is_drawn_with_its_segments_and_lines(demo):
    svg = render_network_svg()

    texts = _texts(svg)
    for label in (
        "境界・DMZ",
        "電子カルテ系",
        "事務系",
        "バックアップ系",
        "ファイアウォール",
        "リモート保守VPN装置",
        "給食委託VPN装置",
        "インターネット（光回線）",
        "架空県地域医療連携ネットワーク",
        "リモート保守回線",
    ):
        assert label in texts, label
    assert "PACS保守用ルータ（旧）" not in texts
    assert "font-family=\"'Noto Sans CJK JP'" in svg
    # Three remote-maintenance lines now, drawn dashed red.
    assert svg.count('data-kind="remote"') == 3
    assert svg.count('data-kind="external"') == 2


def test_as_of_two_months_ago_the_old_router_is_there_and_the_vpn_is_not(demo):
    svg = render_network_svg(as_of=timezone.now() - datetime.timedelta(days=60))

    texts = _texts(svg)
    assert "PACS保守用ルータ（旧）" in texts
    assert "架空イメージング 保守回線" in texts
    assert "リモート保守VPN装置" not in texts
    assert "時点" in texts


def test_before_anything_was_recorded_the_diagram_says_so(demo):
    svg = render_network_svg(as_of=timezone.now() - datetime.timedelta(days=400))

    assert "ネットワーク構成はまだ登録されていません。" in _texts(svg)


def test_the_diagram_reads_in_english(demo):
    texts = _texts(render_network_svg(language="en"))

    assert "Network configuration diagram" in texts
    assert "Remote-maintenance line" in texts


def test_a_hostile_name_is_escaped(db):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    segment = services.add_segment(actor=None, name=hostile, purpose="other")
    asset = services.add_asset(actor=None, kind="server", name=hostile, segment=segment)
    services.add_external_connection(
        actor=None, asset=asset, kind="internet", party=hostile + "&"
    )

    svg = render_network_svg()

    assert "<script" not in svg
    assert "<img" not in svg
    ET.fromstring(svg)  # still well-formed XML
    assert "&lt;script&gt;" in svg


def test_the_same_network_draws_the_same_picture(demo):
    assert render_network_svg() == render_network_svg()
