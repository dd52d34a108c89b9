"""Remote access and recent work, for the dashboard and step 2-2.

``{% unpatched_remote_access as unpatched_devices %}`` gives the devices
shown by ``organisation/_unpatched_devices.html`` (which loads it itself),
or None for people who may not see them. ``{% maintenance_before incident %}``
renders the work logged just before an incident, for those who run the
response.
"""

from django import template

from medir.incidents.permissions import FULL_ROLES, roles_of
from medir.organisation import selectors
from medir.organisation.models import Role

register = template.Library()

# Who hears about unpatched ways in: those who decide and fund the fix,
# the one who runs security, and those who keep the inventory.
DEVICE_READERS = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.ADMINISTRATOR}


def _user(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


@register.simple_tag(takes_context=True)
def unpatched_remote_access(context):
    user = _user(context)
    if user is None:
        return None
    if not (roles_of(user) & DEVICE_READERS or user.is_staff):
        return None
    return {
        "devices": selectors.unpatched_devices(),
        "max_age_days": selectors.patch_max_age_days(),
    }


@register.inclusion_tag("organisation/_maintenance_before.html", takes_context=True)
def maintenance_before(context, incident):
    user = _user(context)
    # Vendors' numbers and other vendors' work are for those running the
    # response, not for every lane that can open the step.
    allowed = user is not None and bool(roles_of(user) & FULL_ROLES)
    return {
        "allowed": allowed,
        "incident": incident,
        "work": selectors.work_before(incident) if allowed else [],
        "days": selectors.WORK_BEFORE_INCIDENT.days,
    }
