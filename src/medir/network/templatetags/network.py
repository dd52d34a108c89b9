"""The network where a step needs it.

``{% network_at_step incident step_id %}`` shows, at 2-3, the affected
systems' segments and what they connect to, and at 2-6 the lines to cut,
the backups' path first. It shows nothing to those who may not read the
network.
"""

from django import template
from django.utils import translation

from medir.network import selectors

register = template.Library()


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("network/_at_step.html", takes_context=True)
def network_at_step(context, incident, step_id: str):
    user = _user(context)
    allowed = user is not None and selectors.may_view(user)
    result = {"allowed": allowed, "step_id": step_id, "incident": incident}
    if not allowed:
        return result
    state = selectors.network_as_of()
    result["has_network"] = not state.is_empty
    if step_id == "2-3":
        result["has_affected"] = incident.affected_systems.exists()
        result["reach"] = selectors.affected_reach(incident, state)
    else:
        result["backup_path"] = selectors.backup_path(state)
        result["externals"] = selectors.externals_to_cut(state)
    return result


@register.filter
def segment_name(segment) -> str:
    """A segment's name in the page's language, Japanese when it has no
    English name."""
    if translation.get_language().startswith("en") and segment.name_en:
        return segment.name_en
    return segment.name
