"""The flowchart picture: lanes, boxes, arrows, statuses and links."""

from __future__ import annotations

import itertools
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from medir.playbook.diagram import render_flowchart_svg, wrap
from medir.playbook.engine import Recorded, Status, StepStatus, evaluate
from medir.playbook.schema import Playbook, load_playbook_file, parse_playbook

SVG = "{http://www.w3.org/2000/svg}"
MHLW = Path(__file__).parents[2] / "src" / "medir" / "playbook" / "mhlw.yaml"

# A slice of the real flowchart in the real lane order, plus one step (2-7)
# whose roles are not adjacent lanes, as a hospital's own edit might make.
YAML = """
name: テスト手順書
version: "1"
roles:
  - {key: management, title: 経営層, title_en: Management}
  - {key: security_manager, title: 医療情報システム安全管理責任者,
     title_en: Security manager}
  - {key: external, title: 外部, title_en: Outside parties}
  - {key: staff, title: 医療従事者・一般のシステム利用者, title_en: Staff}
phases:
  - {number: 1, title: 検知, title_en: Detection}
  - {number: 2, title: 初動対応, title_en: Initial response}
facts:
  - {key: infection_signs, ja: 感染の兆候, en: Signs of infection}
decisions:
  - id: attack_signs
    step: "2-1"
    title: {ja: 攻撃の兆候, en: Signs of an attack}
    outcomes:
      - {key: present, ja: あり, en: Present}
      - {key: absent, ja: なし, en: Absent}
steps:
  - {id: "1-1", title: "STEP_1_1", title_en: Detecting the anomaly,
     roles: [security_manager, staff, external], guidance: 検知}
  - {id: "1-2", title: ケーブル等の切離, title_en: Disconnecting cables,
     roles: [staff], guidance: 切離}
  - {id: "1-3", title: 医療情報システム安全管理責任者へ連絡,
     title_en: Reporting to the security manager,
     roles: [staff, external], guidance: 連絡}
  - {id: "1-4", title: 医療情報システム安全管理責任者による確認,
     title_en: Confirmation by the security manager,
     roles: [security_manager], guidance: 確認}
  - {id: "2-1", title: 原因調査, title_en: Investigating the cause,
     roles: [security_manager, external], guidance: 調査}
  - {id: "2-2", title: 医療情報システムのベンダ及びサービス事業者等へ確認,
     title_en: Checking with vendors and service providers,
     roles: [security_manager], guidance: 確認}
  - {id: "2-3", title: ネットワーク機器やケーブル等の調査,
     title_en: Checking network devices and cables,
     roles: [security_manager], guidance: 調査}
  - {id: "2-6", title: 被害拡大防止, title_en: Stopping the damage from spreading,
     roles: [security_manager], vendor_assists: true, guidance: 防止}
  - {id: "2-7", title: 報告と周知, title_en: Reporting and notifying,
     roles: [management, staff], guidance: 周知}
arrows:
  - {from: start, to: "1-1"}
  - {from: "1-1", to: "1-2", when: {fact: infection_signs, is: true}}
  - {from: "1-1", to: "1-3", when: {fact: infection_signs, is: false}}
  - {from: "1-2", to: "1-3"}
  - {from: "1-3", to: "1-4"}
  - {from: "1-4", to: "2-1"}
  - {from: "2-1", to: ["2-2", "2-3"]}
  - {from: "2-1", to: "2-6", when: {decision: attack_signs, is: present}}
  - {from: "2-6", to: "2-7"}
"""


def make_playbook_with_an_arrow_back() -> Playbook:
    """A hospital's edit: 2-6 leads back to a new step in phase 1, which
    leads on to a phase the file does not declare."""
    extra = """
  - {id: "1-5", phase: 1, title: 追加の確認, title_en: Extra check,
     roles: [staff], guidance: 追加}
  - {id: "5-1", phase: 5, title: 振り返り, title_en: Looking back,
     roles: [management], guidance: 振り返り}
arrows:
  - {from: "2-6", to: "1-5"}
  - {from: "1-5", to: "5-1"}"""
    return parse_playbook(YAML.replace("STEP_1_1", "検知").replace("\narrows:", extra))


def make_playbook(title_1_1: str = "異常等の検知") -> Playbook:
    escaped = title_1_1.replace("\\", "\\\\").replace('"', '\\"')
    return parse_playbook(YAML.replace("STEP_1_1", escaped))


@pytest.fixture
def playbook() -> Playbook:
    return make_playbook()


