"""Template helpers for bilingual playbook text and timeline entries."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medir.playbook.explain import explain_status
from medir.playbook.schema import get_playbook

register = template.Library()


@register.filter
def loc(text) -> str:
    """Pick the Japanese or English side of a playbook text."""
    if text is None:
        return ""
    return text.get(get_language() or "ja")


@register.filter
def step_title(step) -> str:
    return step.title_for(get_language() or "ja")


@register.simple_tag
def step_label(step_id: str) -> str:
    if not step_id:
        return ""
    playbook = get_playbook()
    step = playbook.step_index.get(step_id)
    return f"{step_id} {step.title_for(get_language() or 'ja')}" if step else step_id


@register.filter
def status_label(status) -> str:
    labels = {
        "done": _("Done"),
        "skipped": _("Skipped"),
        "in_progress": _("In progress"),
        "ready": _("Ready"),
        "waiting": _("Waiting"),
        "not_applicable": _("Not applicable"),
    }
    return labels.get(str(status), str(status))


@register.simple_tag
def outcome_label(decision_id: str, outcome) -> str:
    """Outcome keys of a decision, in the reader's language."""
    playbook = get_playbook()
    definition = playbook.decision_index.get(decision_id)
    keys = outcome if isinstance(outcome, list) else [outcome]
    if definition is None:
        return ", ".join(str(k) for k in keys)
    labels = {o.key: o.label.get(get_language() or "ja") for o in definition.outcomes}
    if not keys:
        return _("(none)")
    return ", ".join(labels.get(str(k), str(k)) for k in keys)


@register.simple_tag
def decision_title(decision_id: str) -> str:
    definition = get_playbook().decision_index.get(decision_id)
    return definition.title.get(get_language() or "ja") if definition else decision_id


@register.simple_tag
def role_title(key: str) -> str:
    if not key:
        return ""
    playbook = get_playbook()
    for role in playbook.roles:
        if role.key == key:
            return (
                role.title_en
                if (get_language() or "ja").startswith("en")
                else role.title
            )
    return key


@register.simple_tag
def explain(status) -> str:
    return explain_status(status, get_playbook())


@register.filter
def get_item(mapping, key):
    if not isinstance(mapping, dict):
        return None
    return mapping.get(key)
