"""The flowchart as a picture: a standalone SVG with one swimlane per role.

People trained on the guideline's paper flowchart, so the picture keeps its
grammar: one horizontal band per role, phases from left to right, arrows that
run forward. Inside a phase a step sits in the column of its longest path
from the phase's first steps, which makes every arrow inside a phase point
right. Steps that share a lane and a column are stacked and the lane grows.
A step done by several roles is one box across their lanes, as in the
guideline, not one copy per lane that people could tick twice.

Arrows are routed at right angles through the empty gaps between columns and
along a free strip kept at the top of every lane, so no arrow crosses a box.

The output uses presentation attributes and no <style> element, because an
inline <style> would leak into the HTML page that embeds the picture. With no
JavaScript, fonts or images it serves the web page and the printed kit alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from medir.playbook.engine import Status, StepStatus
from medir.playbook.schema import START, Arrow, Condition, Playbook, Step

# --- Geometry (pixels of the viewBox) ------------------------------------

LABEL_WIDTH = 132  # the lane labels on the left
START_MARGIN = 40  # room for the start circle before the first column
BOX_WIDTH = 140
COLUMN_GAP = 44  # arrows run vertically in these gaps
RIGHT_MARGIN = 24
HEADER_HEIGHT = 30  # phase headers
LANE_TOP_PAD = 20  # kept free of boxes: a channel for long arrows
CHANNEL_TRACKS = 3  # parallel arrows a channel carries apart
LANE_BOTTOM_PAD = 12
STACK_GAP = 14  # between boxes stacked in one lane and column
BOX_PAD = 7
FONT_SIZE = 12
LINE_HEIGHT = 15
TAG_FONT_SIZE = 9.5
TITLE_LINES = 3
LEGEND_HEIGHT = 40

FONT_FAMILY = "'Noto Sans CJK JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"
INK = "#1f2328"
ARROW_INK = "#4a5563"
FADED_ARROW_INK = "#c3c8cf"
MARKER = "medir-flowchart-head"
FADED_MARKER = "medir-flowchart-head-faded"

# Japanese line-breaking rules (kinsoku), kept short: these never start a
# line, so they hang at the end of the previous one instead.
NO_LINE_START = set(
    "、。，．,.・：；:;？！?!ー）)」』】〕ぁぃぅぇぉっゃゅょァィゥェォッャュョ"
)


@dataclass(frozen=True)
class Look:
    fill: str
    stroke: str
    stroke_width: float
    dash: str
    text: str


BLANK_LOOK = Look("#ffffff", "#4a5563", 1.2, "", INK)
LOOKS = {
    Status.DONE: Look("#d8f0da", "#2e7d32", 1.5, "", INK),
    Status.SKIPPED: Look("#dde4ee", "#667a93", 1.5, "", INK),
    Status.IN_PROGRESS: Look("#ffe3a3", "#c77800", 2.0, "", INK),
    Status.READY: Look("#e3efff", "#1565e0", 2.5, "", INK),
    Status.WAITING: Look("#ffffff", "#8a919b", 1.2, "", INK),
    Status.NOT_APPLICABLE: Look("#f2f2f2", "#b4b8be", 1.2, "5 3", "#959aa1"),
}
STATUS_LABELS = {
    Status.DONE: ("完了", "Done"),
    Status.SKIPPED: ("スキップ", "Skipped"),
    Status.IN_PROGRESS: ("対応中", "In progress"),
    Status.READY: ("着手可", "Ready"),
    Status.WAITING: ("待機", "Waiting"),
    Status.NOT_APPLICABLE: ("対象外", "Not applicable"),
}
VENDOR_TAG = ("ベンダ支援", "vendor assists")
CONDITIONAL_LABEL = ("条件付きの矢印", "Conditional arrow")


def _say(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language.startswith("en") else pair[0]


# --- Text ----------------------------------------------------------------


def _is_wide(char: str) -> bool:
    # Ambiguous-width characters (…, ○) are full width in Japanese fonts.
    return unicodedata.east_asian_width(char) in "WFA"


def text_width(text: str, font_size: float) -> float:
    """Estimate the rendered width; Latin letters average about 0.56 em."""
    return sum(1.0 if _is_wide(char) else 0.56 for char in text) * font_size


def _tokens(text: str) -> list[str]:
    # Japanese may break between any two characters, so each wide character
    # is a token of its own; Latin words stay whole.
    tokens: list[str] = []
    for char in text:
        joins_word = (
            tokens
            and char != " "
            and not _is_wide(char)
            and tokens[-1] != " "
            and not _is_wide(tokens[-1][-1])
        )
        if joins_word:
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _break_word(word: str, width: float, font_size: float) -> list[str]:
    pieces = [""]
    for char in word:
        if pieces[-1] and text_width(pieces[-1] + char, font_size) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def wrap(text: str, width: float, font_size: float, max_lines: int) -> list[str]:
    """Break ``text`` into lines that fit ``width``; end with … if cut."""
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(text.split())):
        if token == " ":
            line += " " if line else ""
            continue
        fits = text_width(line + token, font_size) <= width
        if fits or not line or token in NO_LINE_START:
            line += token
            continue
        lines.append(line.rstrip())
        line = token
    lines.append(line.rstrip())

    # A single word wider than the box is cut where it overflows.
    lines = [
        piece
        for line in lines
        for piece in (
            _break_word(line, width, font_size)
            if text_width(line, font_size) > width and len(_tokens(line)) == 1
            else [line]
        )
    ]
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and text_width(last + "…", font_size) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + "…"]


def _q(value: str) -> str:
    """Escape text for a double-quoted attribute."""
    return escape(value, {'"': "&quot;", "\n": "&#10;"})


def _n(value: float) -> str:
    """Format a coordinate the same way every time, to one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- Layout --------------------------------------------------------------


