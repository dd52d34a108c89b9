"""``{% kit_reminder as reminder %}``: the kit's status for people who may
print it (a reminder unless it is current), else None."""

from django import template

from medir.kit import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def kit_reminder(context):
    request = context.get("request")
    return selectors.kit_reminder(getattr(request, "user", None))
