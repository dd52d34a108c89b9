"""Who is calling: a personal token, or the browser's logged-in session."""

import logging

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from medir.accounts.two_factor import needs_code
from medir.api.services import find_active_token, mark_token_used

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from issue_api_token."""

    def authenticate(self, request: HttpRequest, token: str):
        row = find_active_token(token.strip())
        if row is None:
            # A token that was sent but is wrong or revoked must not fall
            # through to the session: the caller meant to use this one.
            logger.info("API token refused path=%s", request.path)
            raise AuthenticationError(401, _("The API token is wrong or revoked."))
        mark_token_used(row)
        request.api_token = row
        return row.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session, with Django's CSRF check on writes.

    ninja's own SessionAuth checks CSRF before looking at the session, so a
    caller with no credentials at all would get "CSRF failed" instead of
    "log in"; here the session comes first.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        # The CSRF check moves to authenticate(); ``csrf`` stays True so
        # that the docs page sends the CSRF token.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if needs_code(user):
            # Also refused by TwoFactorMiddleware; checked here too because
            # this is the one place a session becomes an API caller.
            raise HttpError(
                403,
                _(
                    "Enter the code of your authenticator app on the log-in "
                    "page first, or use an API token."
                ),
            )
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403,
                _(
                    "The CSRF check failed. Reload the page, or use an API "
                    "token for scripts."
                ),
            )
        return user
