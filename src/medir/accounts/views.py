"""Second-factor pages, the break-glass log-in and acknowledging its uses."""

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken

from medir.accounts import break_glass, two_factor
from medir.accounts.backends import is_break_glass_account
from medir.accounts.forms import BreakGlassForm, CodeForm
from medir.accounts.models import BreakGlassUse
from medir.accounts.signals import client_ip


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return "/incidents/"


def _locked_out(request, credentials):
    """Hand the request to axes's lock-out page, logged out: the password
    step is locked for the same pair anyway."""
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    request.medir_two_factor_locked = True
    return render(request, "accounts/verify.html", {"form": CodeForm()})


@login_required
def status(request):
    user = request.user
    return render(
        request,
        "accounts/status.html",
        {
            "enabled": two_factor.has_confirmed_device(user),
            "required": two_factor.requires_two_factor(user),
            "recovery_codes_left": StaticToken.objects.filter(
                device__user_id=user.pk
            ).count(),
        },
    )


@login_required
def enrol(request):
    user = request.user
    next_url = _next_url(request)
    if is_break_glass_account(user):
        # Its envelope must open MedIR when no phone is at hand, always.
        messages.error(
            request,
            _("A break-glass account never uses an authenticator app."),
        )
        return redirect("incidents:dashboard")
    if two_factor.has_confirmed_device(user):
        if user.is_verified():
            messages.info(
                request,
                _(
                    "Your authenticator app is already set up. To replace it, "
                    "ask the MedIR administrator to reset it."
                ),
            )
            return redirect("accounts:two_factor")
        return redirect("/accounts/two-factor/verify/?" + urlencode({"next": next_url}))

    device = two_factor.pending_device(user, request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(
            device, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            return render(
                request,
                "accounts/recovery_codes.html",
                {
                    "codes": [
                        " ".join(code[i : i + 4] for i in range(0, len(code), 4))
                        for code in codes
                    ],
                    "next": next_url,
                },
            )
        form.add_error(
            "code",
            _(
                "The code is not correct. Check that the phone's clock is "
                "right and enter the code the app shows now."
            ),
        )
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": next_url,
            "required": two_factor.requires_two_factor(user),
            "qr_svg": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_text(device),
        },
    )


@login_required
def verify(request):
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_confirmed_device(user):
        return redirect("/accounts/two-factor/enrol/?" + urlencode({"next": next_url}))

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked_out(request, credentials)
        check = two_factor.check_code(
            user, code=form.cleaned_data["code"], request=request
        )
        if check.ok:
            if check.method == "recovery":
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; it cannot be used again. "
                        "%(count)d recovery code is left. If your phone is "
                        "lost, ask the MedIR administrator to reset your "
                        "two-factor set-up.",
                        "You used a recovery code; it cannot be used again. "
                        "%(count)d recovery codes are left. If your phone is "
                        "lost, ask the MedIR administrator to reset your "
                        "two-factor set-up.",
                        check.recovery_codes_left,
                    )
                    % {"count": check.recovery_codes_left},
                )
            return redirect(next_url)
        if check.throttled:
            form.add_error(
                "code",
                _(
                    "Too many wrong codes in a row: wait a few seconds, then "
                    "enter the code the app shows now."
                ),
            )
        else:
            # Counted with wrong passwords by django-axes.
            user_login_failed.send(
                sender=__name__, credentials=credentials, request=request
            )
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, credentials)
            form.add_error(
                "code",
                _(
                    "The code is not correct. Enter the 6-digit code your "
                    "authenticator app shows now, or one of your recovery codes. "
                    "A code works once: after setting the app up, wait for the "
                    "next one."
                ),
            )
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


def break_glass_login(request):
    form = BreakGlassForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            break_glass=True,
        )
        if user is None:
            refused = True
        else:
            address = client_ip(request)
            break_glass.record_break_glass_use(
                user.break_glass,
                ip_address=None if address == "unknown" else address,
            )
            user.refresh_from_db()
            auth_login(request, user)
            messages.warning(
                request,
                _(
                    "You are logged in with a break-glass account. This use is "
                    "recorded in the audit log and reported to the "
                    "administrators. The password in the envelope must be "
                    "changed after the incident."
                ),
            )
            return redirect("incidents:dashboard")
    return render(
        request, "accounts/break_glass_login.html", {"form": form, "refused": refused}
    )


@require_POST
@login_required
def acknowledge_use(request, pk: int):
    if not break_glass.is_administrator(request.user):
        raise PermissionDenied
    use = get_object_or_404(BreakGlassUse, pk=pk)
    break_glass.acknowledge_break_glass_use(use, actor=request.user)
    messages.success(request, _("The break-glass use is acknowledged."))
    return redirect("incidents:dashboard")
