from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:dashboard", permanent=False)),
    # Browsers ask for /favicon.ico before reading the page's icon link.
    path("favicon.ico", lambda request: redirect(static("medir/favicon.svg"))),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/", include("medir.incidents.urls")),
    path("report/", include("medir.reporting.urls")),
    path("incidents/<str:number>/authority/", include("medir.authority.urls")),
    path("incidents/<str:number>/deadlines/", include("medir.deadlines.urls")),
    path("incidents/<str:number>/evidence/", include("medir.evidence.urls")),
    path("api/", include("medir.api.urls")),
    path("contacts/", include("medir.contacts.urls")),
    path("admin/", admin.site.urls),
]