def column_x(column: int) -> float:
    return LABEL_WIDTH + START_MARGIN + column * (BOX_WIDTH + COLUMN_GAP)


@dataclass(frozen=True)
class Lane:
    index: int
    label: str
    top: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def channel_y(self) -> float:
        return self.track_y(CHANNEL_TRACKS // 2)

    def track_y(self, track: int) -> float:
        spacing = LANE_TOP_PAD / (CHANNEL_TRACKS + 1)
        return self.top + spacing * (track + 1)


@dataclass(frozen=True)
class Box:
    step: Step
    column: int
    first_lane: int
    last_lane: int
    role_tags: tuple[str, ...]  # set when the roles' lanes are not adjacent
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

    @property
    def center_y(self) -> float:
        return self.y + self.height / 2

    def port_y(self, wanted: float, box_height: float) -> float:
        """Where an arrow meets the side, as close to ``wanted`` as the box
        allows; a box spanning lanes offers its whole height."""
        low = self.y + box_height / 2
        high = self.bottom - box_height / 2
        return min(max(wanted, low), high)


@dataclass(frozen=True)
class PhaseBand:
    number: int
    title: str
    first_column: int
    columns: int


@dataclass(frozen=True)
class Layout:
    lanes: tuple[Lane, ...]
    phases: tuple[PhaseBand, ...]
    boxes: dict[str, Box]
    box_height: float
    width: float
    height: float

    @property
    def lanes_bottom(self) -> float:
        return self.lanes[-1].bottom


def _role_title(playbook: Playbook, key: str, language: str) -> str:
    role = playbook.role(key)
    return role.title_en if language.startswith("en") and role.title_en else role.title


def _lane_span(
    step: Step, lane_of: dict[str, int], playbook: Playbook, language: str
) -> tuple[int, int, tuple[str, ...]]:
    """The lanes a step's box covers, and role tags when it cannot span."""
    lanes = sorted({lane_of[role] for role in step.roles})
    if lanes[-1] - lanes[0] + 1 == len(lanes):
        return lanes[0], lanes[-1], ()
    first = lane_of[step.roles[0]]
    tags = tuple(_role_title(playbook, role, language) for role in step.roles)
    return first, first, tags


def _place_columns(
    playbook: Playbook, spans: dict[str, tuple[int, int, tuple[str, ...]]]
) -> tuple[dict[str, int], dict[int, int]]:
    """Each step's column inside its phase, and each phase's column count.

    A step goes one column right of its latest predecessor in the same
    phase. A box spanning lanes must have those lanes to itself in its
    column, so it (or a step meeting it) moves further right; the steps
    after it follow because they are placed later, in arrow order.
    """
    local: dict[str, int] = {}
    used: dict[tuple[int, int], set[int]] = {}
    spanned: dict[tuple[int, int], set[int]] = {}

    for step in playbook.steps_in_order():
        first, last, _tags = spans[step.id]
        lanes = set(range(first, last + 1))
        column = max(
            (
                local[arrow.source] + 1
                for arrow in playbook.arrows_into(step.id)
                if arrow.source != START
                and playbook.step(arrow.source).phase == step.phase
            ),
            default=0,
        )
        while True:
            key = (step.phase, column)
            clash = lanes & spanned.get(key, set()) or (
                len(lanes) > 1 and lanes & used.get(key, set())
            )
            if not clash:
                break
            column += 1
        local[step.id] = column
        used.setdefault((step.phase, column), set()).update(lanes)
        if len(lanes) > 1:
            spanned.setdefault((step.phase, column), set()).update(lanes)

    widths: dict[int, int] = {}
    for step in playbook.steps:
        widths[step.phase] = max(widths.get(step.phase, 0), local[step.id] + 1)
    return local, widths


def _phase_title(playbook: Playbook, number: int, language: str) -> str:
    phase = next((p for p in playbook.phases if p.number == number), None)
    english = language.startswith("en")
    if phase is None:
        return f"Phase {number}" if english else f"フェーズ{number}"
    title = phase.title_en if english and phase.title_en else phase.title
    return f"{number}. {title}"


def layout_flowchart(playbook: Playbook, language: str = "ja") -> Layout:
    """Place lanes, phases and boxes; the drawing only reads this."""
    lane_of = {role.key: index for index, role in enumerate(playbook.roles)}
    spans = {
        step.id: _lane_span(step, lane_of, playbook, language)
        for step in playbook.steps
    }
    local, widths = _place_columns(playbook, spans)

    phases: list[PhaseBand] = []
    offset = 0
    for number in sorted(widths):
        title = _phase_title(playbook, number, language)
        phases.append(PhaseBand(number, title, offset, widths[number]))
        offset += widths[number]
    first_column = {band.number: band.first_column for band in phases}
    column = {s.id: first_column[s.phase] + local[s.id] for s in playbook.steps}

    # Single-lane boxes stack in arrow order; a lane is as tall as its
    # fullest column.
    slot: dict[str, int] = {}
    filled: dict[tuple[int, int], int] = {}
    for step in playbook.steps_in_order():
        first, last, _tags = spans[step.id]
        if first == last:
            key = (column[step.id], first)
            slot[step.id] = filled.get(key, 0)
            filled[key] = slot[step.id] + 1

    has_tags = any(tags for _first, _last, tags in spans.values())
    box_height = BOX_PAD * 2 + LINE_HEIGHT * (1 + TITLE_LINES + has_tags)
    lanes: list[Lane] = []
    top = float(HEADER_HEIGHT)
    for index, role in enumerate(playbook.roles):
        label = _role_title(playbook, role.key, language)
        stack = max([n for (_c, lane), n in filled.items() if lane == index] or [1])
        label_lines = len(wrap(label, LABEL_WIDTH - 16, FONT_SIZE, 6))
        height = max(
            LANE_TOP_PAD
            + stack * box_height
            + (stack - 1) * STACK_GAP
            + LANE_BOTTOM_PAD,
            label_lines * LINE_HEIGHT + 24,
        )
        lanes.append(Lane(index, label, top, height))
        top += height

    boxes: dict[str, Box] = {}
    for step in playbook.steps:
        first, last, tags = spans[step.id]
        x = column_x(column[step.id])
        if first == last:
            y = (
                lanes[first].top
                + LANE_TOP_PAD
                + slot[step.id] * (box_height + STACK_GAP)
            )
            height = box_height
        else:
            # From the bottom slot of the first lane to the top slot of the
            # last: the box straddles the lane borders without growing as
            # tall as every lane it crosses.
            y = lanes[first].bottom - LANE_BOTTOM_PAD - box_height
            height = lanes[last].top + LANE_TOP_PAD + box_height - y
        boxes[step.id] = Box(
            step, column[step.id], first, last, tags, x, y, BOX_WIDTH, height
        )

    width = column_x(sum(widths.values())) - COLUMN_GAP + RIGHT_MARGIN
    return Layout(
        lanes=tuple(lanes),
        phases=tuple(phases),
        boxes=boxes,
        box_height=box_height,
        width=width,
        height=top + LEGEND_HEIGHT,
    )


# --- Arrow routing -------------------------------------------------------

Points = list[tuple[float, float]]


def _hits_a_box(layout: Layout, y: float, x1: float, x2: float) -> bool:
    left, right = min(x1, x2), max(x1, x2)
    return any(
        box.x < right and box.right > left and box.y - 3 <= y <= box.bottom + 3
        for box in layout.boxes.values()
    )


def _straight_route(layout: Layout, source: Box, target: Box) -> Points | None:
    half = layout.box_height / 2
    low = max(source.y, target.y) + half
    high = min(source.bottom, target.bottom) - half
    if target.column <= source.column or low > high:
        return None
    wishes = [source.center_y, target.center_y, (low + high) / 2]
    for wish in wishes:
        y = min(max(wish, low), high)
        if not _hits_a_box(layout, y, source.right, target.x):
            return [(source.right, y), (target.x, y)]
    return None


class Router:
    """Routes the arrows one after another, remembering which stretches of
    the lane-top channels are taken.

    Each channel has a few parallel tracks. Two arrows share a track only
    when they share an end, so that they read as one line that forks; other
    arrows take the next free track instead of running on top of them.
    """

    def __init__(self, layout: Layout):
        self.layout = layout
        self.taken: dict[tuple[int, int], list[tuple[float, float, str, str]]] = {}

    def route(self, source: Box, target: Box) -> Points:
        """Points of an arrow from the right side of ``source`` to the left
        side of ``target``, through column gaps and lane-top channels."""
        straight = _straight_route(self.layout, source, target)
        if straight:
            return straight

        height = self.layout.box_height
        if target.column == source.column + 1:
            # Neighbouring columns: one bend in the middle of the gap.
            x = source.right + COLUMN_GAP / 2
            y1 = source.port_y(target.center_y, height)
            y2 = target.port_y(y1, height)
            return [(source.right, y1), (x, y1), (x, y2), (target.x, y2)]

        # Leave and enter close to the boxes, so that these vertical runs do
        # not merge with the bends between neighbouring columns.
        x1 = source.right + COLUMN_GAP / 4
        x2 = target.x - COLUMN_GAP / 4
        y = self._channel(source, target, x1, x2)
        y1 = source.port_y(y, height)
        y2 = target.port_y(y, height)
        return [
            (source.right, y1),
            (x1, y1),
            (x1, y),
            (x2, y),
            (x2, y2),
            (target.x, y2),
        ]

    def _channel(self, source: Box, target: Box, x1: float, x2: float) -> float:
        """A free track in the lane-top channel nearest both ends whose run
        is clear of boxes.

        The first lane's channel is always clear, since no box starts above
        it, so it is the last resort.
        """
        lanes = sorted(
            self.layout.lanes,
            key=lambda lane: (
                abs(lane.channel_y - source.center_y)
                + abs(lane.channel_y - target.center_y),
                lane.index,
            ),
        )
        clear = [
            lane
            for lane in lanes
            if not _hits_a_box(self.layout, lane.channel_y, x1, x2)
        ] or [self.layout.lanes[0]]
        ends = {source.step.id, target.step.id}
        left, right = min(x1, x2), max(x1, x2)
        for lane in clear:
            for track in range(CHANNEL_TRACKS):
                runs = self.taken.setdefault((lane.index, track), [])
                crossed = any(
                    a < right and b > left and not ends & {s, t} for a, b, s, t in runs
                )
                if not crossed:
                    runs.append((left, right, source.step.id, target.step.id))
                    return lane.track_y(track)
        return clear[0].track_y(0)


# --- Drawing -------------------------------------------------------------


def _condition_text(
    condition: Condition | None, playbook: Playbook, language: str
) -> str:
    """A condition in the playbook's own words, for the arrow's tooltip."""
    english = language.startswith("en")
    if condition is None:
        return ""
    if condition.any_of or condition.all_of:
        joiner = (
            (" or " if english else " または ")
            if condition.any_of
            else (" and " if english else " かつ ")
        )
        parts = condition.any_of or condition.all_of
        return joiner.join(_condition_text(c, playbook, language) for c in parts)
    if condition.decision:
        decision = playbook.decision_index.get(condition.decision)
        wanted = condition.includes or str(condition.is_)
        if decision is None:
            return f"{condition.decision}: {wanted}"
        label = next(
            (o.label.get(language) for o in decision.outcomes if o.key == wanted),
            wanted,
        )
        return f"{decision.title.get(language)}: {label}"
    fact = next((f for f in playbook.facts if f.key == condition.fact), None)
    name = fact.label.get(language) if fact else condition.fact
    if english:
        return f"{name}: {'yes' if condition.is_ else 'no'}"
    return f"{name}: {'はい' if condition.is_ else 'いいえ'}"


def _status_of(step_id: str, statuses: dict[str, StepStatus] | None):
    if statuses is None or step_id not in statuses:
        return None
    return Status(statuses[step_id].status)


def _path(points: Points) -> str:
    kept = [p for n, p in enumerate(points) if n == 0 or p != points[n - 1]]
    head, *rest = kept
    return f"M{_n(head[0])} {_n(head[1])}" + "".join(
        f" L{_n(x)} {_n(y)}" for x, y in rest
    )


def _draw_arrows(
    layout: Layout,
    playbook: Playbook,
    statuses: dict[str, StepStatus] | None,
    language: str,
) -> list[str]:
    # Several arrows between the same two steps (one per condition) are one
    # line; it is dashed only when every one of them is conditional.
    grouped: dict[tuple[str, str], list[Arrow]] = {}
    for arrow in playbook.arrows:
        grouped.setdefault((arrow.source, arrow.target), []).append(arrow)

    router = Router(layout)
    parts = ['<g class="arrows" fill="none" stroke-width="1.4">']
    for (source_id, target_id), arrows in grouped.items():
        target = layout.boxes[target_id]
        if source_id == START:
            parts.append(_draw_start(layout, target))
            continue
        source = layout.boxes[source_id]
        conditional = all(arrow.when is not None for arrow in arrows)
        faded = Status.NOT_APPLICABLE in {
            _status_of(source_id, statuses),
            _status_of(target_id, statuses),
        }
        ink, marker = (FADED_ARROW_INK, FADED_MARKER) if faded else (ARROW_INK, MARKER)
        dash = ' stroke-dasharray="5 4"' if conditional else ""
        tooltip = " / ".join(
            text
            for text in (
                _condition_text(arrow.when, playbook, language) for arrow in arrows
            )
            if text
        )
        title = f"<title>{escape(tooltip)}</title>" if conditional else ""
        parts.append(
            f'<g class="arrow" data-from="{_q(source_id)}" data-to="{_q(target_id)}">'
            f"{title}"
            f'<path d="{_path(router.route(source, target))}" stroke="{ink}"'
            f'{dash} stroke-linejoin="round" marker-end="url(#{marker})"/></g>'
        )
    parts.append("</g>")
    return parts


def _draw_start(layout: Layout, target: Box) -> str:
    y = target.port_y(target.center_y, layout.box_height)
    x = target.x - 28
    return (
        f'<g class="start" data-to="{_q(target.step.id)}">'
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="6" fill="{ARROW_INK}"/>'
        f'<path d="M{_n(x + 6)} {_n(y)} L{_n(target.x)} {_n(y)}" '
        f'stroke="{ARROW_INK}" marker-end="url(#{MARKER})"/></g>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = FONT_SIZE,
    fill: str = INK,
    extra: str = "",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}"'
        f"{extra}>{escape(text)}</text>"
    )


