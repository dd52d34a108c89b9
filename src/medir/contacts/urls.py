from django.urls import path

from medir.contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("import/", views.import_csv, name="import_csv"),
]
