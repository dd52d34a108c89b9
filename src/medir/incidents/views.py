from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language

from medir.incidents.models import Incident
from medir.incidents.selectors import get_incident_picture
from medir.organisation.selectors import get_preparedness
from medir.playbook.diagram import render_flowchart_svg
from medir.playbook.schema import get_playbook


@login_required
def dashboard(request):
    incidents = Incident.objects.all()[:200]
    return render(
        request,
        "incidents/dashboard.html",
        {
            "incidents": incidents,
            "preparedness": get_preparedness(get_playbook()),
        },
    )


def _flowchart(incident: Incident, picture) -> str:
    return render_flowchart_svg(
        picture.playbook,
        picture.statuses,
        language=get_language() or "ja",
        step_url=lambda step_id: reverse(
            "incidents:step", args=[incident.number, step_id]
        ),
    )


@login_required
def incident_detail(request, number: str):
    incident = get_object_or_404(Incident, number=number)
    picture = get_incident_picture(incident)
    playbook = picture.playbook
    steps = [
        {"step": step, "status": picture.statuses[step.id]}
        for step in playbook.steps
        if step.id in picture.statuses
    ]
    events = incident.events.select_related("actor").order_by("happened_at", "id")
    decisions = [
        {"definition": playbook.decision_index.get(d.decision_id), "row": d}
        for d in incident.decisions.order_by("decided_at", "id")
    ]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "flowchart_svg": _flowchart(incident, picture),
            "steps": steps,
            "events": events,
            "decisions": decisions,
            "playbook": playbook,
        },
    )


@login_required
def incident_flowchart(request, number: str):
    incident = get_object_or_404(Incident, number=number)
    svg = _flowchart(incident, get_incident_picture(incident))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@login_required
def step_detail(request, number: str, step_id: str):
    incident = get_object_or_404(Incident, number=number)
    picture = get_incident_picture(incident)
    if step_id not in picture.playbook.step_index:
        raise Http404("No such step")
    step = picture.playbook.step(step_id)
    row = incident.steps.filter(step_id=step_id).first()
    return render(
        request,
        "incidents/step_detail.html",
        {
            "incident": incident,
            "step": step,
            "row": row,
            "status": picture.statuses[step_id],
            "events": incident.events.filter(step_id=step_id).order_by(
                "happened_at", "id"
            ),
            "decisions": picture.playbook.decisions_at(step_id),
        },
    )