def _draw_box(
    layout: Layout,
    box: Box,
    playbook: Playbook,
    status: Status | None,
    language: str,
) -> str:
    step = box.step
    look = BLANK_LOOK if status is None else LOOKS[status]
    title = step.title_for(language) or step.title
    lines = wrap(title, BOX_WIDTH - 2 * BOX_PAD, FONT_SIZE, TITLE_LINES)

    classes = "step" if status is None else f"step status-{status.value}"
    data = f' data-step="{_q(step.id)}"'
    if status is not None:
        data += f' data-status="{status.value}"'
    roles = "・".join(_role_title(playbook, role, language) for role in step.roles)
    tooltip = [f"{step.id} {title}", roles]
    if status is not None:
        tooltip.append(_say(STATUS_LABELS[status], language))

    dash = f' stroke-dasharray="{look.dash}"' if look.dash else ""
    parts = [
        f'<g class="{classes}"{data}>',
        f"<title>{escape(chr(10).join(tooltip))}</title>",
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="6" fill="{look.fill}" '
        f'stroke="{look.stroke}" stroke-width="{_n(look.stroke_width)}"{dash}/>',
    ]

    # A box spanning lanes is tall; its text sits in the middle of it.
    top = box.y + (box.height - layout.box_height) / 2 + BOX_PAD
    left = box.x + BOX_PAD
    parts.append(
        _text(left, top + 12, step.id, fill=look.text, extra=' font-weight="bold"')
    )
    if step.vendor_assists:
        parts.append(_draw_tag(box.right - BOX_PAD, top, language, look))
    for number, line in enumerate(lines, start=1):
        y = top + 12 + number * LINE_HEIGHT
        parts.append(_text(left, y, line, fill=look.text))
    if box.role_tags:
        tags = wrap(
            " / ".join(box.role_tags), box.width - 2 * BOX_PAD, TAG_FONT_SIZE, 1
        )
        y = top + 12 + (TITLE_LINES + 1) * LINE_HEIGHT - 2
        parts.append(
            _text(
                left,
                y,
                tags[0],
                size=TAG_FONT_SIZE,
                fill=ARROW_INK,
                extra=' class="role-tags"',
            )
        )
    parts.append("</g>")
    return "".join(parts)


