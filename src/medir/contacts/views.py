"""The contact directory: who to call, in which order, at any hour."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medir.contacts import selectors
from medir.contacts.csvfile import COLUMNS, CsvFileError, export_contacts_csv
from medir.contacts.services import import_contacts

# The largest CSV file accepted; a hospital's directory is far smaller.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _require_reader(user) -> None:
    if not selectors.may_read_directory(user):
        raise PermissionDenied


def _render_directory(request, *, import_result=None, import_error="", status=200):
    today = timezone.localdate()
    people = list(selectors.get_people())
    organisations = list(selectors.get_organisations())
    context = {
        "people": people,
        "organisations": organisations,
        "warnings": selectors.contact_warnings(today),
        "max_age_days": selectors.max_age_days(),
        "today": today,
        "columns": COLUMNS,
        "is_administrator": selectors.is_administrator(request.user),
        "may_edit": selectors.may_edit_directory(request.user),
        "may_read_systems": selectors.may_read_systems(request.user),
        "out_of_hours": selectors.out_of_hours_contacts(),
        "import_result": import_result,
        "import_error": import_error,
    }
    return render(request, "contacts/directory.html", context, status=status)


@login_required
def directory(request):
    _require_reader(request.user)
    return _render_directory(request)


@login_required
def export_csv(request):
    _require_reader(request.user)
    filename = f"medir-contacts-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(
        export_contacts_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def import_csv(request):
    if not selectors.is_administrator(request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        return _render_directory(
            request, import_error=_("Choose a CSV file to import."), status=400
        )
    if upload.size > MAX_UPLOAD_BYTES:
        return _render_directory(
            request,
            import_error=_("The file is too large for a contact list."),
            status=400,
        )

    try:
        result = import_contacts(
            upload.read(), actor=request.user, apply="apply" in request.POST
        )
    except CsvFileError as error:
        return _render_directory(request, import_error=str(error), status=400)
    return _render_directory(
        request, import_result=result, status=400 if result.errors else 200
    )
