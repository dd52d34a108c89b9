"""Report clocks for the incident page and the dashboard.

``{% incident_clocks incident as deadline_clocks %}`` and
``{% open_clocks as open_deadline_clocks %}`` give what the includes
``deadlines/_clocks.html`` and ``deadlines/_open_clocks.html`` show; both
give None to people who may not see clocks, and the includes then show
nothing.
"""

from django import template

from medir.deadlines.selectors import clocks_for_page, open_clocks_for

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def incident_clocks(context, incident):
    user = _user(context)
    if user is None or not user.is_authenticated:
        return None
    return clocks_for_page(user, incident)


@register.simple_tag(takes_context=True)
def open_clocks(context):
    user = _user(context)
    if user is None or not user.is_authenticated:
        return None
    return open_clocks_for(user)
