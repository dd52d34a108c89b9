from django.urls import path

from medir.kit import views

app_name = "kit"

urlpatterns = [
    path("", views.kit_page, name="page"),
    path("download/", views.download, name="download"),
]
