"""Finding what a request names, with the API's 400/403/404 answers."""

from django.utils.translation import gettext as _
from ninja.errors import HttpError

from medir.api.errors import BadInput
from medir.api.schemas import ErrorOut, Timing
from medir.incidents.models import EntrySource, Incident
from medir.incidents.permissions import Action, require
from medir.playbook.schema import get_playbook

# Every error status an endpoint may answer with, for the schema.
ERRORS = dict.fromkeys((400, 401, 403, 404), ErrorOut)


def get_incident(number: str) -> Incident:
    incident = Incident.objects.filter(number=number).first()
    if incident is None:
        raise HttpError(404, _("There is no incident %(number)s.") % {"number": number})
    return incident


def permitted_incident(request, number: str, action: Action) -> Incident:
    incident = get_incident(number)
    require(request.auth, action, incident)
    return incident


def check_step(step_id: str) -> None:
    if step_id not in get_playbook().step_index:
        raise HttpError(404, _("There is no step %(step)s.") % {"step": step_id})


def timing(payload: Timing) -> dict:
    """The service arguments saying when the thing happened."""
    if payload.source == EntrySource.TRANSCRIBED and payload.happened_at is None:
        raise BadInput(
            "happened_at",
            _("An entry transcribed from paper needs the time written on paper."),
        )
    return {"happened_at": payload.happened_at, "source": payload.source}