def _draw_tag(right: float, top: float, language: str, look: Look) -> str:
    label = _say(VENDOR_TAG, language)
    width = text_width(label, TAG_FONT_SIZE) + 10
    return (
        f'<g class="vendor-tag"><rect x="{_n(right - width)}" y="{_n(top)}" '
        f'width="{_n(width)}" height="15" rx="7.5" fill="#f1e9fb" '
        f'stroke="#7e57c2" stroke-width="0.8"/>'
        + _text(
            right - width / 2,
            top + 11,
            label,
            size=TAG_FONT_SIZE,
            fill="#4a2a8a",
            extra=' text-anchor="middle"',
        )
        + "</g>"
    )


def _draw_lanes(layout: Layout) -> list[str]:
    parts = ['<g class="lanes">']
    for lane in layout.lanes:
        fill = "#f6f7f9" if lane.index % 2 == 0 else "#ffffff"
        parts.append(
            f'<g class="lane" data-lane="{lane.index}">'
            f'<rect x="0" y="{_n(lane.top)}" width="{_n(layout.width)}" '
            f'height="{_n(lane.height)}" fill="{fill}" stroke="#c9ced6"/>'
            f'<rect x="0" y="{_n(lane.top)}" width="{LABEL_WIDTH}" '
            f'height="{_n(lane.height)}" fill="#e8ecf2" stroke="#c9ced6"/>'
        )
        lines = wrap(lane.label, LABEL_WIDTH - 16, FONT_SIZE, 6)
        first = lane.top + lane.height / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        for number, line in enumerate(lines):
            parts.append(
                _text(
                    LABEL_WIDTH / 2,
                    first + number * LINE_HEIGHT,
                    line,
                    extra=' font-weight="bold" text-anchor="middle"',
                )
            )
        parts.append("</g>")
    parts.append("</g>")
    return parts


