"""Who may see and do what in an incident: the one place that decides.

Web views and API endpoints both ask ``can`` (or ``require``); the services
themselves trust their caller, so that commands and replays can use them.

Management and the security manager see everything. Staff see incidents
that are reported or open, only their own lane's steps (which they may
complete), and the stop-use notice; never decisions. People of an outside
organisation see an incident only once it is shared with their
organisation, and then only the outside parties' lane, the steps vendors
assist with, and steps shared explicitly. Administrators keep the
organisation data and see no incident unless they also hold a lane's role.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from medir.incidents.models import Incident
from medir.organisation.models import Role
from medir.playbook.schema import Playbook, get_playbook


class Action(StrEnum):
    VIEW = "view"  # open the incident and its visible steps
    WORK = "work"  # start, complete, skip or add a note to a step
    DECIDE = "decide"  # record a playbook decision
    CONFIRM = "confirm"  # confirm, dismiss or merge a report (1-4)
    CLOSE = "close"  # close the incident
    NOTICE = "notice"  # publish or lift a stop-use notice
    SHARE = "share"  # share with an outside organisation
    EXPORT = "export"  # take data out (reports, bundles, timelines)
    SEE_DECISIONS = "see_decisions"
    SEE_REPORTERS = "see_reporters"  # names and call-back numbers


FULL_ROLES = {Role.MANAGEMENT, Role.SECURITY_MANAGER}

# What each role may do beyond viewing, on incidents it can see.
ALLOWED = {
    Role.MANAGEMENT: set(Action),
    Role.SECURITY_MANAGER: set(Action) - {Action.CLOSE},
    Role.STAFF: {Action.VIEW, Action.WORK},
    Role.EXTERNAL: {Action.VIEW, Action.WORK},
}


def roles_of(user) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_medir_roles", None)
    if cached is None:
        person = getattr(user, "person", None)
        cached = (
            person.role_keys() if person is not None and person.is_active else set()
        )
        user._medir_roles = cached
    return cached


def _organisation_id(user) -> int | None:
    person = getattr(user, "person", None)
    return person.organisation_id if person is not None else None


def _share_for(user, incident: Incident):
    organisation_id = _organisation_id(user)
    if organisation_id is None:
        return None
    return incident.shares.filter(
        organisation_id=organisation_id, revoked_at=None
    ).first()


def _staff_may_see(user, incident: Incident) -> bool:
    """Open incidents, and reported ones they reported themselves."""
    if incident.state == "open":
        return True
    return (
        incident.state == "reported"
        and incident.reports.filter(created_by=user).exists()
    )


def visible_step_ids(
    user, incident: Incident, playbook: Playbook | None = None
) -> set[str]:
    """The steps of an incident this person may see (and so work on)."""
    playbook = playbook or get_playbook()
    roles = roles_of(user)
    if roles & FULL_ROLES:
        return set(playbook.step_index)
    visible: set[str] = set()
    if Role.STAFF in roles and _staff_may_see(user, incident):
        visible |= {s.id for s in playbook.steps if Role.STAFF in s.roles}
    if Role.EXTERNAL in roles:
        share = _share_for(user, incident)
        if share is not None:
            visible |= {
                s.id
                for s in playbook.steps
                if Role.EXTERNAL in s.roles or s.vendor_assists
            }
            visible |= set(share.extra_steps)
    return visible


def can(user, action: Action, incident: Incident, *, step_id: str = "") -> bool:
    roles = roles_of(user)
    if roles & FULL_ROLES:
        return any(action in ALLOWED[role] for role in roles & FULL_ROLES)
    if action not in {Action.VIEW, Action.WORK}:
        return False
    visible = visible_step_ids(user, incident)
    if not visible:
        return False
    if step_id:
        return step_id in visible
    return True


def require(user, action: Action, incident: Incident, *, step_id: str = "") -> None:
    if not can(user, action, incident, step_id=step_id):
        raise PermissionDenied(f"{action} not allowed")


def can_see_incidents(user) -> bool:
    """Whether the person takes part in responses at all."""
    return bool(roles_of(user) - {Role.ADMINISTRATOR})


def incidents_visible_to(user):
    """Incidents this person may open, newest first."""
    roles = roles_of(user)
    incidents = Incident.objects.all()
    if roles & FULL_ROLES:
        return incidents
    allowed = Incident.objects.none()
    if Role.STAFF in roles:
        allowed = allowed | incidents.filter(state="open")
        allowed = allowed | incidents.filter(state="reported", reports__created_by=user)
    if Role.EXTERNAL in roles and _organisation_id(user):
        allowed = allowed | incidents.filter(
            shares__organisation_id=_organisation_id(user), shares__revoked_at=None
        )
    return allowed.distinct()
