"""The language of the API's messages.

MedIR is Japanese-first: the API answers in Japanese unless the caller
asks for English with ``?lang=en`` or an ``Accept-Language`` header whose
first language is English. The web pages ignore Accept-Language (see
``JapaneseFirstLocaleMiddleware``), but a script's author chose its header
on purpose.
"""

import functools

from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGES = {"ja", "en"}
DEFAULT = "ja"


def choose_language(request) -> str:
    asked = request.GET.get("lang", "").strip().lower()
    if asked in LANGUAGES:
        return asked
    accept = request.headers.get("Accept-Language", "").strip().lower()
    return "en" if accept.startswith("en") else DEFAULT


def in_callers_language(view):
    """Run a view with the caller's language active, so that service
    errors (translated when raised) come out in it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = choose_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapper
