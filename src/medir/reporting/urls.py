from django.urls import path

from medir.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report, name="report"),
    path("sent/<str:token>/", views.report_sent, name="sent"),
]
