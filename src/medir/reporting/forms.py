import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from medir.incidents.models import InfectionSign, Report
from medir.incidents.services import FUTURE_TOLERANCE, JAPAN
from medir.lib import formfields

# A nurse describes what she sees in a few lines; a pasted ransom note can
# be photographed and handed to the security manager instead.
MAX_DESCRIPTION = 2000

# Hyphen-like characters Japanese keyboards produce in phone numbers.
DASHES = str.maketrans({"‐": "-", "‑": "-", "−": "-", "ー": "-", "―": "-"})
PHONE = re.compile(r"[0-9+()\- ]+(?:(?:内線|ext\.?|x) ?[0-9]+)?", re.IGNORECASE)
# Extension only, e.g. 内線1234.
EXTENSION = re.compile(r"(?:内線|ext\.?|x) ?[0-9]+", re.IGNORECASE)


def _no_markup(value: str) -> None:
    if "<" in value or ">" in value:
        raise ValidationError(
            _("Please leave out the characters < and >."), code="markup"
        )


class ReportForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=Report._meta.get_field("reporter_name").max_length,
        validators=[_no_markup],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    department = forms.CharField(
        label=_("Ward or department"),
        required=False,
        max_length=Report._meta.get_field("department_text").max_length,
        validators=[_no_markup],
        widget=forms.TextInput(attrs={"list": "departments", "autocomplete": "off"}),
    )
    callback_number = forms.CharField(
        label=_("Number to call you back"),
        help_text=_("A phone, PHS or extension number that works now."),
        required=False,
        max_length=Report._meta.get_field("callback_number").max_length,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )
    signs = forms.MultipleChoiceField(
        label=_("What did you see?"),
        help_text=_("Tick everything that applies."),
        choices=InfectionSign.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please tick at least one thing you saw.")},
    )
    seen_since = formfields.JapanDateTimeField(
        label=_("Since when? (Japan time)"),
        help_text=_("Leave empty if you do not know."),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        error_messages={
            "invalid": _("Please give a date and time, e.g. 2026-04-01 03:10.")
        },
    )
    description = forms.CharField(
        label=_("Anything else we should know"),
        help_text=_("Which PC or printer, what the screen says, what you did."),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lets phone pickers stop at the present; the server checks anyway.
        latest = timezone.now().astimezone(JAPAN) + FUTURE_TOLERANCE
        self.fields["seen_since"].widget.attrs["max"] = latest.strftime(
            "%Y-%m-%dT%H:%M"
        )

    def clean_callback_number(self) -> str:
        number = unicodedata.normalize("NFKC", self.cleaned_data["callback_number"])
        number = " ".join(number.translate(DASHES).split())
        if not number:
            return ""
        digits = sum(char.isdigit() for char in number)
        if not (PHONE.fullmatch(number) or EXTENSION.fullmatch(number)) or digits < 3:
            raise ValidationError(
                _(
                    "Please give a phone number or extension in digits, "
                    "e.g. 090-1234-5678 or 内線1234."
                ),
                code="phone",
            )
        return number

    def clean_seen_since(self):
        seen_since = self.cleaned_data["seen_since"]
        if seen_since and seen_since > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError(
                _(
                    "That time has not come yet. Please check the date and "
                    "time, or leave it empty."
                ),
                code="future",
            )
        return seen_since
