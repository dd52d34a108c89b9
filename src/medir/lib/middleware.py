import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class JapaneseFirstLocaleMiddleware:
    """Show Japanese unless the person chose English with the toggle.

    Django's LocaleMiddleware would follow the browser's Accept-Language,
    and a ward PC set up in English would then show English to staff who
    expect the Japanese screens they trained on.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response


class Utf8BodyMiddleware:
    """Refuse a form or JSON body that is not valid UTF-8, before any view.

    Django decodes form fields with replacement characters, so broken bytes
    would otherwise be stored as "\ufffd" without a word to the sender.
    Multipart bodies (uploads) are left to their views: files are bytes.
    """

    CHECKED = {"application/x-www-form-urlencoded", "application/json"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in {"POST", "PUT", "PATCH"}
            and request.content_type in self.CHECKED
            and not self._readable(request)
        ):
            return self._refuse(request)
        return self.get_response(request)

    def _readable(self, request) -> bool:
        try:
            body = request.body
        except RequestDataTooBig:
            return True  # the view refuses it with its own message
        encoding = request.content_params.get("charset", "utf-8")
        try:
            if request.content_type == "application/json":
                body.decode(encoding)
            else:
                parse_qsl(
                    body.decode("ascii"),
                    keep_blank_values=True,
                    encoding=encoding,
                    errors="strict",
                )
        except (UnicodeDecodeError, LookupError):
            return False
        return True

    def _refuse(self, request):
        logger.info("Request body refused: not UTF-8 path=%s", request.path)
        if request.path.startswith("/api/"):
            from medir.api.language import choose_language

            with translation.override(choose_language(request)):
                message = _("The request is not valid UTF-8 text.")
            return JsonResponse(
                {"detail": message, "field": None},
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        return render(
            request,
            "400.html",
            {"detail": _("The request is not valid UTF-8 text.")},
            status=400,
        )
