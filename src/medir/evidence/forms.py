from django import forms
from django.utils.translation import gettext_lazy as _

from medir.evidence.models import EVIDENCE_STEPS, EvidenceKind
from medir.lib.formfields import JapanDateTimeField
from medir.playbook.schema import get_playbook


def step_choices() -> list[tuple[str, str]]:
    """The steps that ask for evidence first, then every other step."""
    others = [step.id for step in get_playbook().steps if step.id not in EVIDENCE_STEPS]
    return [("", "—"), *((step, step) for step in (*EVIDENCE_STEPS, *others))]


def _moment(label):
    return JapanDateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class _ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    step_id = forms.ChoiceField(label=_("Step"), choices=step_choices, required=False)
    collected_at = _moment(_("Collected at (Japan time)"))
    collected_by = forms.CharField(label=_("Collected by"), max_length=200)


class UploadForm(_ItemForm):
    file = forms.FileField(label=_("File"))


class HashOnlyForm(_ItemForm):
    sha256 = forms.CharField(label=_("SHA-256"), max_length=64, min_length=64)
    holder = forms.CharField(label=_("Held by (vendor, police …)"), max_length=200)
    size = forms.IntegerField(label=_("Size in bytes"), required=False, min_value=0)
    original_filename = forms.CharField(
        label=_("Original file name"), max_length=255, required=False
    )


class CustodyForm(forms.Form):
    from_holder = forms.CharField(label=_("From"), max_length=200)
    to_holder = forms.CharField(label=_("To"), max_length=200)
    handed_at = _moment(_("Handed over at (Japan time)"))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    stored_at = forms.CharField(label=_("Where it is kept"), max_length=200)


class BundleForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Items"), widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [
            (str(item.pk), f"{item.title} ({item.sha256[:12]}…)") for item in items
        ]
