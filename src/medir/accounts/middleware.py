"""Nothing but the second-factor pages until the code has been entered."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from medir.accounts.two_factor import has_confirmed_device, needs_code

# Pages a logged-in person may reach before the second factor: the
# second-factor pages themselves, logging out (or in as someone else) and
# switching the language.
OPEN_PATHS = (
    "/accounts/two-factor/verify/",
    "/accounts/two-factor/enrol/",
    "/login/",
    "/logout/",
    "/break-glass/",
    "/i18n/",
    "/favicon.ico",
)


def _uses_api_token(request) -> bool:
    # The API's token auth owns any Bearer header and never falls back to
    # the session (a wrong token is a 401), so such calls are the token's.
    # Read exactly as ninja's HttpBearer reads it (split on one space):
    # "Bearer<TAB>x" is no token to ninja, which would use the session.
    scheme = request.headers.get("Authorization", "").split(" ")[0]
    return scheme.lower() == "bearer"


class TwoFactorMiddleware:
    """Sends a logged-in person who still owes a second factor to enter
    it, or to set up an app first; the session API answers 403.

    Personal API tokens are unaffected: a token is already a credential
    issued to one person by an administrator.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            path.startswith(OPEN_PATHS)
            or path.startswith("/" + settings.STATIC_URL.lstrip("/"))
            or not needs_code(request.user)
        ):
            return self.get_response(request)

        if path.startswith("/api/"):
            if _uses_api_token(request):
                return self.get_response(request)
            return JsonResponse(
                {
                    "detail": _(
                        "Enter the code of your authenticator app on the "
                        "log-in page first, or use an API token."
                    )
                },
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )

        target = (
            "/accounts/two-factor/verify/"
            if has_confirmed_device(request.user)
            else "/accounts/two-factor/enrol/"
        )
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
