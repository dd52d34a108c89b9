"""Every error the API returns is JSON: ``{"detail": "..."}``.

Messages are in the caller's language (see ``medir.api.language``); input
errors also name the request field in ``field``.
"""

import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medir.api.services import ApiTokenError
from medir.incidents.services import IncidentError

logger = logging.getLogger(__name__)

# Parts of a pydantic error location that name a branch of a union type
# (``outcome: str | list[str]``) rather than a field.
UNION_BRANCH = re.compile(r"^(str|int|float|bool|[a-z_]+\[.*\])$")


class BadInput(Exception):
    """A request field names something that does not exist or does not
    fit; raised by endpoints before calling a service."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(field, message)


def _problem(field: str, message: str) -> str:
    return f"{field}: {message}" if field else message


def _field_name(loc) -> str:
    # ninja prefixes the source ("body", "query", "path") and, for bodies,
    # the parameter name; both are ours, not the caller's.
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    named = [str(p) for p in parts if not UNION_BRANCH.match(str(p))]
    return ".".join(named)


def _message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("This field is not known here; check its spelling.")
    if kind == "string_type":
        return _("Must be text.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Must be a whole number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Must be true or false.")
    if kind == "list_type":
        return _("Must be a list.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Must be an object.")
    if kind == "timezone_aware":
        return _("The time must include its offset, e.g. 2026-12-01T06:38:00+09:00.")
    if kind.startswith("datetime") or kind.startswith("date_"):
        return _("Must be a date and time like 2026-12-01T06:38:00+09:00.")
    if kind in {"enum", "literal_error"}:
        return _("Must be one of: %(expected)s.") % {
            "expected": context.get("expected", "")
        }
    if kind in {"greater_than_equal", "less_than_equal"}:
        return _("Is out of range.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    return str(error.get("msg", kind))


def _json(api: NinjaAPI, request, status: int, message: str, field: str = ""):
    body = {"detail": message, "field": field or None}
    return api.create_response(request, body, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        problems: dict[str, str] = {}
        for error in exc.errors:
            field = _field_name(error.get("loc", ()))
            problems.setdefault(field, _message(error))
        detail = "; ".join(_problem(f, m) for f, m in problems.items())
        return _json(api, request, 400, detail, next(iter(problems), ""))

    @api.exception_handler(BadInput)
    def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
        return _json(api, request, 400, _problem(exc.field, exc.message), exc.field)

    @api.exception_handler(IncidentError)
    def refused(request: HttpRequest, exc: IncidentError) -> HttpResponse:
        return _json(api, request, 400, str(exc))

    @api.exception_handler(ApiTokenError)
    def token_refused(request: HttpRequest, exc: ApiTokenError) -> HttpResponse:
        return _json(api, request, 400, str(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError):
        message = exc.message
        if message == "Unauthorized":  # ninja's own, untranslated
            message = _(
                'Log in, or send an API token as "Authorization: Bearer <token>".'
            )
        response = _json(api, request, 401, message)
        response["WWW-Authenticate"] = 'Bearer realm="MedIR"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _json(api, request, 403, _("You are not allowed to do this."))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _json(api, request, 404, _("Not found."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        if message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        return _json(api, request, exc.status_code, message)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        logger.info("API request too large path=%s", request.path)
        return _json(
            api,
            request,
            413,
            _("The request is too large (at most %(max)s bytes).")
            % {"max": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
        )

    @api.exception_handler(Exception)
    def failed(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error(
            "API request failed method=%s path=%s",
            request.method,
            request.path,
            exc_info=exc,
        )
        return _json(
            api,
            request,
            500,
            _("Something went wrong on the server; the error has been logged."),
        )
