"""The paper kit's page and its download."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from medir.authority.reports.outputs import content_disposition
from medir.kit import selectors
from medir.kit.checks import public_url_is_this_machine
from medir.kit.models import PrintedVia
from medir.kit.pdf import printed_label
from medir.kit.sections import report_url
from medir.kit.services import print_kit


def _require_printer(user) -> None:
    if not selectors.may_print_kit(user):
        raise PermissionDenied


@login_required
def kit_page(request):
    _require_printer(request.user)
    status = selectors.kit_status()
    last = status.last
    return render(
        request,
        "kit/page.html",
        {
            "status": status,
            "last_printed": printed_label(last.printed_at) if last else "",
            "report_url": report_url(),
            "url_is_local": public_url_is_this_machine(),
        },
    )


@login_required
@require_POST
def download(request):
    # A POST: each download is a print that is recorded and audited.
    _require_printer(request.user)
    kit, printed = print_kit(actor=request.user, via=PrintedVia.WEB)
    day = timezone.localtime(printed.printed_at).strftime("%Y%m%d")
    response = HttpResponse(kit.pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        f"紙運用キット_{day}_{kit.data_version}.pdf",
        f"medir-kit-{day}-{kit.data_version}.pdf",
    )
    return response
