"""Contacts where they are needed: on a step, on the dashboard, in the
timeline.

``{% step_contacts incident step %}`` lists whom the step says to call,
with a "call made" form for those who may work the step.
``{% contact_gaps %}`` is the dashboard card of stale contacts and key-role
gaps. ``{{ outcome|call_outcome }}`` labels a recorded call's outcome.
"""

from django import template
from django.utils import timezone

from medir.contacts import selectors
from medir.contacts.models import CallOutcome
from medir.incidents import permissions
from medir.incidents.permissions import Action

register = template.Library()

# How many gaps the dashboard card lists before pointing at the directory.
DASHBOARD_GAPS = 5


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


@register.inclusion_tag("contacts/_step_contacts.html", takes_context=True)
def step_contacts(context, incident, step):
    user = _user(context)
    # Outside parties do not read the hospital's internal numbers.
    if user is None or not step.contacts or not selectors.may_read_directory(user):
        return {"groups": []}
    return {
        "groups": selectors.contacts_for_step(incident, step),
        "incident": incident,
        "step": step,
        "may_record": permissions.can(user, Action.WORK, incident, step_id=step.id),
        "outcomes": CallOutcome.choices,
        "now": timezone.localtime(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("contacts/_dashboard_gaps.html", takes_context=True)
def contact_gaps(context):
    user = _user(context)
    if user is None or not selectors.may_see_gaps(user):
        return {"gaps": None}
    warnings = selectors.contact_warnings()
    stale = [w for w in warnings if w.kind == "stale"]
    others = [w for w in warnings if w.kind != "stale"]
    return {
        "gaps": {
            "count": len(warnings),
            "stale_count": len(stale),
            "key_role_count": len(others),
            "first": (others + stale)[:DASHBOARD_GAPS],
            "max_age_days": selectors.max_age_days(),
        }
    }


@register.filter
def call_outcome(value: str) -> str:
    try:
        return str(CallOutcome(value).label)
    except ValueError:
        return value


@register.filter
def may_read_contacts(user) -> bool:
    """For the header's link: outside parties may not open the directory."""
    return selectors.may_read_directory(user)
