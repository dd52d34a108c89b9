"""``{% break_glass_alerts as alerts %}``: break-glass uses not yet
acknowledged and accounts whose password must change, for those who
watch them (management, the security manager, administrators); None for
anyone else or when there is nothing to show."""

from django import template

from medir.accounts import break_glass

register = template.Library()


@register.simple_tag(takes_context=True)
def break_glass_alerts(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not break_glass.watches_break_glass(user):
        return None
    uses = list(break_glass.open_break_glass_uses())
    to_change = list(break_glass.accounts_to_change())
    if not uses and not to_change:
        return None
    return {
        "uses": uses,
        "to_change": to_change,
        "may_acknowledge": break_glass.is_administrator(user),
    }
