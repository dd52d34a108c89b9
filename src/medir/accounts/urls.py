from django.urls import path

from medir.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/two-factor/", views.status, name="two_factor"),
    path("accounts/two-factor/enrol/", views.enrol, name="enrol"),
    path("accounts/two-factor/verify/", views.verify, name="verify"),
    path("break-glass/", views.break_glass_login, name="break_glass"),
    path(
        "accounts/break-glass/uses/<int:pk>/acknowledge/",
        views.acknowledge_use,
        name="acknowledge_break_glass_use",
    ),
]