@pytest.fixture
def mhlw() -> Playbook:
    if not MHLW.exists():
        pytest.skip("mhlw.yaml is not written yet")
    return load_playbook_file(MHLW)


# --- Reading the picture back ----------------------------------------------


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def rect_of(element: ET.Element) -> Rect:
    rect = element.find(f"{SVG}rect")
    assert rect is not None
    return Rect(*(float(rect.get(name)) for name in ("x", "y", "width", "height")))


def step_groups(root: ET.Element) -> dict[str, ET.Element]:
    groups = [g for g in root.iter(f"{SVG}g") if g.get("data-step")]
    found = {g.get("data-step"): g for g in groups}
    assert len(found) == len(groups), "a step is drawn more than once"
    return found


def boxes(root: ET.Element) -> dict[str, Rect]:
    return {step: rect_of(g) for step, g in step_groups(root).items()}


def lanes(root: ET.Element) -> list[Rect]:
    return [rect_of(g) for g in root.iter(f"{SVG}g") if g.get("class") == "lane"]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def arrow_paths(root: ET.Element) -> dict[tuple[str, str], list[tuple[float, ...]]]:
    result = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "arrow":
            numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", _d(group))]
            points = list(zip(numbers[::2], numbers[1::2], strict=True))
            result[group.get("data-from"), group.get("data-to")] = points
    return result


def _d(group: ET.Element) -> str:
    path = group.find(f"{SVG}path")
    assert path is not None
    return path.get("d", "")


def statuses_for(playbook: Playbook, **recorded: Recorded) -> dict[str, StepStatus]:
    return evaluate(
        playbook,
        recorded={key.replace("_", "-"): value for key, value in recorded.items()},
        decisions={"attack_signs": "present"},
        facts={"infection_signs": False},
    )


# --- The document ----------------------------------------------------------


def test_the_picture_is_a_standalone_svg_that_scales(playbook):
    svg = render_flowchart_svg(playbook)
    root = parse(svg)

    assert root.tag == f"{SVG}svg"
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0
    assert "Noto Sans CJK JP" in root.get("font-family")


def test_the_picture_has_no_scripts_styles_or_outside_resources(playbook):
    svg = render_flowchart_svg(playbook, statuses_for(playbook))
    root = parse(svg)

    tags = {element.tag for element in root.iter()}
    assert not tags & {f"{SVG}script", f"{SVG}style", f"{SVG}image"}
    attributes = {name for element in root.iter() for name in element.attrib}
    assert not [name for name in attributes if name.startswith("on")]
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_the_same_input_gives_the_same_string(playbook):
    statuses = statuses_for(playbook, **{"1_1": Recorded.DONE})

    first = render_flowchart_svg(playbook, statuses, language="en")
    second = render_flowchart_svg(make_playbook(), statuses, language="en")

    assert first == second


def test_forty_steps_render_in_under_fifty_milliseconds():
    playbook = parse_playbook(_big_yaml(phases=4, per_phase=10))
    assert len(playbook.steps) == 40

    render_flowchart_svg(playbook)
    started = time.perf_counter()
    for _ in range(5):
        render_flowchart_svg(playbook, language="en", step_url=str)
    assert (time.perf_counter() - started) / 5 < 0.05


def _big_yaml(phases: int, per_phase: int) -> str:
    roles = ["management", "security_manager", "external", "staff"]
    lines = ["name: big", "roles:"]
    lines += [f"  - {{key: {r}, title: {r}, title_en: {r}}}" for r in roles]
    lines.append("steps:")
    ids = [f"{p}-{n}" for p in range(1, phases + 1) for n in range(1, per_phase + 1)]
    for number, step_id in enumerate(ids):
        lane = roles[number % 4]
        lines.append(
            f'  - {{id: "{step_id}", title: 手順{step_id}の長い名前の作業, '
            f"title_en: Step {step_id}, roles: [{lane}], guidance: g}}"
        )
    lines += ["arrows:", f'  - {{from: start, to: "{ids[0]}"}}']
    for number, step_id in enumerate(ids[1:], start=1):
        source = ids[number - 1] if number % 3 else ids[max(0, number - 3)]
        lines.append(f'  - {{from: "{source}", to: "{step_id}"}}')
    return "\n".join(lines)


# --- Lanes and columns -----------------------------------------------------


