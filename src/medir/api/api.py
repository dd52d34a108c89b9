"""The JSON API: one NinjaAPI, its authentication, renderer and errors."""

from ninja import NinjaAPI

from medir.api.auth import SessionAuth, TokenAuth
from medir.api.docs import OfflineSwagger
from medir.api.errors import install_error_handlers
from medir.api.incidents import router as incidents_router
from medir.api.notices import router as notices_router
from medir.api.renderers import UnicodeJSONRenderer
from medir.api.schemas import ErrorOut, MeOut
from medir.incidents.permissions import roles_of

DESCRIPTION = """\
MedIR の REST API です。Web 画面と同じ処理・同じ権限で動き、すべての変更は\
時系列と監査ログに残ります。

The same services and permissions as the web pages; every change lands in
the incident's timeline and the audit chain. Authenticate with
`Authorization: Bearer <token>` (`medir manage issue_api_token USERNAME`)
or, from the browser, with the logged-in session and its CSRF token.
Messages are Japanese unless `?lang=en` or `Accept-Language: en…`.
Errors are `{"detail": "...", "field": ...}`.
"""

api = NinjaAPI(
    title="MedIR API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    renderer=UnicodeJSONRenderer(),
    docs=OfflineSwagger(),
)
install_error_handlers(api)
api.add_router("", incidents_router)
api.add_router("", notices_router)


@api.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["me"])
def me(request):
    """Who the token or session belongs to, and their roles."""
    user = request.auth
    person = getattr(user, "person", None)
    return {
        "username": user.get_username(),
        "name": person.display_name if person else user.get_username(),
        "roles": sorted(roles_of(user)),
    }
