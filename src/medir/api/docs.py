"""The API's documentation page, served without any CDN.

ninja's Swagger page loads its scripts from a CDN unless ``ninja`` is an
installed app. Hospitals may be offline during an attack, so the same
Swagger UI files, which ship inside the ninja package, are served from
MedIR itself, and the page lists every endpoint even without JavaScript.
"""

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}
METHODS = ("get", "post", "put", "patch", "delete")


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        endpoints = [
            {
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
            }
            for path, operations in schema["paths"].items()
            for method in METHODS
            if (operation := operations.get(method))
        ]
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        logged_in = request.user.is_authenticated
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "endpoints": endpoints,
                "swagger_settings": settings,
                # The Swagger page sends the session's CSRF token with
                # "Try it out" requests, as the session auth requires.
                "csrf_token_value": get_token(request) if logged_in else "",
            },
        )


@require_GET
def asset(request: HttpRequest, name: str) -> FileResponse:
    content_type = ASSETS.get(name)
    if content_type is None:
        raise Http404("No such asset")
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
