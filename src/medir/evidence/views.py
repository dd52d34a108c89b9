"""Pages for evidence: the list, registering, custody, downloads, bundles.

Management and the security manager only: registering and custody need
``Action.DECIDE``, anything that takes evidence out needs ``Action.EXPORT``.
Files are only ever sent as attachments, never shown in the browser.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from medir.evidence import forms, services
from medir.evidence.models import EvidenceItem
from medir.evidence.uploads import EvidenceUploadHandler
from medir.incidents.models import Incident
from medir.incidents.permissions import Action, can, require

logger = logging.getLogger(__name__)


def _incident(request, number: str, action: Action) -> Incident:
    incident = get_object_or_404(Incident, number=number)
    require(request.user, action, incident)
    return incident


def _item(incident: Incident, pk: int) -> EvidenceItem:
    return get_object_or_404(EvidenceItem, incident=incident, pk=pk)


def _attempt(form, call) -> object | None:
    if not form.is_valid():
        return None
    try:
        return call()
    except services.EvidenceError as error:
        form.add_error(None, str(error))
        return None


@login_required
@require_GET
def evidence_list(request, number: str):
    incident = _incident(request, number, Action.DECIDE)
    items = incident.evidence_items.prefetch_related("custody")
    return render(
        request,
        "evidence/list.html",
        {
            "incident": incident,
            "items": items,
            "may_export": can(request.user, Action.EXPORT, incident),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@csrf_exempt  # checked below, once the body has been streamed to the store
def upload_evidence(request, number: str):
    """Stream the file into the evidence store while the body arrives.

    The upload handler must be in place before anything reads the body,
    and the CSRF check reads it: so the permission is checked first, the
    body parsed by ``EvidenceUploadHandler``, and CSRF checked after.
    """
    incident = _incident(request, number, Action.DECIDE)
    handler = EvidenceUploadHandler(
        request, root=services.evidence_root(), limit=services.max_upload_bytes()
    )
    request.upload_handlers = [handler]
    if request.method == "POST":
        try:
            request.POST, request.FILES  # noqa: B018 (parses the body)
        except BaseException:
            handler.discard()
            raise
        if handler.refused:
            logger.info("Evidence upload refused incident_id=%s", incident.pk)
            return _upload_page(
                request, incident, forms.UploadForm(), handler.refused, 413
            )
    return _upload_form(request, incident)


def _upload_page(request, incident, form, refusal="", status=200):
    return render(
        request,
        "evidence/upload.html",
        {
            "incident": incident,
            "form": form,
            "refusal": refusal,
            "max_mb": services.max_upload_bytes() // (1024 * 1024),
        },
        status=status,
    )


@csrf_protect
def _upload_form(request, incident: Incident):
    # A step page's "attach a file" link names its step.
    form = forms.UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"step_id": request.GET.get("step", "")},
    )
    if request.method == "POST":
        item = _attempt(
            form,
            lambda: services.register_uploaded_evidence(
                incident,
                actor=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                step_id=form.cleaned_data["step_id"],
                collected_at=form.cleaned_data["collected_at"],
                collected_by=form.cleaned_data["collected_by"],
            ),
        )
        if item is not None:
            messages.success(request, _("Evidence stored."))
            return redirect("evidence:detail", incident.number, item.pk)
    return _upload_page(request, incident, form, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def register_hash_only(request, number: str):
    incident = _incident(request, number, Action.DECIDE)
    form = forms.HashOnlyForm(
        request.POST or None, initial={"step_id": request.GET.get("step", "")}
    )
    if request.method == "POST":
        item = _attempt(
            form,
            lambda: services.register_hash_only_evidence(
                incident,
                actor=request.user,
                sha256=form.cleaned_data["sha256"],
                holder=form.cleaned_data["holder"],
                size=form.cleaned_data["size"],
                original_filename=form.cleaned_data["original_filename"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                step_id=form.cleaned_data["step_id"],
                collected_at=form.cleaned_data["collected_at"],
                collected_by=form.cleaned_data["collected_by"],
            ),
        )
        if item is not None:
            messages.success(request, _("Evidence registered by its hash."))
            return redirect("evidence:detail", incident.number, item.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "evidence/hash_only.html",
        {"incident": incident, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request, number: str, pk: int):
    """An item with its chain of custody and the hand-over form."""
    incident = _incident(request, number, Action.DECIDE)
    item = _item(incident, pk)
    form = forms.CustodyForm(request.POST or None)
    if request.method == "POST":
        transfer = _attempt(
            form,
            lambda: services.record_custody_transfer(
                item, actor=request.user, **form.cleaned_data
            ),
        )
        if transfer is not None:
            messages.success(request, _("Hand-over recorded."))
            return redirect("evidence:detail", incident.number, item.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "evidence/detail.html",
        {
            "incident": incident,
            "item": item,
            "custody": item.custody.all(),
            "form": form,
            "may_export": can(request.user, Action.EXPORT, incident),
        },
        status=status,
    )


@login_required
@require_GET
def download_evidence(request, number: str, pk: int):
    incident = _incident(request, number, Action.EXPORT)
    item = _item(incident, pk)
    path = services.stored_file(item) if not item.hash_only else None
    if path is None or not path.is_file():
        raise Http404("no stored file")
    services.record_download(item, actor=request.user)
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename=item.original_filename or item.sha256,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_bundle(request, number: str):
    incident = _incident(request, number, Action.EXPORT)
    items = list(incident.evidence_items.all())
    form = forms.BundleForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        chosen = [item for item in items if str(item.pk) in form.cleaned_data["items"]]
        bundle = _attempt(
            form,
            lambda: services.export_bundle(incident, actor=request.user, items=chosen),
        )
        if bundle is not None:
            response = FileResponse(
                bundle,
                as_attachment=True,
                filename=f"evidence-{incident.number}.zip",
                content_type="application/octet-stream",
            )
            response["X-Content-Type-Options"] = "nosniff"
            return response
    status = 400 if form.errors else 200
    return render(
        request,
        "evidence/bundle.html",
        {"incident": incident, "form": form},
        status=status,
    )
