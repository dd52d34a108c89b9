"""Pages for the awareness time and the personal-data facts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from medir.authority.models import Answer, CountKind, PersonalDataFacts
from medir.authority.selectors import get_ppc_assessment
from medir.authority.services import record_personal_data_facts, set_awareness_time
from medir.incidents.models import Incident
from medir.incidents.permissions import Action, require
from medir.incidents.services import IncidentError
from medir.lib.dates import JAPAN
from medir.lib.formfields import JapanDateTimeField


class FactsForm(forms.ModelForm):
    class Meta:
        model = PersonalDataFacts
        fields = [
            "leaked",
            "lost",
            "damaged",
            "sensitive",
            "financial_risk",
            "wrongful_purpose",
            "strongly_encrypted",
            "people_count",
            "people_count_kind",
            "data_items",
        ]
        widgets = {
            **{
                name: forms.RadioSelect(choices=Answer.choices)
                for name in (
                    "leaked",
                    "lost",
                    "damaged",
                    "sensitive",
                    "financial_risk",
                    "wrongful_purpose",
                )
            },
            "people_count_kind": forms.RadioSelect(choices=CountKind.choices),
            "data_items": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }


class AwarenessForm(forms.Form):
    aware_at = JapanDateTimeField(
        label=gettext_lazy("Awareness time (Japan time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why it changes"), max_length=2000, widget=forms.Textarea
    )


def _incident(request, number: str) -> Incident:
    incident = get_object_or_404(Incident, number=number)
    # The facts decide reports to authorities: management and the
    # security manager only, like decisions.
    require(request.user, Action.DECIDE, incident)
    return incident


@login_required
@require_http_methods(["GET", "POST"])
def edit_facts(request, number: str):
    incident = _incident(request, number)
    current = PersonalDataFacts.objects.filter(incident=incident).first()
    form = FactsForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in FactsForm.Meta.fields}
            try:
                record_personal_data_facts(incident, actor=request.user, **values)
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The personal-data facts are recorded."))
                return redirect("authority:facts", number=incident.number)
        status = 400
    return render(
        request,
        "authority/facts.html",
        {
            "incident": incident,
            "form": form,
            "assessment": get_ppc_assessment(incident),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_awareness(request, number: str):
    incident = _incident(request, number)
    initial = {
        "aware_at": (incident.aware_at or incident.reported_at).astimezone(JAPAN)
    }
    form = AwarenessForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            aware_at = form.cleaned_data["aware_at"]
            if aware_at.tzinfo is None:
                aware_at = aware_at.replace(tzinfo=JAPAN)
            try:
                set_awareness_time(
                    incident,
                    actor=request.user,
                    aware_at=aware_at,
                    reason=form.cleaned_data["reason"],
                )
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The awareness time is corrected."))
                return redirect("incidents:detail", number=incident.number)
        status = 400
    return render(
        request,
        "authority/awareness.html",
        {"incident": incident, "form": form},
        status=status,
    )
