"""Forms for the incident pages.

They check what a person typed and turn it into the arguments of one
service function; the rules of the response itself (what may follow what,
who may revise) stay in the services, which answer with ``IncidentError``.
"""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from medir.incidents.models import EntrySource
from medir.lib import formfields
from medir.organisation.models import System
from medir.playbook.schema import Decision, Step

# Paper forms and wall clocks in the hospital show Japan time, whatever
# the laptop running MedIR is set to.
JAPAN = ZoneInfo("Asia/Tokyo")

MAX_TEXT = 10_000


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = value.astimezone(JAPAN)
        return super().format_value(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class JapanDateTimeField(formfields.JapanDateTimeField):
    """A date and time from a ``datetime-local`` input, read as Japan time."""

    widget = DateTimeLocalInput


def _text(label, *, required: bool = False, long: bool = False, rows: int = 3):
    widget = forms.Textarea(attrs={"rows": rows}) if long else forms.TextInput
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAX_TEXT,
        widget=widget,
        strip=True,
    )


class PaperForm(forms.Form):
    """Every entry may be copied in later from paper, keeping the time
    written there; the timeline then marks it as transcribed."""

    transcribed = forms.BooleanField(label=_("Transcribed from paper"), required=False)
    paper_time = JapanDateTimeField(
        label=_("Time written on paper (Japan time)"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        transcribed = cleaned.get("transcribed")
        paper_time = cleaned.get("paper_time")
        if transcribed and paper_time is None and "paper_time" not in self.errors:
            self.add_error("paper_time", _("Give the time written on paper."))
        if paper_time is not None and not transcribed:
            self.add_error(
                "transcribed",
                _("Tick this box to record the time written on paper."),
            )
        return cleaned

    def entry_kwargs(self) -> dict[str, Any]:
        """``source`` and ``happened_at`` for the service call."""
        if self.cleaned_data.get("transcribed"):
            return {
                "source": EntrySource.TRANSCRIBED,
                "happened_at": self.cleaned_data["paper_time"],
            }
        return {"source": EntrySource.LIVE, "happened_at": None}


# --- Lifecycle -------------------------------------------------------------


class ConfirmForm(PaperForm):
    title = forms.CharField(
        label=_("Title (optional, replaces the current one)"),
        required=False,
        max_length=200,
    )
    reason = _text(_("Note (optional)"), long=True, rows=2)


class DismissForm(PaperForm):
    reason = _text(_("Why is it a false alarm?"), required=True, long=True)


class MergeForm(PaperForm):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=None,
        to_field_name="number",
        empty_label=_("Choose an open incident"),
    )
    reason = _text(_("Why merge?"), required=True, long=True, rows=2)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = targets
        self.fields["into"].label_from_instance = lambda incident: (
            f"{incident.number} {incident.title}"
        )


class CloseForm(PaperForm):
    reason = _text(_("Closing remarks (optional)"), long=True, rows=2)


# --- Stop-use notices and sharing ------------------------------------------


class NoticeForm(PaperForm):
    message = _text(
        _("What must not be used, and what to do instead"), required=True, long=True
    )
    systems = forms.ModelMultipleChoiceField(
        label=_("Systems"),
        queryset=System.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        english = (get_language() or "ja").startswith("en")
        self.fields["systems"].label_from_instance = lambda system: (
            system.name_en if english and system.name_en else system.name
        )


class LiftNoticeForm(PaperForm):
    reason = _text(_("Why can the systems be used again?"), required=True, long=True)


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Outside organisation"),
        queryset=None,
        empty_label=_("Choose an organisation"),
    )
    extra_steps = forms.MultipleChoiceField(
        label=_("Also share these steps"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisations, extra_steps: list[Step], **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "ja"
        self.fields["organisation"].queryset = organisations
        self.fields["extra_steps"].choices = [
            (step.id, f"{step.id} {step.title_for(language)}") for step in extra_steps
        ]


# --- Steps -----------------------------------------------------------------


class OutOfOrderMixin:
    """A step not due yet in the flowchart may still be recorded, with a
    reason; a step that is due asks for none."""

    def ask_reason_if(self, out_of_order: bool) -> None:
        if out_of_order:
            # The service asks for it too; asking here keeps what was typed.
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    def reason(self) -> str:
        return self.cleaned_data.get("reason", "")


class StartStepForm(OutOfOrderMixin, PaperForm):
    reason = _text(_("Reason for recording out of order"), long=True, rows=2)

    def __init__(self, *args, out_of_order: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_reason_if(out_of_order)


class SkipStepForm(PaperForm):
    reason = _text(_("Why skip this step?"), required=True, long=True, rows=2)


class NoteForm(PaperForm):
    text = _text(_("Note"), required=True, long=True)


def record_field_name(key: str) -> str:
    return f"record_{key}"


def _record_field(field, language: str) -> forms.Field:
    label = field.label.get(language)
    kind = field.type
    if kind == "longtext":
        return _text(label, long=True)
    if kind == "datetime":
        return JapanDateTimeField(label=label, required=False)
    if kind == "date":
        return formfields.JapanDateField(label=label, required=False, widget=DateInput)
    if kind == "choice":
        choices = [("", "---------")] + [
            (choice.key, choice.text.get(language)) for choice in field.choices
        ]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False)
    if kind == "number":
        return forms.FloatField(label=label, required=False)
    return _text(label)


class CompleteStepForm(OutOfOrderMixin, PaperForm):
    """The step's checklist and record fields, built from the playbook."""

    checklist = forms.MultipleChoiceField(
        label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = _text(_("Note (optional)"), long=True, rows=2)
    reason = _text(_("Reason for recording out of order"), long=True, rows=2)

    field_order = ["checklist"]

    def __init__(
        self, *args, step: Step, records=None, out_of_order: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        language = get_language() or "ja"
        self.step = step
        self.ask_reason_if(out_of_order)
        self.fields["checklist"].choices = [
            (item.key, item.text.get(language)) for item in step.checklist
        ]
        if not step.checklist:
            del self.fields["checklist"]
        records = records or {}
        for record in step.records:
            name = record_field_name(record.key)
            self.fields[name] = _record_field(record, language)
            self.fields[name].required = record.required
            if record.key in records:
                self.initial[name] = records[record.key]
        self.order_fields(
            ["checklist"]
            + [record_field_name(r.key) for r in step.records]
            + ["note", "reason", "transcribed", "paper_time"]
        )

    def record_fields(self):
        return [self[record_field_name(r.key)] for r in self.step.records]

    def checklist_keys(self) -> list[str]:
        return list(self.cleaned_data.get("checklist") or [])

    def records(self) -> dict[str, Any]:
        """What was filled in, as the service stores it; empty fields are
        left out so they keep any earlier value."""
        result: dict[str, Any] = {}
        for record in self.step.records:
            value = self.cleaned_data.get(record_field_name(record.key))
            if record.type == "boolean":
                result[record.key] = bool(value)
            elif value is None or value == "":
                continue
            elif record.type == "datetime" or record.type == "date":
                result[record.key] = value.isoformat()
            elif record.type == "number":
                result[record.key] = int(value) if value.is_integer() else value
            else:
                result[record.key] = value
        return result


class DecisionForm(PaperForm):
    """One playbook decision: one outcome, or several for ``multiple``."""

    reason = _text(_("Why"), long=True, rows=2)

    def __init__(self, *args, definition: Decision, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        language = get_language() or "ja"
        self.definition = definition
        self.current = current
        choices = [(o.key, o.label.get(language)) for o in definition.outcomes]
        if definition.kind == "multiple":
            field = forms.MultipleChoiceField(
                label=_("Outcomes"),
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            field = forms.ChoiceField(
                label=_("Outcome"), choices=choices, widget=forms.RadioSelect
            )
        self.fields["outcome"] = field
        if current is not None:
            self.initial["outcome"] = current.outcome
            # A revision must say why; the service refuses it otherwise.
            self.fields["reason"].required = True
            self.fields["reason"].label = _("Why revise")
        self.order_fields(["outcome", "reason", "transcribed", "paper_time"])

    def outcome(self) -> str | list[str]:
        value = self.cleaned_data["outcome"]
        return list(value) if self.definition.kind == "multiple" else value
