"""The public report page: no account needed, one screen, then what to do.

Nothing here may log names, numbers or the description: only ids.
"""

import logging

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from medir.incidents.models import InfectionSign, Report
from medir.incidents.services import IncidentError, file_report
from medir.reporting.forms import ReportForm
from medir.reporting.limits import is_report_limited
from medir.reporting.selectors import (
    active_stop_use_notices,
    department_names,
    find_department,
    security_manager_contacts,
)
from medir.reporting.tokens import make_sent_token, read_sent_token

logger = logging.getLogger(__name__)


@sensitive_post_parameters("name", "department", "callback_number", "description")
@require_http_methods(["GET", "HEAD", "POST"])
def report(request):
    if request.method == "POST":
        if is_report_limited(request):
            logger.warning("Report refused by the rate limit")
            context = {"contacts": security_manager_contacts()}
            return render(request, "reporting/too_many.html", context, status=429)

        form = ReportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = request.user
            try:
                # Every report from this page opens its own reported
                # incident, never attaching itself to another by guesswork:
                # the security manager sees each one and merges duplicates
                # when confirming them (1-4, merge_incident).
                filed = file_report(
                    actor=user if user.is_authenticated else None,
                    reporter_name=data["name"],
                    department=find_department(data["department"]),
                    department_text=data["department"],
                    callback_number=data["callback_number"],
                    signs=data["signs"],
                    seen_since=data["seen_since"],
                    description=data["description"],
                )
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                return redirect("reporting:sent", token=make_sent_token(filed.pk))
    else:
        form = ReportForm()

    context = {
        "form": form,
        "notices": active_stop_use_notices(),
        "departments": department_names(),
        "contacts": security_manager_contacts(),
    }
    # A refused report says so in its status too, as every other form does.
    status = 400 if form.errors else 200
    return render(request, "reporting/report.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def report_sent(request, token: str):
    report_id = read_sent_token(token)
    filed = (
        Report.objects.select_related("incident").filter(pk=report_id).first()
        if report_id is not None
        else None
    )
    if filed is None:
        raise Http404("No such report link")

    labels = dict(InfectionSign.choices)
    context = {
        "report": filed,
        "signs": [labels.get(sign, sign) for sign in filed.signs],
        "contacts": security_manager_contacts(),
    }
    return render(request, "reporting/sent.html", context)
