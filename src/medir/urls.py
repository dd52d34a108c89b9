import base64
import hashlib
import re
from pathlib import Path

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.defaults import server_error
from django.views.generic import RedirectView


def _style_attribute_hashes(template: Path) -> list[str]:
    """CSP hashes of a template's style attributes.

    The 500 page must not depend on anything that might be what failed
    (static files, the request), so it styles itself inline; its style
    attributes are allowed by their hashes, read from the file so that an
    edit cannot leave them blocked.
    """
    sources = []
    for value in re.findall(r'style="([^"]*)"', template.read_text()):
        digest = hashlib.sha256(value.encode()).digest()
        sources.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return ["'unsafe-hashes'", *sources] if sources else []


handler500 = csp_update(
    {
        "style-src": _style_attribute_hashes(
            Path(__file__).resolve().parent / "templates" / "500.html"
        )
    }
)(server_error)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:dashboard", permanent=False)),
    # Browsers ask for /favicon.ico before reading the page's icon link.
    path("favicon.ico", lambda request: redirect(static("medir/favicon.svg"))),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("medir.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/", include("medir.incidents.urls")),
    path("report/", include("medir.reporting.urls")),
    path("incidents/<str:number>/authority/", include("medir.authority.urls")),
    path("incidents/<str:number>/deadlines/", include("medir.deadlines.urls")),
    path("incidents/<str:number>/evidence/", include("medir.evidence.urls")),
    path("api/", include("medir.api.urls")),
    path("contacts/", include("medir.contacts.urls")),
    path("network/", include("medir.network.urls")),
    path("kit/", include("medir.kit.urls")),
    path("admin/", admin.site.urls),
]