def test_lanes_are_bands_in_role_order_labelled_on_the_left(playbook):
    root = parse(render_flowchart_svg(playbook))

    bands = lanes(root)
    labels = [
        "".join(texts(g)) for g in root.iter(f"{SVG}g") if g.get("class") == "lane"
    ]
    assert labels == [
        "経営層",
        "医療情報システム安全管理責任者",
        "外部",
        "医療従事者・一般のシステム利用者",
    ]
    assert [band.y for band in bands] == sorted(band.y for band in bands)
    for upper, lower in itertools.pairwise(bands):
        assert upper.bottom == lower.y


def test_english_labels_the_lanes_phases_and_steps_in_english(playbook):
    root = parse(render_flowchart_svg(playbook, language="en"))

    every_text = " ".join(texts(root))
    assert "Security manager" in every_text
    assert "1. Detection" in every_text
    assert "Investigating the" in every_text
    assert "原因調査" not in every_text


def test_phase_headers_run_left_to_right(playbook):
    root = parse(render_flowchart_svg(playbook))

    phases = [g for g in root.iter(f"{SVG}g") if g.get("class") == "phase"]
    assert [texts(g) for g in phases] == [["1. 検知"], ["2. 初動対応"]]
    assert rect_of(phases[0]).right <= rect_of(phases[1]).x


def test_arrows_point_right_and_steps_sit_in_their_phase(playbook, mhlw):
    for book in (playbook, mhlw):
        root = parse(render_flowchart_svg(book))
        found = boxes(root)
        phases = {
            int(g.get("data-phase")): rect_of(g)
            for g in root.iter(f"{SVG}g")
            if g.get("class") == "phase"
        }
        for arrow in book.arrows:
            if arrow.source != "start":
                assert found[arrow.source].right < found[arrow.target].x, arrow
        for step in book.steps:
            band, box = phases[step.phase], found[step.id]
            assert band.x <= box.x and box.right <= band.right, step.id


def test_steps_in_one_lane_and_column_are_stacked_and_the_lane_grows(playbook):
    root = parse(render_flowchart_svg(playbook))
    found = boxes(root)

    assert found["2-2"].x == found["2-3"].x == found["2-6"].x
    assert found["2-2"].bottom < found["2-3"].y < found["2-3"].bottom < found["2-6"].y
    security_manager = lanes(root)[1]
    assert security_manager.y < found["2-2"].y
    assert found["2-6"].bottom < security_manager.bottom


def test_no_boxes_overlap(playbook, mhlw):
    for book in (playbook, mhlw):
        found = boxes(parse(render_flowchart_svg(book, language="en")))
        for first, a in found.items():
            for second, b in found.items():
                assert first == second or not a.overlaps(b), (first, second)


def test_every_step_is_drawn_once_in_the_lanes_of_its_roles(mhlw):
    root = parse(render_flowchart_svg(mhlw))
    found = boxes(root)
    bands = dict(zip([role.key for role in mhlw.roles], lanes(root), strict=True))

    assert set(found) == {step.id for step in mhlw.steps}
    for step in mhlw.steps:
        for role in step.roles:
            assert found[step.id].overlaps(bands[role]), (step.id, role)
        others = set(bands) - set(step.roles)
        assert not any(found[step.id].overlaps(bands[r]) for r in others), step.id


def test_a_step_in_three_lanes_is_drawn_once_spanning_them(playbook):
    root = parse(render_flowchart_svg(playbook))
    box = boxes(root)["1-1"]
    management, security_manager, external, staff = lanes(root)

    assert box.y < security_manager.bottom
    assert box.y > security_manager.y
    assert external.y > box.y and external.bottom < box.bottom
    assert staff.y < box.bottom < staff.bottom
    assert not box.overlaps(management)


def test_a_step_whose_lanes_are_not_adjacent_sits_in_its_first_lane_with_role_tags(
    playbook,
):
    root = parse(render_flowchart_svg(playbook))
    group = step_groups(root)["2-7"]
    box = rect_of(group)
    management = lanes(root)[0]

    assert management.y < box.y and box.bottom < management.bottom
    tags = [t for t in group.iter(f"{SVG}text") if t.get("class") == "role-tags"]
    assert len(tags) == 1
    assert tags[0].text.startswith("経営層 / 医療従事者")
    assert "経営層・医療従事者・一般のシステム利用者" in group.find(f"{SVG}title").text


def test_vendor_assisted_steps_carry_a_tag(playbook):
    for language, label in (("ja", "ベンダ支援"), ("en", "vendor assists")):
        groups = step_groups(parse(render_flowchart_svg(playbook, language=language)))
        tagged = {
            step
            for step, group in groups.items()
            for g in group.iter(f"{SVG}g")
            if g.get("class") == "vendor-tag"
        }
        assert tagged == {"2-6"}
        assert label in texts(groups["2-6"])


