"""The network configuration diagram (0-2) as a standalone SVG.

The picture is read from the top, from the outside in: the outside parties
(the internet, vendors, the regional network) in the first band, then one
band per segment, perimeter first, with each segment's assets inside it.
igraph's Sugiyama layout orders the boxes in every band so that few lines
cross, and gives the bends of the lines that pass through bands between
their ends. Lines inside a segment run along tracks under its boxes.

Lines to the outside are thick and red, remote-maintenance lines dashed
red, and VPN and remote-access devices are boxed in red: those were the
ways in at Osaka and Tokushima, and they are what step 2-6 cuts.

Like the flowchart it uses presentation attributes only (no <style>, no
scripts, no fonts), so the web page and the printed kit embed it alike,
and every name is escaped.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import igraph
from django.utils import timezone

from medir.network.models import AssetKind, ExternalKind
from medir.network.selectors import NetworkState, network_as_of
from medir.playbook.diagram import ARROW_INK, FONT_FAMILY, INK, text_width, wrap

# --- Geometry (pixels of the viewBox) ------------------------------------

LABEL_WIDTH = 150  # the band labels on the left
MARGIN = 24
TITLE_HEIGHT = 40
BOX_WIDTH = 150
BOX_HEIGHT = 54
BOX_GAP = 26  # at least between neighbours in a band
WAYPOINT_WIDTH = 14  # the room a passing line takes in a band
IDEAL_UNIT = 70  # pixels per unit of igraph's horizontal position
BAND_PAD = 16  # above and below the boxes in a band
TRACK_GAP = 7  # between the tracks of the lines inside a band
BAND_GAP = 30  # between bands: the lines between bands bend here
FONT_SIZE = 12
SMALL = 9.5
LINE_HEIGHT = 14
LEGEND_HEIGHT = 64

RED = "#c62828"
OUTSIDE_FILL = "#fdecea"


@dataclass(frozen=True)
class Look:
    fill: str
    stroke: str
    width: float


LOOKS = {
    AssetKind.SERVER: Look("#e3efff", "#1565e0", 1.3),
    AssetKind.CLIENT: Look("#ffffff", "#4a5563", 1.2),
    AssetKind.NETWORK_DEVICE: Look("#e8ecf2", "#2f3b4c", 1.3),
    AssetKind.MEDICAL_DEVICE: Look("#f1e9fb", "#7e57c2", 1.3),
    AssetKind.REMOTE_ACCESS: Look("#ffe9e6", RED, 2.4),
    AssetKind.BACKUP_STORAGE: Look("#d8f0da", "#2e7d32", 1.5),
    AssetKind.OTHER: Look("#ffffff", "#8a919b", 1.2),
}

WORDS = {
    "title": ("ネットワーク構成図", "Network configuration diagram"),
    "now": ("現在", "now"),
    "as_of": ("時点", "as of"),
    "outside": ("院外", "Outside"),
    "no_segment": ("セグメント未設定", "No segment"),
    "empty": (
        "ネットワーク構成はまだ登録されていません。",
        "No network configuration is recorded yet.",
    ),
    "internal": ("院内の接続", "Connection inside the hospital"),
    "external": ("外部接続", "External connection"),
    "remote": ("リモート保守回線", "Remote-maintenance line"),
}
KIND_WORDS = {
    AssetKind.SERVER: ("サーバ", "Server"),
    AssetKind.CLIENT: ("端末", "Client PC"),
    AssetKind.NETWORK_DEVICE: ("ネットワーク機器", "Network device"),
    AssetKind.MEDICAL_DEVICE: ("医療機器", "Medical device"),
    AssetKind.REMOTE_ACCESS: ("VPN・リモート接続", "VPN / remote access"),
    AssetKind.BACKUP_STORAGE: ("バックアップ装置", "Backup storage"),
    AssetKind.OTHER: ("その他", "Other"),
}
PURPOSE_WORDS = {
    "dmz": ("境界・DMZ", "Perimeter / DMZ"),
    "ehr": ("電子カルテ系", "EHR network"),
    "medical_devices": ("医療機器系", "Medical devices"),
    "office": ("事務系", "Office network"),
    "backup": ("バックアップ", "Backup"),
    "other": ("その他", "Other"),
}
EXTERNAL_WORDS = {
    ExternalKind.INTERNET: ("インターネット", "Internet"),
    ExternalKind.VENDOR_REMOTE: ("ベンダのリモート保守", "Vendor remote maintenance"),
    ExternalKind.REGIONAL: ("地域医療連携", "Regional network"),
    ExternalKind.OTHER: ("その他の外部接続", "Other outside line"),
}


def _say(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language.startswith("en") else pair[0]


def _q(value: str) -> str:
    """Escape text for a double-quoted attribute."""
    return escape(value, {'"': "&quot;", "\n": "&#10;"})


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, text: str, *, size=FONT_SIZE, fill=INK, extra=""):
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}"'
        f"{extra}>{escape(text)}</text>"
    )


# --- Layout --------------------------------------------------------------


@dataclass
class Node:
    """A box: an asset, or an outside party (band 0)."""

    key: str
    band: int
    label: str
    tag: str  # the small line above the label
    look: Look
    is_party: bool = False
    x: float = 0.0
    y: float = 0.0

    @property
    def center_x(self) -> float:
        return self.x + BOX_WIDTH / 2

    @property
    def bottom(self) -> float:
        return self.y + BOX_HEIGHT


@dataclass
class Band:
    index: int
    title: str
    subtitle: str
    top: float = 0.0
    height: float = 0.0
    tracks: int = 0

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class Line:
    source: str
    target: str
    kind: str  # internal | external | remote
    label: str
    bends: list[tuple[float, float]] = field(default_factory=list)
    track: int = -1  # for a line inside one band


@dataclass
class Layout:
    bands: list[Band]
    nodes: dict[str, Node]
    lines: list[Line]
    width: float
    height: float


def _bands_and_nodes(state: NetworkState, language: str):
    english = language.startswith("en")
    bands = [Band(0, _say(WORDS["outside"], language), "")]
    band_of_segment = {}
    for segment in state.segments:
        title = segment.name_en if english and segment.name_en else segment.name
        subtitle = _say(PURPOSE_WORDS[segment.purpose], language)
        band_of_segment[segment.segment_id] = len(bands)
        bands.append(Band(len(bands), title, "" if subtitle == title else subtitle))
    if state.unsegmented():
        bands.append(Band(len(bands), _say(WORDS["no_segment"], language), ""))

    nodes: dict[str, Node] = {}
    for asset in state.assets:
        band = band_of_segment.get(asset.segment_id or 0, len(bands) - 1)
        nodes[f"a{asset.asset_id}"] = Node(
            f"a{asset.asset_id}",
            band,
            asset.name,
            _say(KIND_WORDS[asset.kind], language),
            LOOKS[asset.kind],
        )
    lines: list[Line] = []
    for external in state.externals:
        party = f"p{external.party}"
        if party not in nodes:
            nodes[party] = Node(
                party,
                0,
                external.party,
                _say(EXTERNAL_WORDS[external.kind], language),
                Look(OUTSIDE_FILL, RED, 1.6),
                is_party=True,
            )
        kind = "remote" if external.is_remote_maintenance else "external"
        lines.append(Line(f"a{external.asset_id}", party, kind, ""))
    for connection in state.connections:
        lines.append(
            Line(
                f"a{connection.source_id}",
                f"a{connection.target_id}",
                "internal",
                connection.label,
            )
        )
    return bands, nodes, lines


def _tracks(lines: list[Line], nodes: dict[str, Node], bands: list[Band]) -> None:
    """Give each line inside a band a track under the boxes. Lines that share
    a box may share a track (a switch and its servers read as one bus);
    others share one only where their runs do not overlap."""
    taken: dict[tuple[int, int], list[tuple[float, float, set[str]]]] = {}
    inside = [
        line for line in lines if nodes[line.source].band == nodes[line.target].band
    ]
    inside.sort(key=lambda line: -abs(nodes[line.source].x - nodes[line.target].x))
    for line in inside:
        band = nodes[line.source].band
        left, right = sorted((nodes[line.source].x, nodes[line.target].x))
        ends = {line.source, line.target}
        track = 0
        while True:
            runs = taken.setdefault((band, track), [])
            clash = any(
                a < right + 1 and b > left - 1 and not ends & boxes
                for a, b, boxes in runs
            )
            if not clash:
                runs.append((left, right, ends))
                break
            track += 1
        line.track = track
        bands[band].tracks = max(bands[band].tracks, track + 1)


def layout_network(state: NetworkState, language: str = "ja") -> Layout:
    """Place bands, boxes and the bends of the lines; drawing only reads it.

    1. Every line that spans bands gets a waypoint in each band it crosses,
       and each waypoint is a vertex of its own, so igraph orders boxes and
       waypoints together and no line passes through a box.
    2. igraph's Sugiyama layout orders each band to keep crossings few.
    3. Boxes and waypoints are placed left to right in that order, near
       igraph's position but never overlapping; a waypoint is narrow.
    4. Lines inside a band get tracks under the boxes.
    """
    bands, nodes, lines = _bands_and_nodes(state, language)
    keys: list[str] = list(nodes)
    layer = [nodes[key].band for key in keys]
    edges: list[tuple[int, int]] = []
    waypoints: dict[int, list[int]] = {}  # line number: its waypoint vertices
    for number, line in enumerate(lines):
        source, target = nodes[line.source], nodes[line.target]
        if source.band == target.band:
            continue
        chain = [keys.index(line.source)]
        step = 1 if source.band < target.band else -1
        for band in range(source.band + step, target.band, step):
            keys.append(f"w{number}-{band}")
            layer.append(band)
            chain.append(len(keys) - 1)
        chain.append(keys.index(line.target))
        waypoints[number] = chain[1:-1]
        for upper, lower in itertools.pairwise(chain):
            # igraph wants every edge pointing down the layers.
            edges.append((upper, lower) if step == 1 else (lower, upper))

    graph = igraph.Graph(n=len(keys), edges=edges, directed=True)
    placed = graph.layout_sugiyama(layers=layer, hgap=1, maxiter=200)
    ideal = [point[0] for point in placed]

    left_of: dict[int, float] = {}
    for band in bands:
        members = sorted(
            (vertex for vertex in range(len(keys)) if layer[vertex] == band.index),
            key=lambda vertex: (ideal[vertex], vertex),
        )
        cursor = float(LABEL_WIDTH + MARGIN)
        for vertex in members:
            width = BOX_WIDTH if vertex < len(nodes) else WAYPOINT_WIDTH
            x = max(cursor, LABEL_WIDTH + MARGIN + ideal[vertex] * IDEAL_UNIT)
            left_of[vertex] = x
            cursor = x + width + BOX_GAP
    for vertex, key in enumerate(keys[: len(nodes)]):
        nodes[key].x = left_of[vertex]
    _tracks(lines, nodes, bands)

    top = float(TITLE_HEIGHT)
    for band in bands:
        band.top = top
        band.height = BAND_PAD * 2 + BOX_HEIGHT + band.tracks * TRACK_GAP
        top += band.height + BAND_GAP
    for node in nodes.values():
        node.y = bands[node.band].top + BAND_PAD

    # A line crossing a band runs straight down through its waypoint.
    for number, chain in waypoints.items():
        bends = []
        for vertex in chain:
            band = bands[layer[vertex]]
            center = left_of[vertex] + WAYPOINT_WIDTH / 2
            if nodes[lines[number].source].band < nodes[lines[number].target].band:
                bends += [(center, band.top), (center, band.bottom)]
            else:
                bends += [(center, band.bottom), (center, band.top)]
        lines[number].bends = bends

    right = max(
        [
            x + (BOX_WIDTH if v < len(nodes) else WAYPOINT_WIDTH)
            for v, x in left_of.items()
        ],
        default=0,
    )
    width = max(right + MARGIN, LABEL_WIDTH + 640.0)
    height = top - BAND_GAP + LEGEND_HEIGHT
    return Layout(bands, nodes, lines, width, height)


# --- Drawing -------------------------------------------------------------

LINE_LOOKS = {
    "internal": (ARROW_INK, 1.4, ""),
    "external": (RED, 3.2, ""),
    "remote": (RED, 3.2, "9 5"),
}


def _curve(points: list[tuple[float, float]]) -> str:
    """Straight down a band, an S-bend between bands."""
    (x, y), *rest = points
    path = f"M{_n(x)} {_n(y)}"
    for nx, ny in rest:
        if abs(nx - x) < 0.5:
            path += f" L{_n(nx)} {_n(ny)}"
        else:
            middle = (y + ny) / 2
            path += f" C{_n(x)} {_n(middle)} {_n(nx)} {_n(middle)} {_n(nx)} {_n(ny)}"
        x, y = nx, ny
    return path


def _line_points(layout: Layout, line: Line) -> list[tuple[float, float]]:
    source, target = layout.nodes[line.source], layout.nodes[line.target]
    if line.track >= 0:
        y = source.bottom + BAND_PAD / 2 + line.track * TRACK_GAP + 4
        return [
            (source.center_x, source.bottom),
            (source.center_x, y),
            (target.center_x, y),
            (target.center_x, target.bottom),
        ]
    start = (source.center_x, source.bottom if source.band < target.band else source.y)
    end = (target.center_x, target.y if source.band < target.band else target.bottom)
    return [start, *line.bends, end]


def _draw_line(layout: Layout, line: Line) -> str:
    ink, width, dash = LINE_LOOKS[line.kind]
    points = _line_points(layout, line)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    if line.track >= 0:
        d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in points)
    else:
        d = _curve(points)
    source = layout.nodes[line.source].label
    target = layout.nodes[line.target].label
    title = f"{source} — {target}" + (f" ({line.label})" if line.label else "")
    return (
        f'<g class="line line-{line.kind}" data-kind="{line.kind}">'
        f"<title>{escape(title)}</title>"
        f'<path d="{d}" fill="none" stroke="{ink}" stroke-width="{_n(width)}"'
        f'{dash_attr} stroke-linejoin="round" stroke-linecap="round"/></g>'
    )


def _draw_node(node: Node) -> str:
    look = node.look
    radius = 14 if node.is_party else 5
    klass = "party" if node.is_party else "asset"
    parts = [
        f'<g class="{klass}" data-key="{_q(node.key)}">',
        f"<title>{escape(node.tag + ': ' + node.label)}</title>",
        f'<rect x="{_n(node.x)}" y="{_n(node.y)}" width="{BOX_WIDTH}" '
        f'height="{BOX_HEIGHT}" rx="{radius}" fill="{look.fill}" '
        f'stroke="{look.stroke}" stroke-width="{_n(look.width)}"/>',
        _text(
            node.x + 8,
            node.y + 14,
            node.tag,
            size=SMALL,
            fill=RED if look.stroke == RED else ARROW_INK,
        ),
    ]
    lines = wrap(node.label, BOX_WIDTH - 16, FONT_SIZE, 2)
    for number, text in enumerate(lines):
        parts.append(
            _text(
                node.x + 8,
                node.y + 30 + number * LINE_HEIGHT,
                text,
                extra=' font-weight="bold"',
            )
        )
    parts.append("</g>")
    return "".join(parts)


def _draw_band(layout: Layout, band: Band) -> str:
    fill = "#fff7f6" if band.index == 0 else "#f6f7f9"
    stroke = "#f2b8b5" if band.index == 0 else "#c9ced6"
    parts = [
        f'<g class="band" data-band="{band.index}">',
        f'<rect x="0" y="{_n(band.top)}" width="{_n(layout.width)}" '
        f'height="{_n(band.height)}" fill="{fill}" stroke="{stroke}"/>',
        f'<rect x="0" y="{_n(band.top)}" width="{LABEL_WIDTH}" '
        f'height="{_n(band.height)}" fill="#e8ecf2" stroke="{stroke}"/>',
    ]
    lines = wrap(band.title, LABEL_WIDTH - 16, 13, 3)
    sub = wrap(band.subtitle, LABEL_WIDTH - 16, SMALL + 1, 1) if band.subtitle else []
    total = len(lines) * 16 + len(sub) * 14
    y = band.top + band.height / 2 - total / 2 + 12
    for text in lines:
        parts.append(_text(10, y, text, size=13, extra=' font-weight="bold"'))
        y += 16
    for text in sub:
        parts.append(_text(10, y, text, size=SMALL + 1, fill=ARROW_INK))
    parts.append("</g>")
    return "".join(parts)


def _draw_legend(layout: Layout, language: str) -> list[str]:
    y = layout.height - LEGEND_HEIGHT + 20
    x = float(LABEL_WIDTH)
    parts = ['<g class="legend">']
    for kind, key in (
        ("internal", "internal"),
        ("external", "external"),
        ("remote", "remote"),
    ):
        ink, width, dash = LINE_LOOKS[kind]
        label = _say(WORDS[key], language)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<g class="legend-item" data-line="{kind}">'
            f'<path d="M{_n(x)} {_n(y)} L{_n(x + 40)} {_n(y)}" stroke="{ink}" '
            f'stroke-width="{_n(width)}"{dash_attr}/>'
            + _text(x + 48, y + 4, label, size=11)
            + "</g>"
        )
        x += 48 + text_width(label, 11) + 26
    y += 24
    x = float(LABEL_WIDTH)
    for kind, look in LOOKS.items():
        label = _say(KIND_WORDS[kind], language)
        parts.append(
            f'<g class="legend-item" data-asset-kind="{kind.value}">'
            f'<rect x="{_n(x)}" y="{_n(y - 9)}" width="22" height="14" rx="3" '
            f'fill="{look.fill}" stroke="{look.stroke}" '
            f'stroke-width="{_n(look.width)}"/>'
            + _text(x + 28, y + 2, label, size=11)
            + "</g>"
        )
        x += 28 + text_width(label, 11) + 20
    parts.append("</g>")
    return parts


def _heading(as_of: datetime.datetime | None, language: str) -> str:
    title = _say(WORDS["title"], language)
    if as_of is None:
        when = f"{_say(WORDS['now'], language)} {timezone.localdate():%Y-%m-%d}"
        return (
            f"{title}（{when}）"
            if not language.startswith("en")
            else (f"{title} ({when})")
        )
    local = timezone.localtime(as_of)
    stamp = f"{local:%Y-%m-%d %H:%M}"
    if language.startswith("en"):
        return f"{title} (as of {stamp})"
    return f"{title}（{stamp} 時点）"


def render_network_svg(
    *,
    as_of: datetime.datetime | None = None,
    language: str = "ja",
    state: NetworkState | None = None,
) -> str:
    """Draw the network, now or as it stood at ``as_of``, as an SVG document.

    For the web page and the paper kit alike; ``state`` saves reading the
    network again when the caller has it already.
    """
    state = state if state is not None else network_as_of(as_of)
    heading = _heading(as_of, language)
    lang = "en" if language.startswith("en") else "ja"
    if state.is_empty:
        width, height = 640, 120
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{FONT_FAMILY}" role="img" class="network-diagram" '
            f'lang="{lang}"><title>{escape(heading)}</title>'
            f'<rect width="{width}" height="{height}" fill="#ffffff" '
            f'stroke="#c9ced6"/>'
            + _text(20, 40, heading, size=15, extra=' font-weight="bold"')
            + _text(20, 80, _say(WORDS["empty"], language), size=13)
            + "</svg>\n"
        )

    layout = layout_network(state, language)
    width, height = _n(layout.width), _n(layout.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" role="img" class="network-diagram" '
        f'lang="{lang}">',
        f"<title>{escape(heading)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        _text(MARGIN / 2, 26, heading, size=16, extra=' font-weight="bold"'),
        '<g class="bands">',
        *(_draw_band(layout, band) for band in layout.bands),
        "</g>",
        '<g class="lines">',
        # Red lines last, so nothing hides them.
        *(
            _draw_line(layout, line)
            for line in sorted(layout.lines, key=lambda line: line.kind != "internal")
        ),
        "</g>",
        '<g class="boxes">',
        *(_draw_node(node) for node in layout.nodes.values()),
        "</g>",
        *_draw_legend(layout, language),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
