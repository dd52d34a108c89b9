"""Template helpers for the incident pages: the stop-use banner that every
page of a logged-in person carries, and recorded values in words."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medir.incidents import permissions
from medir.incidents.models import InfectionSign
from medir.incidents.queries import active_notices

register = template.Library()

JAPAN = ZoneInfo("Asia/Tokyo")


@register.simple_tag(takes_context=True)
def stop_use_notices(context) -> list[dict]:
    """Notices in force. A tag rather than a view's context, so that any
    page extending ``base.html`` shows them without each view remembering
    to."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        {
            "notice": notice,
            # The notice itself is for everyone; the incident behind it
            # only for those who may open it.
            "linked": permissions.can(user, permissions.Action.VIEW, notice.incident),
        }
        for notice in active_notices()
    ]


@register.simple_tag
def sign_label(sign: str) -> str:
    try:
        return str(InfectionSign(sign).label)
    except ValueError:
        return sign


@register.simple_tag
def record_value(row, field) -> str:
    """A step's recorded value as people read it: choices by their label,
    yes or no, times in Japan time."""
    records = getattr(row, "records", None) or {}
    value = records.get(field.key)
    if value is None or value == "":
        return ""
    language = get_language() or "ja"
    if field.type == "choice":
        labels = {choice.key: choice.text.get(language) for choice in field.choices}
        return labels.get(value, str(value))
    if field.type == "boolean":
        return _("Yes") if value else _("No")
    if field.type == "datetime":
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(JAPAN)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)