# --- Text ------------------------------------------------------------------


def test_long_titles_wrap_to_three_lines_with_an_ellipsis_and_a_full_tooltip():
    title = "医療情報システムのベンダ及びサービス事業者等の委託業者への再発防止策の指示"
    group = step_groups(parse(render_flowchart_svg(make_playbook(title))))["1-1"]

    lines = texts(group)[1:]
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert "".join(lines).rstrip("…") == title[: len("".join(lines)) - 1]
    assert title in group.find(f"{SVG}title").text


def test_titles_are_escaped():
    title = '<script>alert("x")</script> & 検知'
    svg = render_flowchart_svg(make_playbook(title), language="ja")
    root = parse(svg)

    assert "<script>" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert title in step_groups(root)["1-1"].find(f"{SVG}title").text


def test_japanese_wraps_by_character_and_english_by_word():
    assert wrap("医療情報システム安全管理責任者", 60, 12, 5) == [
        "医療情報シ",
        "ステム安全",
        "管理責任者",
    ]
    assert wrap("Checking with vendors", 100, 10, 5) == [
        "Checking with",
        "vendors",
    ]


def test_japanese_punctuation_never_starts_a_line():
    lines = wrap("報告と周知、使用停止。", 60, 12, 5)

    assert lines == ["報告と周知、", "使用停止。"]


# --- Statuses --------------------------------------------------------------


def test_status_classes_follow_the_engine(playbook):
    statuses = statuses_for(
        playbook,
        **{"1_1": Recorded.DONE, "1_3": Recorded.DONE, "1_4": Recorded.IN_PROGRESS},
    )
    groups = step_groups(parse(render_flowchart_svg(playbook, statuses)))

    for step_id, status in statuses.items():
        group = groups[step_id]
        assert group.get("data-status") == status.status.value
        assert group.get("class") == f"step status-{status.status.value}"
    assert groups["1-2"].get("data-status") == "not_applicable"
    assert groups["1-4"].get("data-status") == "in_progress"
    assert groups["2-1"].get("data-status") == "waiting"


def test_every_status_has_its_own_look(playbook):
    ids = [step.id for step in playbook.steps]
    looks = {}
    for status in Status:
        statuses = {i: StepStatus(i, status) for i in ids}
        group = step_groups(parse(render_flowchart_svg(playbook, statuses)))["1-1"]
        rect = group.find(f"{SVG}rect")
        looks[status] = (rect.get("fill"), rect.get("stroke"))

    assert len(set(looks.values())) == len(Status)
    assert looks[Status.WAITING][0] == "#ffffff"


def test_steps_that_do_not_apply_are_dashed_and_faded(playbook):
    statuses = statuses_for(playbook, **{"1_1": Recorded.DONE})
    group = step_groups(parse(render_flowchart_svg(playbook, statuses)))["1-2"]

    assert group.find(f"{SVG}rect").get("stroke-dasharray")
    assert group.find(f"{SVG}text").get("fill") != "#1f2328"


def test_a_blank_chart_has_white_boxes_and_no_statuses(playbook):
    root = parse(render_flowchart_svg(playbook))

    for group in step_groups(root).values():
        assert group.get("class") == "step"
        assert group.get("data-status") is None
        assert group.find(f"{SVG}rect").get("fill") == "#ffffff"
    legend = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend-item"]
    assert not [g for g in legend if g.get("data-status")]


def test_the_legend_names_every_status_in_the_chosen_language(playbook):
    statuses = statuses_for(playbook)
    expected = {
        "ja": ["完了", "スキップ", "対応中", "着手可", "待機", "対象外"],
        "en": ["Done", "Skipped", "In progress", "Ready", "Waiting", "Not applicable"],
    }
    for language, labels in expected.items():
        root = parse(render_flowchart_svg(playbook, statuses, language=language))
        legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
        items = [g for g in legend if g.get("data-status")]
        assert [texts(g)[0] for g in items] == labels
        assert [g.get("data-status") for g in items] == [s.value for s in Status]


# --- Arrows ----------------------------------------------------------------


def test_conditional_arrows_are_dashed_and_explain_their_condition(playbook):
    root = parse(render_flowchart_svg(playbook))
    groups = {
        (g.get("data-from"), g.get("data-to")): g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "arrow"
    }

    conditional = groups["2-1", "2-6"]
    assert conditional.find(f"{SVG}path").get("stroke-dasharray")
    assert conditional.find(f"{SVG}title").text == "攻撃の兆候: あり"
    plain = groups["2-1", "2-2"]
    assert plain.find(f"{SVG}path").get("stroke-dasharray") is None
    assert plain.find(f"{SVG}path").get("marker-end")


