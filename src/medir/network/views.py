"""The network diagram page, its history, and the forms that change it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medir.contacts.csvfile import CsvFileError
from medir.network import forms, selectors, services
from medir.network.csvfile import COLUMNS, export_network_csv, import_network
from medir.network.diagram import render_network_svg

# The largest CSV file accepted; a hospital's network is far smaller.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Page:
    kind: services.Kind
    form: type[forms.NetworkForm]
    add: Callable
    change: Callable
    remove: Callable


PAGES = {
    "segments": Page(
        services.SEGMENT,
        forms.SegmentForm,
        services.add_segment,
        services.change_segment,
        services.remove_segment,
    ),
    "assets": Page(
        services.ASSET,
        forms.AssetForm,
        services.add_asset,
        services.change_asset,
        services.remove_asset,
    ),
    "connections": Page(
        services.CONNECTION,
        forms.ConnectionForm,
        services.add_connection,
        services.change_connection,
        services.remove_connection,
    ),
    "external": Page(
        services.EXTERNAL,
        forms.ExternalConnectionForm,
        services.add_external_connection,
        services.change_external_connection,
        services.remove_external_connection,
    ),
}


def _require_viewer(user) -> None:
    if not selectors.may_view(user):
        raise PermissionDenied


def _require_editor(user) -> None:
    if not selectors.may_edit(user):
        raise PermissionDenied


def _page(slug: str) -> Page:
    if slug not in PAGES:
        raise Http404
    return PAGES[slug]


def _current(page: Page, pk: int):
    identity = get_object_or_404(page.kind.identity, pk=pk)
    version = (
        page.kind.version.objects.current().filter(**{page.kind.link: identity}).first()
    )
    if version is None:
        raise Http404
    return identity, version


def _attempt(form, call: Callable[[], object]) -> bool:
    """Run the service if the form is valid; a refusal becomes the form's
    error, beside what was typed."""
    if not form.is_valid():
        return False
    try:
        call()
    except services.NetworkError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return False
    return True


def _render_index(
    request,
    *,
    moment=None,
    as_of_text="",
    as_of_error="",
    bound=None,
    error="",
    import_result=None,
    import_error="",
    status=200,
):
    state = selectors.network_as_of(moment)
    editing = selectors.may_edit(request.user) and moment is None
    add_forms = {slug: page.form() for slug, page in PAGES.items()} if editing else {}
    add_forms.update(bound or {})
    context = {
        "state": state,
        "svg": render_network_svg(
            as_of=moment, language=get_language() or "ja", state=state
        ),
        "moment": moment,
        "as_of_text": as_of_text,
        "as_of_error": as_of_error,
        "editing": editing,
        "forms": add_forms,
        "error": error,
        "columns": COLUMNS,
        "import_result": import_result,
        "import_error": import_error,
    }
    return render(request, "network/index.html", context, status=status)


def _moment(request):
    """The ``as_of`` of the request, or None; AsOfError when it is bad."""
    text = request.GET.get("as_of", "").strip()
    return (selectors.parse_as_of(text) if text else None), text


@login_required
def index(request):
    _require_viewer(request.user)
    try:
        moment, text = _moment(request)
    except selectors.AsOfError as error:
        return _render_index(
            request,
            as_of_text=request.GET.get("as_of", "")[:40],
            as_of_error=str(error),
            status=400,
        )
    return _render_index(request, moment=moment, as_of_text=text)


@login_required
def diagram_svg(request):
    _require_viewer(request.user)
    try:
        moment, _text = _moment(request)
    except selectors.AsOfError as error:
        return HttpResponse(
            str(error), status=400, content_type="text/plain; charset=utf-8"
        )
    svg = render_network_svg(as_of=moment, language=get_language() or "ja")
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@login_required
def history(request):
    _require_viewer(request.user)
    return render(request, "network/history.html", {"changes": selectors.get_history()})


@login_required
@require_POST
def add(request, kind: str):
    page = _page(kind)
    _require_editor(request.user)
    form = page.form(request.POST)
    if _attempt(form, lambda: page.add(actor=request.user, **form.values())):
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('network:index')}#{kind}")
    return _render_index(request, bound={kind: form}, status=400)


@login_required
def edit(request, kind: str, pk: int):
    page = _page(kind)
    _require_editor(request.user)
    identity, version = _current(page, pk)
    if request.method == "POST":
        form = page.form(request.POST)
        call = lambda: page.change(identity, actor=request.user, **form.values())  # noqa: E731
        if _attempt(form, call):
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('network:index')}#{kind}")
        status = 400
    else:
        form = page.form(initial=forms.initial_from(version))
        status = 200
    context = {"form": form, "kind": kind, "version": version, "pk": pk}
    return render(request, "network/edit.html", context, status=status)


@login_required
@require_POST
def remove(request, kind: str, pk: int):
    page = _page(kind)
    _require_editor(request.user)
    identity, _version = _current(page, pk)
    try:
        page.remove(identity, actor=request.user)
    except services.NetworkError as error:
        return _render_index(request, error=str(error), status=400)
    messages.success(request, _("Removed. It stays in the history."))
    return redirect(f"{reverse('network:index')}#{kind}")


@login_required
def export_csv(request):
    _require_viewer(request.user)
    filename = f"medir-network-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(
        export_network_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def import_csv(request):
    _require_editor(request.user)
    upload = request.FILES.get("file")
    if upload is None:
        return _render_index(
            request, import_error=_("Choose a CSV file to import."), status=400
        )
    if upload.size > MAX_UPLOAD_BYTES:
        return _render_index(
            request,
            import_error=_("The file is too large for a network list."),
            status=400,
        )
    try:
        result = import_network(
            upload.read(), actor=request.user, apply="apply" in request.POST
        )
    except CsvFileError as error:
        return _render_index(request, import_error=str(error), status=400)
    return _render_index(
        request, import_result=result, status=400 if result.errors else 200
    )