def _draw_phases(layout: Layout) -> list[str]:
    parts = ['<g class="phases">']
    for band in layout.phases:
        left = column_x(band.first_column) - COLUMN_GAP / 2
        right = (
            column_x(band.first_column + band.columns - 1) + BOX_WIDTH + COLUMN_GAP / 2
        )
        if band.first_column == 0:
            left = LABEL_WIDTH
        parts.append(
            f'<g class="phase" data-phase="{band.number}">'
            f'<rect x="{_n(left)}" y="0" width="{_n(right - left)}" '
            f'height="{HEADER_HEIGHT}" fill="#2f3b4c" stroke="#ffffff"/>'
            + _text(
                left + 12,
                HEADER_HEIGHT / 2 + 5,
                band.title,
                size=13,
                fill="#ffffff",
                extra=' font-weight="bold"',
            )
        )
        if band.first_column > 0:
            # A faint rule down the lanes shows where the phase begins.
            parts.append(
                f'<line x1="{_n(left)}" y1="{HEADER_HEIGHT}" x2="{_n(left)}" '
                f'y2="{_n(layout.lanes_bottom)}" stroke="#9aa3af" '
                f'stroke-dasharray="2 4"/>'
            )
        parts.append("</g>")
    parts.append("</g>")
    return parts