def test_arrows_run_from_the_right_edge_of_one_box_to_the_left_of_the_next(
    playbook,
):
    root = parse(render_flowchart_svg(playbook))
    found = boxes(root)

    paths = arrow_paths(root)
    assert set(paths) == {
        (a.source, a.target) for a in playbook.arrows if a.source != "start"
    }
    for (source, target), points in paths.items():
        (x1, y1), (x2, y2) = points[0], points[-1]
        assert x1 == found[source].right and found[source].y < y1
        assert y1 < found[source].bottom
        assert x2 == found[target].x
        assert found[target].y < y2 < found[target].bottom


def test_arrows_do_not_cross_boxes(playbook, mhlw):
    for book in (playbook, mhlw, make_playbook_with_an_arrow_back()):
        root = parse(render_flowchart_svg(book))
        found = boxes(root)
        for ends, points in arrow_paths(root).items():
            for (x1, y1), (x2, y2) in itertools.pairwise(points):
                segment = Rect(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
                for step, box in found.items():
                    inside = Rect(box.x + 1, box.y + 1, box.width - 2, box.height - 2)
                    assert not _touches(segment, inside), (ends, step)


def _touches(segment: Rect, box: Rect) -> bool:
    return (
        segment.x <= box.right
        and box.x <= segment.right
        and segment.y <= box.bottom
        and box.y <= segment.bottom
    )


def test_the_start_is_a_small_circle_before_the_first_step(playbook):
    root = parse(render_flowchart_svg(playbook))
    start = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "start")
    circle = start.find(f"{SVG}circle")
    box = boxes(root)["1-1"]

    assert start.get("data-to") == "1-1"
    assert float(circle.get("cx")) < box.x
    assert box.y < float(circle.get("cy")) < box.bottom


def test_an_arrow_back_into_an_earlier_phase_is_routed_around_the_boxes():
    book = make_playbook_with_an_arrow_back()
    root = parse(render_flowchart_svg(book, language="en"))
    found = boxes(root)

    points = arrow_paths(root)["2-6", "1-5"]
    assert points[0][0] == found["2-6"].right
    assert points[-1][0] == found["1-5"].x
    assert found["1-5"].right < found["2-6"].x
    assert "5. Phase 5" not in texts(root) and "Phase 5" in texts(root)


# --- Links -----------------------------------------------------------------


def test_links_wrap_boxes_when_a_url_function_is_given(playbook):
    svg = render_flowchart_svg(
        playbook, step_url=lambda step_id: f"/incidents/7/steps/{step_id}/?a=1&b=2"
    )
    root = parse(svg)

    links = list(root.iter(f"{SVG}a"))
    assert len(links) == len(playbook.steps)
    for link in links:
        group = link.find(f"{SVG}g")
        assert (
            link.get("href") == f"/incidents/7/steps/{group.get('data-step')}/?a=1&b=2"
        )
    assert "&amp;b=2" in svg


def test_boxes_are_not_links_without_a_url_function(playbook):
    root = parse(render_flowchart_svg(playbook))

    assert not list(root.iter(f"{SVG}a"))


# --- The real playbook -----------------------------------------------------


def test_the_mhlw_playbook_draws_every_multi_role_step_as_one_spanning_box(mhlw):
    root = parse(render_flowchart_svg(mhlw))
    groups = step_groups(root)

    assert not [
        step
        for step, group in groups.items()
        for t in group.iter(f"{SVG}text")
        if t.get("class") == "role-tags"
    ]
    tagged = {
        step
        for step, group in groups.items()
        for g in group.iter(f"{SVG}g")
        if g.get("class") == "vendor-tag"
    }
    assert tagged == {step.id for step in mhlw.steps if step.vendor_assists}


def test_the_mhlw_playbook_renders_with_statuses_in_both_languages(mhlw):
    statuses = evaluate(
        mhlw,
        recorded={"1-1": Recorded.DONE, "1-3": Recorded.DONE, "1-4": Recorded.DONE},
        decisions={"confirmation": "confirmed"},
        facts={"infection_signs": False},
    )
    for language in ("ja", "en"):
        root = parse(render_flowchart_svg(mhlw, statuses, language=language))
        groups = step_groups(root)
        assert groups["2-1"].get("data-status") == "ready"
        assert groups["1-2"].get("data-status") == "not_applicable"
