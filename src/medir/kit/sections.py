"""The paper kit's sections, in print order, and the data each one prints.

Every section is a ``Section``: a template and a ``collect`` function that
reads what the section prints as plain JSON-able data. The data version on
every page is a hash of exactly that data (see ``data_version``), so a kit is
out of date precisely when something it prints has changed. ``prepare`` may
draw pictures from the collected data (the flowchart, QR codes); being
derived from that data they are not hashed again.

To add a section, write its collector and template and put it into
``SECTIONS`` at its place; the cover's contents list follows.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from medir.audit.services import get_chain_head
from medir.contacts.selectors import call_tree
from medir.incidents.models import InfectionSign
from medir.network.diagram import render_network_svg
from medir.network.selectors import network_as_of, summarise_network_ja
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    Hospital,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    System,
)
from medir.playbook.diagram import (
    COLUMN_GAP,
    LABEL_WIDTH,
    MARKER,
    column_x,
    layout_flowchart,
    render_flowchart_svg,
)
from medir.playbook.schema import get_playbook

# Raised whenever the templates change what a kit prints from the same
# data, so that kits printed before the change count as out of date.
KIT_FORMAT = 2
# Hex digits of the data version: short enough to read out on the phone.
VERSION_LENGTH = 12

# The step whose record fields make the damage-status form.
DAMAGE_STEP = "2-10"
# Calls by phone come first: e-mail may be down in an attack.
PHONE_KINDS = (ChannelKind.PHONE, ChannelKind.MOBILE)
# Numbers a poster shows for each person; the contact list has the rest.
POSTER_NUMBERS = 2
# The role sections, from who decides to who helps from outside; the
# flowchart draws the lanes in its own order.
ROLE_ORDER = (Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.STAFF, Role.EXTERNAL)
DECISION_ROWS = 16
TIMELINE_ROWS = 24
# Columns of the flowchart on one A3 page of its enlarged strips.
FLOWCHART_STRIP_COLUMNS = 8


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    collect: Callable[[], dict[str, Any]]
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # False for what changes with every print rather than with the data
    # (the audit chain's head).
    versioned: bool = True


# --- Helpers ---------------------------------------------------------------


def report_url() -> str:
    """The public report page, as printed under the posters' QR code."""
    return settings.PUBLIC_URL.rstrip("/") + reverse("reporting:report")


def _channel(channel: ContactChannel) -> dict[str, Any]:
    return {
        "kind": str(channel.get_kind_display()),
        "is_phone": channel.kind in PHONE_KINDS,
        "value": channel.value,
        "label": channel.label,
        "out_of_hours": channel.out_of_hours,
        "needs_verification": channel.needs_verification,
        "source_url": channel.source_url,
    }


def _person(person: Person, *, deputy: bool = False) -> dict[str, Any]:
    where = person.department or person.organisation
    return {
        "name": person.display_name,
        "job_title": person.job_title,
        "where": str(where) if where else "",
        "deputy_for": person.deputy_for.display_name if deputy else "",
        "channels": [_channel(c) for c in person.channels.all()],
    }


def _active_people():
    return (
        Person.objects.reachable()
        .select_related("department", "organisation", "deputy_for")
        .prefetch_related("roles", "channels", "deputies")
        .order_by("display_name", "pk")
    )


def holders_with_deputies(role: str, people=None) -> list[dict[str, Any]]:
    """Holders of ``role``, each followed by their active deputies.

    A holder who is a deputy of another holder is listed under that holder,
    not first.
    """
    people = list(people if people is not None else _active_people())
    holders = [p for p in people if role in p.role_keys()]
    holder_ids = {p.pk for p in holders}
    listed: set[int] = set()
    result = []
    for person in holders:
        if person.deputy_for_id in holder_ids or person.pk in listed:
            continue
        result.append(_person(person))
        listed.add(person.pk)
        for deputy in people:
            if deputy.deputy_for_id == person.pk and deputy.pk not in listed:
                result.append(_person(deputy, deputy=True))
                listed.add(deputy.pk)
    # Deputies whose principal has lost the role still hold it themselves.
    result += [_person(p, deputy=True) for p in holders if p.pk not in listed]
    return result


def _organisation(organisation: Organisation, people) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "kind": str(organisation.get_kind_display()),
        "notes": organisation.notes,
        "source_url": organisation.source_url,
        "verified_on": organisation.verified_on,
        "needs_verification": organisation.needs_verification,
        "channels": [_channel(c) for c in organisation.channels.all()],
        "people": [_person(p) for p in people if p.organisation_id == organisation.pk],
    }


def _hospital_name() -> str:
    hospital = Hospital.objects.first()
    return hospital.name if hospital else ""


# --- Collectors ------------------------------------------------------------


def collect_how_to() -> dict[str, Any]:
    return {"hospital": _hospital_name(), "report_url": report_url()}


def collect_contacts() -> dict[str, Any]:
    """Security manager and deputies, management, vendors with the systems
    they maintain, other outside parties, then the authorities."""
    people = list(_active_people())
    organisations = list(
        Organisation.objects.prefetch_related("channels").order_by("name", "pk")
    )
    systems = list(System.objects.order_by("name", "pk"))

    vendors = []
    for organisation in organisations:
        maintained = [s for s in systems if s.vendor_id == organisation.pk]
        if maintained and organisation.kind != OrganisationKind.AUTHORITY:
            vendors.append(
                {
                    **_organisation(organisation, people),
                    "systems": [
                        {"name": s.name, "support_hours": s.support_hours}
                        for s in maintained
                    ],
                }
            )
    vendor_names = {vendor["name"] for vendor in vendors}
    others = [
        _organisation(o, people)
        for o in organisations
        if o.kind != OrganisationKind.AUTHORITY and o.name not in vendor_names
    ]
    return {
        "security_managers": holders_with_deputies(Role.SECURITY_MANAGER, people),
        "management": holders_with_deputies(Role.MANAGEMENT, people),
        "vendors": vendors,
        "unmaintained_systems": [s.name for s in systems if s.vendor_id is None],
        "others": others,
        "authorities": [
            _organisation(o, people)
            for o in organisations
            if o.kind == OrganisationKind.AUTHORITY
        ],
    }


def collect_call_tree() -> dict[str, Any]:
    return {"roots": call_tree()}


def collect_network() -> dict[str, Any]:
    """The current network, as the ids of its valid versions: any change
    (a new asset, a renamed segment, an ended line) makes a new version row
    and so a new data version, without printing every field twice."""
    state = network_as_of()
    return {
        "segments": sorted(version.pk for version in state.segments),
        "assets": sorted(version.pk for version in state.assets),
        "connections": sorted(version.pk for version in state.connections),
        "externals": sorted(version.pk for version in state.externals),
        "summary": summarise_network_ja(state),
    }


def prepare_network(data: dict[str, Any]) -> dict[str, Any]:
    state = network_as_of()
    if state.is_empty:
        return {"svg": ""}
    return {"svg": render_network_svg(state=state, language="ja")}


def collect_flowchart() -> dict[str, Any]:
    playbook = get_playbook()
    return {"playbook": playbook.name, "digest": playbook.digest}


def _slices(layout, max_columns: int) -> list[tuple[float, float]]:
    """Cut the chart into strips of about equal columns, at the gaps
    between columns, so each strip prints large enough to read."""
    total = max(
        (phase.first_column + phase.columns for phase in layout.phases), default=0
    )
    count = max(1, math.ceil(total / max_columns))
    per = math.ceil(total / count) if total else 1
    edges = [LABEL_WIDTH]
    edges += [column_x(n * per) - COLUMN_GAP / 2 for n in range(1, count)]
    edges.append(layout.width)
    return list(itertools.pairwise(edges))


def _strip(svg: str, height: float, x0: float, x1: float, number: int) -> str:
    """One strip of the chart, with the lane labels repeated at its left."""
    inner = svg.split(">", 1)[1].rsplit("</svg>", 1)[0]
    # Only the lane bands are drawn again for the labels: drawing the whole
    # chart once more per strip doubles the time the kit takes.
    start, end = inner.find('<g class="lanes">'), inner.find('<g class="phases">')
    labels = inner[start:end] if 0 <= start < end else inner
    # Each copy of the arrow heads needs ids of its own in the one HTML page.
    inner = inner.replace(MARKER, f"{MARKER}-{number}")
    strip = x1 - x0
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{LABEL_WIDTH + strip:.0f} {height:.0f}" class="flowchart-strip">'
        f'<svg x="0" y="0" width="{LABEL_WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {LABEL_WIDTH} {height:.0f}">{labels}</svg>'
        f'<svg x="{LABEL_WIDTH}" y="0" width="{strip:.0f}" height="{height:.0f}" '
        f'viewBox="{x0:.0f} 0 {strip:.0f} {height:.0f}">{inner}</svg></svg>'
    )


def prepare_flowchart(data: dict[str, Any]) -> dict[str, Any]:
    playbook = get_playbook()
    svg = render_flowchart_svg(playbook, language="ja")
    layout = layout_flowchart(playbook, "ja")
    strips = [
        _strip(svg, layout.height, x0, x1, number)
        for number, (x0, x1) in enumerate(
            _slices(layout, FLOWCHART_STRIP_COLUMNS), start=1
        )
    ]
    return {"svg": svg, "strips": strips}