def _draw_legend(layout: Layout, with_statuses: bool, language: str) -> list[str]:
    y = layout.lanes_bottom + 14
    x = float(LABEL_WIDTH)
    parts = ['<g class="legend">']
    if with_statuses:
        for status, look in LOOKS.items():
            label = _say(STATUS_LABELS[status], language)
            dash = f' stroke-dasharray="{look.dash}"' if look.dash else ""
            parts.append(
                f'<g class="legend-item" data-status="{status.value}">'
                f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="14" rx="3" '
                f'fill="{look.fill}" stroke="{look.stroke}" '
                f'stroke-width="{_n(look.stroke_width)}"{dash}/>'
                + _text(x + 28, y + 11.5, label, size=11)
                + "</g>"
            )
            x += 28 + text_width(label, 11) + 22
    label = _say(CONDITIONAL_LABEL, language)
    parts.append(
        '<g class="legend-item" data-arrow="conditional">'
        f'<path d="M{_n(x)} {_n(y + 7)} L{_n(x + 30)} {_n(y + 7)}" '
        f'stroke="{ARROW_INK}" stroke-width="1.4" stroke-dasharray="5 4" '
        f'marker-end="url(#{MARKER})"/>'
        + _text(x + 36, y + 11.5, label, size=11)
        + "</g>"
    )
    parts.append("</g>")
    return parts


