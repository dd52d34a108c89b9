"""The report clocks as a calendar file."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from medir.deadlines.ics import build_calendar
from medir.deadlines.selectors import get_incident_clocks
from medir.incidents.models import Incident
from medir.incidents.permissions import Action, require


@login_required
@require_GET
def calendar(request, number: str):
    incident = get_object_or_404(Incident, number=number)
    # Deadlines leave MedIR in this file: an export, management and the
    # security manager only.
    require(request.user, Action.EXPORT, incident)
    response = HttpResponse(
        build_calendar(incident, get_incident_clocks(incident)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="medir-{incident.number}-deadlines.ics"'
    )
    return response
