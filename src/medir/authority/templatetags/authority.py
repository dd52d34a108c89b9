from django import template

from medir.authority.selectors import get_ppc_assessment

register = template.Library()


@register.inclusion_tag("authority/_panel.html")
def authority_panel(incident):
    """Awareness time and the PPC assessment, on the incident page."""
    return {
        "incident": incident,
        "aware_at": incident.aware_at or incident.reported_at,
        "assessment": get_ppc_assessment(incident),
    }
