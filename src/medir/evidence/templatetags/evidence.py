"""Evidence where a step page needs it."""

from django import template

from medir.evidence.models import EvidenceItem
from medir.incidents.permissions import Action, can

register = template.Library()


@register.inclusion_tag("evidence/_step_attachments.html", takes_context=True)
def step_attachments(context, incident, step_id: str):
    """The files and hash-only items attached to one step, and a link to
    attach another; shown only to those who may handle evidence, since
    evidence is not for staff or outside parties to read."""
    user = context["request"].user
    allowed = can(user, Action.DECIDE, incident)
    items = (
        EvidenceItem.objects.filter(incident=incident, step_id=step_id).order_by(
            "collected_at", "pk"
        )
        if allowed
        else EvidenceItem.objects.none()
    )
    return {
        "allowed": allowed,
        "incident": incident,
        "step_id": step_id,
        "items": list(items),
    }
