"""Forms for editing the directory, the call tree and recording calls.

They check what was typed and hand it to one service function; the rules
(unique names, no loops, no self-deputies) stay in the services, which
answer with ``ContactError``.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medir.contacts.models import CallOutcome, CallWhen
from medir.incidents.forms import DateInput, JapanDateTimeField
from medir.lib.formfields import JapanDateField
from medir.organisation.models import (
    Authority,
    ChannelKind,
    Department,
    MaintenanceKind,
    Organisation,
    OrganisationKind,
    Person,
    Role,
)


class PersonForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    job_title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Outside organisation"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deputy_for = forms.ModelChoiceField(
        label=_("Deputy for"),
        queryset=Person.objects.reachable(),
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, person: Person | None = None, **kwargs):
        if person is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "display_name": person.display_name,
                "job_title": person.job_title,
                "department": person.department_id,
                "organisation": person.organisation_id,
                "roles": sorted(person.role_keys()),
                "deputy_for": person.deputy_for_id,
                "is_active": person.is_active,
            }
        super().__init__(*args, **kwargs)
        if person is not None:
            self.fields["deputy_for"].queryset = Person.objects.filter(
                is_active=True
            ).exclude(pk=person.pk)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    authority = forms.ChoiceField(
        label=_("Authority"),
        choices=[("", "—"), *Authority.choices],
        required=False,
        help_text=_("For authorities: which one, so each step shows it."),
    )
    source_url = forms.URLField(
        label=_("Source URL"), required=False, assume_scheme="https"
    )
    needs_verification = forms.BooleanField(
        label=_("To be verified (要確認)"), required=False
    )
    verified_on = JapanDateField(
        label=_("Verified on"), required=False, widget=DateInput()
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                field: getattr(organisation, field)
                for field in (
                    "name",
                    "name_en",
                    "kind",
                    "authority",
                    "source_url",
                    "needs_verification",
                    "verified_on",
                    "notes",
                )
            }
        super().__init__(*args, **kwargs)


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    value = forms.CharField(label=_("Number or address"), max_length=200)
    label = forms.CharField(
        label=_("Note"),
        max_length=100,
        required=False,
        help_text=_("e.g. night desk, weekdays 9-17"),
    )
    out_of_hours = forms.BooleanField(label=_("Reachable out of hours"), required=False)
    source_url = forms.URLField(
        label=_("Source URL"), required=False, assume_scheme="https"
    )
    needs_verification = forms.BooleanField(
        label=_("To be verified (要確認)"), required=False
    )
    verified_on = JapanDateField(
        label=_("Verified on"), required=False, widget=DateInput()
    )

    def __init__(self, *args, channel=None, **kwargs):
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                field: getattr(channel, field)
                for field in (
                    "kind",
                    "value",
                    "label",
                    "out_of_hours",
                    "source_url",
                    "needs_verification",
                    "verified_on",
                )
            }
        super().__init__(*args, **kwargs)


class CallTreeLinkForm(forms.Form):
    caller = forms.ModelChoiceField(
        label=_("Caller"), queryset=Person.objects.reachable()
    )
    callee_person = forms.ModelChoiceField(
        label=_("Calls this person"),
        queryset=Person.objects.reachable(),
        required=False,
    )
    callee_organisation = forms.ModelChoiceField(
        label=_("or this organisation"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    position = forms.IntegerField(
        label=_("Order"), min_value=1, max_value=99, initial=1
    )
    when = forms.ChoiceField(label=_("When"), choices=CallWhen.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, link=None, **kwargs):
        if link is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "caller": link.caller_id,
                "callee_person": link.callee_person_id,
                "callee_organisation": link.callee_organisation_id,
                "position": link.position,
                "when": link.when,
                "note": link.note,
            }
        super().__init__(*args, **kwargs)


class WorkLogForm(forms.Form):
    performed_at = JapanDateTimeField(label=_("Performed at (Japan time)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MaintenanceKind.choices)
    performed_by_organisation = forms.ModelChoiceField(
        label=_("Performed by (organisation)"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    performed_by = forms.CharField(
        label=_("Performed by (name)"), max_length=200, required=False
    )
    summary = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if not (
            cleaned.get("performed_by") or cleaned.get("performed_by_organisation")
        ):
            raise forms.ValidationError(_("Say who performed the work."))
        moment = cleaned.get("performed_at")
        if moment is not None and moment > timezone.now() + dt.timedelta(minutes=5):
            self.add_error("performed_at", _("The work cannot lie in the future."))
        return cleaned


class CallForm(forms.Form):
    """ "Call made" beside a contact on a step page."""

    callee = forms.CharField(widget=forms.HiddenInput)
    happened_at = JapanDateTimeField(label=_("When (Japan time)"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices)
    note = forms.CharField(label=_("Short note"), max_length=500, required=False)

    def clean_callee(self):
        value = self.cleaned_data["callee"]
        kind, _sep, pk = value.partition(":")
        model = {"person": Person, "organisation": Organisation}.get(kind)
        if model is None or not pk.isdigit():
            raise forms.ValidationError(_("Choose whom you called."))
        callee = model.objects.filter(pk=int(pk)).first()
        if callee is None:
            raise forms.ValidationError(_("Choose whom you called."))
        return callee
