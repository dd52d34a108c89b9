"""The API's URLs: ninja's, in the caller's language, plus the offline
docs assets and a JSON 404 for anything else under /api/."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from medir.api.api import api
from medir.api.docs import asset
from medir.api.language import in_callers_language

app_name = "api"


def _root(request: HttpRequest, **kwargs):
    return redirect("api:openapi-view")


def _openapi_schema(request: HttpRequest, **kwargs) -> HttpResponse:
    # ninja's own view escapes Japanese as \uXXXX; the API's renderer
    # does not.
    schema = api.get_openapi_schema(path_params=kwargs)
    return api.create_response(request, schema, status=200)


# Nothing happens here, so a token caller without a CSRF cookie gets the
# JSON 404 rather than Django's HTML CSRF page.
@csrf_exempt
@in_callers_language
def _unknown(request: HttpRequest):
    return JsonResponse(
        {"detail": _("There is no such API endpoint."), "field": None},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def _ninja_urls():
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if pattern.name == "openapi-json":
            pattern.callback = _openapi_schema
        elif pattern.name == "api-root":
            # ninja answers its root with an HTML 404; the docs are more
            # use to someone who typed /api/.
            pattern.callback = _root
        else:
            pattern.callback = in_callers_language(pattern.callback)
    return patterns


urlpatterns = [
    path("docs/assets/<str:name>", asset, name="docs-asset"),
    *_ninja_urls(),
    re_path(r"^", _unknown),
]
