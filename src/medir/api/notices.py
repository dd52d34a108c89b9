"""Stop-use notices and sharing with outside organisations."""

from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from medir.api import present
from medir.api.errors import BadInput
from medir.api.lookups import ERRORS, permitted_incident, timing
from medir.api.schemas import LiftNoticeIn, NoticeIn, NoticeOut, ShareIn, ShareOut
from medir.incidents import queries, services
from medir.incidents.models import IncidentShare, StopUseNotice
from medir.incidents.permissions import Action, require
from medir.organisation.models import Organisation, System
from medir.playbook.schema import get_playbook

router = Router()

# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


# --- Stop-use notices -------------------------------------------------------


@router.get(
    "/notices/active", response={200: list[NoticeOut], **ERRORS}, tags=["notices"]
)
def active_notices(request):
    """Every notice in force: the same list the report page shows to
    anyone, so any logged-in caller may read it."""
    return [present.notice(notice) for notice in queries.active_notices()]


@router.get(
    "/incidents/{number}/notices",
    response={200: list[NoticeOut], **ERRORS},
    tags=["notices"],
)
def list_notices(request, number: str):
    incident = permitted_incident(request, number, Action.VIEW)
    notices = incident.notices.select_related("incident").prefetch_related("systems")
    return [present.notice(notice) for notice in notices]


@router.post(
    "/incidents/{number}/notices",
    response={201: NoticeOut, **ERRORS},
    tags=["notices"],
)
def publish_notice(request, number: str, payload: NoticeIn):
    """Tell staff which systems not to use (2-7/2-9)."""
    incident = permitted_incident(request, number, Action.NOTICE)
    # Ids beyond the database's integer range cannot exist; asking for them
    # would overflow the query.
    systems = list(
        System.objects.filter(pk__in=[i for i in payload.system_ids if 0 < i <= MAX_ID])
    )
    unknown = set(payload.system_ids) - {system.pk for system in systems}
    if unknown:
        raise BadInput(
            "system_ids", _("There is no system %(id)s.") % {"id": min(unknown)}
        )
    notice = services.publish_stop_use_notice(
        incident,
        actor=request.auth,
        message=payload.message,
        systems=systems,
        **timing(payload),
    )
    return Status(201, present.notice(notice))


@router.post(
    "/notices/{notice_id}/lift", response={200: NoticeOut, **ERRORS}, tags=["notices"]
)
def lift_notice(request, notice_id: int, payload: LiftNoticeIn):
    notice = (
        StopUseNotice.objects.select_related("incident").filter(pk=notice_id).first()
    )
    if notice is None:
        raise HttpError(
            404, _("There is no stop-use notice %(id)s.") % {"id": notice_id}
        )
    require(request.auth, Action.NOTICE, notice.incident)
    notice = services.lift_stop_use_notice(
        notice, actor=request.auth, reason=payload.reason, **timing(payload)
    )
    return present.notice(notice)


# --- Sharing ----------------------------------------------------------------


@router.get(
    "/incidents/{number}/shares",
    response={200: list[ShareOut], **ERRORS},
    tags=["shares"],
)
def list_shares(request, number: str):
    incident = permitted_incident(request, number, Action.SHARE)
    shares = incident.shares.select_related("incident", "organisation")
    return [present.share(share) for share in shares]


@router.post(
    "/incidents/{number}/shares",
    response={201: ShareOut, **ERRORS},
    tags=["shares"],
)
def share_incident(request, number: str, payload: ShareIn):
    """Let an outside organisation see its part of the incident; sharing
    again with the same organisation changes the extra steps."""
    incident = permitted_incident(request, number, Action.SHARE)
    organisation = (
        Organisation.objects.filter(pk=payload.organisation_id).first()
        if 0 < payload.organisation_id <= MAX_ID
        else None
    )
    if organisation is None:
        raise BadInput("organisation_id", _("There is no such organisation."))
    unknown = [s for s in payload.extra_steps if s not in get_playbook().step_index]
    if unknown:
        raise BadInput(
            "extra_steps", _("There is no step %(step)s.") % {"step": unknown[0]}
        )
    share = services.share_incident(
        incident,
        actor=request.auth,
        organisation=organisation,
        extra_steps=payload.extra_steps,
    )
    return Status(201, present.share(share))


@router.post(
    "/shares/{share_id}/end", response={200: ShareOut, **ERRORS}, tags=["shares"]
)
def end_share(request, share_id: int):
    share = (
        IncidentShare.objects.select_related("incident", "organisation")
        .filter(pk=share_id)
        .first()
    )
    if share is None:
        raise HttpError(404, _("There is no sharing %(id)s.") % {"id": share_id})
    require(request.auth, Action.SHARE, share.incident)
    share = services.unshare_incident(share, actor=request.auth)
    return present.share(share)
