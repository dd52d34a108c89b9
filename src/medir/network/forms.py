"""Forms for adding and changing network things; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from medir.network.models import (
    Asset,
    AssetKind,
    AssetVersion,
    ExternalKind,
    Segment,
    SegmentPurpose,
    SegmentVersion,
)
from medir.organisation.models import Organisation, RemoteAccessDevice, System


def _segment_choices():
    current = SegmentVersion.objects.current().order_by("name")
    return [("", "—"), *((v.segment_id, v.name) for v in current)]


def _asset_choices():
    current = AssetVersion.objects.current().order_by("name")
    return [("", "—"), *((v.asset_id, v.name) for v in current)]


class NetworkForm(forms.Form):
    def values(self) -> dict[str, Any]:
        """The cleaned data as the service's keyword arguments."""
        return dict(self.cleaned_data)


class SegmentForm(NetworkForm):
    name = forms.CharField(label=_("name"), max_length=100)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    purpose = forms.ChoiceField(label=_("purpose"), choices=SegmentPurpose.choices)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea)


class AssetForm(NetworkForm):
    kind = forms.ChoiceField(label=_("kind"), choices=AssetKind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    segment = forms.TypedChoiceField(
        label=_("segment"), coerce=int, required=False, empty_value=None
    )
    system = forms.ModelChoiceField(
        label=_("system"), queryset=System.objects.all(), required=False
    )
    remote_access_device = forms.ModelChoiceField(
        label=_("remote-access device"),
        queryset=RemoteAccessDevice.objects.select_related("system"),
        required=False,
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = _segment_choices()

    def values(self) -> dict[str, Any]:
        values = super().values()
        segment = values.pop("segment")
        values["segment"] = Segment.objects.get(pk=segment) if segment else None
        return values


class ConnectionForm(NetworkForm):
    source = forms.TypedChoiceField(label=_("from"), coerce=int)
    target = forms.TypedChoiceField(label=_("to"), coerce=int)
    label = forms.CharField(label=_("label"), max_length=100, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = _asset_choices()
        self.fields["target"].choices = _asset_choices()

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["source"] = Asset.objects.get(pk=values["source"])
        values["target"] = Asset.objects.get(pk=values["target"])
        return values


class ExternalConnectionForm(NetworkForm):
    asset = forms.TypedChoiceField(label=_("asset"), coerce=int)
    kind = forms.ChoiceField(label=_("kind"), choices=ExternalKind.choices)
    party = forms.CharField(label=_("outside party"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("outside organisation"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    is_remote_maintenance = forms.BooleanField(
        label=_("remote maintenance"), required=False
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = _asset_choices()

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["asset"] = Asset.objects.get(pk=values["asset"])
        return values


def initial_from(version) -> dict[str, Any]:
    """A current version's details as a form's initial values."""
    initial = {}
    for field in version._meta.concrete_fields:
        if field.name in ("id", "valid_from", "valid_to", "recorded_by", "ended_by"):
            continue
        initial[field.name] = getattr(version, field.attname)
    return initial
