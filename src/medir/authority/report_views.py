"""Pages for drafting, versioning and exporting the reports authorities
need.

Drafting and recording a report as sent are management's and the security
manager's work (``Action.DECIDE``); taking a file out of MedIR is
``Action.EXPORT``. Every POST checks its form, calls one service function
and redirects; a refusal shows the page again with the message and changes
nothing. MedIR never sends a report itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from medir.authority.reports import outputs
from medir.authority.reports.formatting import version_label
from medir.authority.reports.forms import (
    MarkSentForm,
    NoticeBatchForm,
    ReportForm,
    initial_values,
)
from medir.authority.reports.kinds import ReportKind, get_kind
from medir.authority.reports.prefill import prefill
from medir.authority.reports.services import (
    edit_report,
    mark_copy_sent,
    mark_report_sent,
    record_notice_batch,
    record_report_export,
)
from medir.authority.reports_queries import (
    editing_state,
    get_version,
    notice_batches,
    report_overview,
)
from medir.authority.selectors import get_ppc_assessment
from medir.incidents.models import Incident
from medir.incidents.permissions import Action, can, require
from medir.incidents.services import IncidentError

NOTICE_KIND = "notice_to_individuals"


def _incident(request, number: str, action: Action) -> Incident:
    incident = get_object_or_404(Incident, number=number)
    require(request.user, action, incident)
    return incident


def _kind(key: str) -> ReportKind:
    kind = get_kind(key)
    if kind is None:
        raise Http404("no such report")
    return kind


def _list_url(incident: Incident) -> str:
    return reverse("authority:reports", args=[incident.number])


def _version_url(incident: Incident, kind: str, number: int) -> str:
    return reverse("authority:report_version", args=[incident.number, kind, number])


@login_required
@require_GET
def report_list(request, number: str):
    incident = _incident(request, number, Action.DECIDE)
    return render(
        request,
        "authority/reports/list.html",
        {
            "incident": incident,
            "rows": report_overview(incident),
            "assessment": get_ppc_assessment(incident),
            "batches": notice_batches(incident),
            "can_export": can(request.user, Action.EXPORT, incident),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, number: str, kind: str):
    incident = _incident(request, number, Action.DECIDE)
    report_kind = _kind(kind)
    state = editing_state(incident, report_kind)
    values = state.fields
    # On request, pull in what the incident recorded since the draft
    # began; fields MedIR cannot fill keep what people wrote.
    if request.method == "GET" and request.GET.get("refill"):
        values = {**values, **prefill(report_kind, incident)}
    form = ReportForm(
        request.POST or None,
        kind=report_kind,
        initial={**initial_values(report_kind, values), "version_number": state.number},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = edit_report(
                    incident,
                    kind=kind,
                    fields=form.report_fields(),
                    number=form.cleaned_data["version_number"],
                    actor=request.user,
                )
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(version)s is saved.")
                    % {"version": version_label(version.number)},
                )
                return redirect(_version_url(incident, kind, version.number))
        status = 400
    return render(
        request,
        "authority/reports/edit.html",
        {
            "incident": incident,
            "kind": report_kind,
            "state": state,
            "form": form,
            "version_name": version_label(state.number),
        },
        status=status,
    )


def _version_page(request, incident, report_kind, version, *, failed=None):
    """The version's content, downloads, and the forms that record it (or
    a copy of it) as sent. ``failed`` is (variant, form) of a refused
    submission, shown again with its message."""
    failed_variant, failed_form = failed or (None, None)
    sent_form = None
    if not version.is_sent:
        sent_form = failed_form if failed_variant == "" else MarkSentForm()
    copies_sent = {copy.variant: copy for copy in version.copies_sent.all()}
    copies = [
        {
            "variant": variant,
            "sent": copies_sent.get(variant.key),
            "form": None
            if variant.key in copies_sent
            else (
                failed_form
                if failed_variant == variant.key
                else MarkSentForm(prefix=variant.key)
            ),
        }
        for variant in report_kind.variants
    ]
    is_notice = report_kind.key == NOTICE_KIND
    return render(
        request,
        "authority/reports/version.html",
        {
            "incident": incident,
            "kind": report_kind,
            "version": version,
            "version_name": version_label(version.number),
            "rows": outputs.build_document(version).rows,
            "sent_form": sent_form,
            "copies": copies,
            "batch_form": NoticeBatchForm() if is_notice else None,
            "batches": notice_batches(incident) if is_notice else [],
            "can_export": can(request.user, Action.EXPORT, incident),
        },
        status=400 if failed else 200,
    )


@login_required
@require_GET
def report_version(request, number: str, kind: str, version: int):
    incident = _incident(request, number, Action.DECIDE)
    report_kind = _kind(kind)
    found = get_version(incident, kind, version)
    if found is None:
        raise Http404("no such version")
    return _version_page(request, incident, report_kind, found)


@login_required
@require_POST
def report_mark_sent(request, number: str, kind: str, version: int, variant: str = ""):
    incident = _incident(request, number, Action.DECIDE)
    report_kind = _kind(kind)
    found = get_version(incident, kind, version)
    if found is None or (variant and report_kind.variant(variant) is None):
        raise Http404("no such version")
    form = MarkSentForm(request.POST, prefix=variant or None)
    if form.is_valid():
        values = form.cleaned_data
        try:
            if variant:
                mark_copy_sent(found, variant=variant, actor=request.user, **values)
            else:
                mark_report_sent(found, actor=request.user, **values)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(report)s %(version)s is recorded as sent.")
                % {
                    "report": report_kind.title.ja,
                    "version": version_label(found.number),
                },
            )
            return redirect(_list_url(incident))
    return _version_page(request, incident, report_kind, found, failed=(variant, form))


@login_required
@require_POST
def add_notice_batch(request, number: str):
    incident = _incident(request, number, Action.DECIDE)
    form = NoticeBatchForm(request.POST)
    if form.is_valid():
        try:
            record_notice_batch(incident, actor=request.user, **form.cleaned_data)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The notices are recorded."))
            return redirect(_list_url(incident) + "#notices")
    return render(
        request,
        "authority/reports/notice_batch.html",
        {"incident": incident, "form": form},
        status=400,
    )


@login_required
@require_GET
def report_download(
    request, number: str, kind: str, version: int, fmt: str, variant: str = ""
):
    incident = _incident(request, number, Action.EXPORT)
    report_kind = _kind(kind)
    if fmt not in report_kind.outputs:
        raise Http404("no such format")
    if variant and report_kind.variant(variant) is None:
        raise Http404("no such variant")
    found = get_version(incident, kind, version)
    if found is None:
        raise Http404("no such version")

    content = outputs.render(found, fmt, variant)
    record_report_export(found, actor=request.user, fmt=fmt, variant=variant)
    response = HttpResponse(content, content_type=outputs.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = outputs.content_disposition(
        *outputs.file_names(found, fmt, variant)
    )
    # Personal data: keep it out of shared caches and the browser's.
    response["Cache-Control"] = "no-store"
    return response
