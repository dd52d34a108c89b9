"""Forms for report drafts, built from the kind's fields."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from medir.authority.models import SentVia
from medir.authority.reports.formatting import parse_day, parse_moment
from medir.authority.reports.kinds import ReportField, ReportKind
from medir.authority.reports.services import MAX_LENGTH, MAX_NOTE
from medir.lib.dates import JAPAN
from medir.lib.formfields import JapanDateField, JapanDateTimeField


def _form_field(field: ReportField, language: str) -> forms.Field:
    label = field.label.get(language)
    if field.item:
        label = f"{field.item}. {label}"
    common: dict[str, Any] = {"label": label, "required": False}
    if field.type == "text":
        return forms.CharField(max_length=MAX_LENGTH["text"], **common)
    if field.type == "longtext":
        return forms.CharField(
            max_length=MAX_LENGTH["longtext"],
            widget=forms.Textarea(attrs={"rows": 5}),
            **common,
        )
    if field.type == "date":
        return JapanDateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **common,
        )
    if field.type == "datetime":
        return JapanDateTimeField(
            widget=forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            help_text=_("Japan time"),
            **common,
        )
    if field.type == "number":
        unit = field.unit.get(language) if field.unit else ""
        return forms.IntegerField(min_value=0, help_text=unit, **common)
    choices = [(c.key, c.label.get(language)) for c in field.choices]
    if field.type == "choice":
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple, **common
    )


def initial_values(kind: ReportKind, fields: dict[str, Any]) -> dict[str, Any]:
    """Stored values as the form's widgets show them."""
    initial: dict[str, Any] = {}
    for field in kind.fields:
        value = fields.get(field.key)
        if value is None:
            continue
        if field.type == "datetime":
            moment = parse_moment(value)
            value = moment.astimezone(JAPAN).replace(tzinfo=None) if moment else None
        elif field.type == "date":
            value = parse_day(value)
        initial[field.key] = value
    return initial


class ReportForm(forms.Form):
    # The version (第N報) the page was showing, so that a save after
    # someone else marked it sent is refused instead of silently landing
    # in the wrong version.
    version_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, kind: ReportKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        language = get_language() or "ja"
        for field in kind.fields:
            self.fields[field.key] = _form_field(field, language)

    def report_fields(self) -> dict[str, Any]:
        """Every field's value for the service; None clears a field."""
        values = {}
        for field in self.kind.fields:
            value = self.cleaned_data.get(field.key)
            values[field.key] = None if value in ("", [], None) else value
        return values


class MarkSentForm(forms.Form):
    sent_at = JapanDateTimeField(
        label=_("Sent at (Japan time)"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    sent_via = forms.ChoiceField(
        label=_("Sent via"), choices=SentVia.choices, widget=forms.RadioSelect
    )
    sent_note = forms.CharField(
        label=_("Note (reference number, officer …)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {"sent_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        super().__init__(*args, **kwargs)


class NoticeBatchForm(forms.Form):
    sent_on = JapanDateField(
        label=_("Sent on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=SentVia.choices, widget=forms.RadioSelect
    )
    count = forms.IntegerField(label=_("Number of people"), min_value=1)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