def _markers() -> str:
    return "".join(
        f'<marker id="{marker}" viewBox="0 0 8 8" refX="8" refY="4" '
        f'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
        f'orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="{ink}"/></marker>'
        for marker, ink in ((MARKER, ARROW_INK), (FADED_MARKER, FADED_ARROW_INK))
    )


def render_flowchart_svg(
    playbook: Playbook,
    statuses: dict[str, StepStatus] | None = None,
    *,
    language: str = "ja",
    step_url: Callable[[str], str | None] | None = None,
) -> str:
    """Draw the playbook's flowchart as a standalone SVG document.

    ``statuses`` colours each step by the engine's verdict; without it the
    chart is blank, for the printed kit. With ``step_url`` every box links
    to the page that ``step_url(step_id)`` names, unless it returns None
    (a step the reader may not open). The same arguments always
    give the same string.
    """
    layout = layout_flowchart(playbook, language)
    width, height = _n(layout.width), _n(layout.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" role="img" class="flowchart" '
        f'lang="{"en" if language.startswith("en") else "ja"}">',
        f"<title>{escape(playbook.name)}</title>",
        f"<defs>{_markers()}</defs>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        *_draw_lanes(layout),
        *_draw_phases(layout),
        *_draw_arrows(layout, playbook, statuses, language),
        '<g class="steps">',
    ]
    for step in playbook.steps:
        box = _draw_box(
            layout,
            layout.boxes[step.id],
            playbook,
            _status_of(step.id, statuses),
            language,
        )
        url = step_url(step.id) if step_url is not None else None
        if url is not None:
            box = f'<a href="{_q(url)}">{box}</a>'
        parts.append(box)
    parts.append("</g>")
    parts.extend(_draw_legend(layout, statuses is not None, language))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
