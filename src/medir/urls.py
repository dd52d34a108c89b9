from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:dashboard", permanent=False)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("incidents/", include("medir.incidents.urls")),
    path("report/", include("medir.reporting.urls")),
    path("api/", include("medir.api.urls")),
    path("admin/", admin.site.urls),
]
