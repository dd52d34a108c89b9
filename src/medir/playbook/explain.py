"""Sentences that say why a step waits or does not apply."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from medir.playbook.engine import Status, StepStatus
from medir.playbook.schema import Playbook


def _subject_name(playbook: Playbook, subject: str, language: str) -> str:
    decision = playbook.decision_index.get(subject)
    if decision is not None:
        return _("the decision “%(title)s” (%(step)s)") % {
            "title": decision.title.get(language),
            "step": decision.step,
        }
    for fact in playbook.facts:
        if fact.key == subject:
            return _("“%(fact)s”") % {"fact": fact.label.get(language)}
    return subject


def explain_status(status: StepStatus, playbook: Playbook) -> str:
    """One sentence for a waiting or not-applicable step; empty otherwise."""
    language = get_language() or "ja"
    if status.status == Status.WAITING:
        parts = [_("step %(step)s") % {"step": s} for s in status.waiting_for_steps]
        parts += [_subject_name(playbook, s, language) for s in status.waiting_for]
        return _("Waiting for %(items)s.") % {"items": _(", ").join(parts)}
    if status.status == Status.NOT_APPLICABLE:
        if status.ruled_out_by:
            names = [_subject_name(playbook, s, language) for s in status.ruled_out_by]
            return _("Does not apply because of %(items)s.") % {
                "items": _(", ").join(names)
            }
        return _("Does not apply because the steps before it do not apply.")
    return ""