def collect_roles() -> dict[str, Any]:
    """Each lane's steps in the playbook's order (1-1 … 4-9, as people look
    them up on paper), with guidance, checklists and the decisions taken
    there."""
    playbook = get_playbook()
    ordered = playbook.steps
    order = {key: n for n, key in enumerate(ROLE_ORDER)}
    roles = []
    for role in sorted(playbook.roles, key=lambda r: order.get(r.key, len(order))):
        steps = [
            step
            for step in ordered
            if role.key in step.roles
            or (role.key == Role.EXTERNAL and step.vendor_assists)
        ]
        roles.append(
            {
                "key": role.key,
                "title": role.title,
                "steps": [
                    {
                        "id": step.id,
                        "title": step.title,
                        "phase": playbook.phase(step.phase).title,
                        "vendor_assists": step.vendor_assists,
                        "guidance": step.guidance.ja.strip().splitlines(),
                        "checklist": [item.text.ja for item in step.checklist],
                        "decisions": [
                            {
                                "title": decision.title.ja,
                                "outcomes": [o.label.ja for o in decision.outcomes],
                            }
                            for decision in playbook.decisions_at(step.id)
                        ],
                    }
                    for step in steps
                ],
            }
        )
    return {"roles": roles}


def collect_posters() -> dict[str, Any]:
    """One poster per department, each with the security manager's and the
    deputies' numbers."""
    callers = []
    for person in holders_with_deputies(Role.SECURITY_MANAGER):
        numbers = [c for c in person["channels"] if c["is_phone"]]
        if numbers:
            callers.append({**person, "numbers": numbers[:POSTER_NUMBERS]})
    departments = [d.name for d in Department.objects.order_by("name", "pk")]
    return {
        "departments": departments or [""],
        "callers": callers,
        "report_url": report_url(),
    }


def prepare_posters(data: dict[str, Any]) -> dict[str, Any]:
    qr = segno.make(data["report_url"], error="m")
    return {"qr_svg": qr.svg_inline(scale=1, border=2, omitsize=True)}


def collect_forms() -> dict[str, Any]:
    playbook = get_playbook()
    damage = playbook.step(DAMAGE_STEP) if DAMAGE_STEP in playbook.step_index else None
    return {
        "signs": [str(label) for _, label in InfectionSign.choices],
        # Ruled lines of the decision log and the timeline sheet.
        "decision_rows": list(range(DECISION_ROWS)),
        "timeline_rows": list(range(TIMELINE_ROWS)),
        "damage_step": (
            {
                "id": damage.id,
                "title": damage.title,
                "fields": [
                    {"label": field.label.ja, "type": field.type}
                    for field in damage.records
                ],
            }
            if damage
            else None
        ),
    }


def collect_audit_head() -> dict[str, Any]:
    head_id, digest = get_chain_head()
    return {"id": head_id, "digest": digest}


SECTIONS: list[Section] = [
    Section("how_to", "このキットの使い方", "kit/pdf/how_to.html", collect_how_to),
    Section("contacts", "連絡先一覧", "kit/pdf/contacts.html", collect_contacts),
    Section("call_tree", "連絡網", "kit/pdf/call_tree.html", collect_call_tree),
    Section(
        "network",
        "ネットワーク構成図",
        "kit/pdf/network.html",
        collect_network,
        prepare_network,
    ),
    Section(
        "flowchart",
        "対応フローチャート",
        "kit/pdf/flowchart.html",
        collect_flowchart,
        prepare_flowchart,
    ),
    Section("roles", "役割ごとの手順", "kit/pdf/roles.html", collect_roles),
    Section(
        "posters",
        "部署掲示用ポスター",
        "kit/pdf/posters.html",
        collect_posters,
        prepare_posters,
    ),
    Section("forms", "記入用紙", "kit/pdf/forms.html", collect_forms),
    Section(
        "audit_head",
        "監査ログの先頭",
        "kit/pdf/audit_head.html",
        collect_audit_head,
        versioned=False,
    ),
]


def data_version(sources: dict[str, Any]) -> str:
    """A short hash of everything the versioned sections print.

    The data version is derived from the kit's own source data rather than
    from the audit trail: organisation data, contacts, the playbook file and
    the public URL all reach the kit, but only the playbook's and the
    settings' changes would be missing from the audit chain, and changes
    the kit does not print (a maintenance log entry) would make a current
    kit look stale. Equal data gives an equal version, on any installation.
    """
    payload = json.dumps(
        {"format": KIT_FORMAT, "sections": sources},
        sort_keys=True,
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def collect_sources(sections: list[Section] | None = None) -> dict[str, Any]:
    """The data of the versioned sections, keyed by section."""
    from django.utils import translation

    with translation.override("ja"):
        return {s.key: s.collect() for s in sections or SECTIONS if s.versioned}


def current_data_version() -> str:
    return data_version(collect_sources())
