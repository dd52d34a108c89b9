from django.urls import path

from medir.network import views

app_name = "network"

urlpatterns = [
    path("", views.index, name="index"),
    path("diagram.svg", views.diagram_svg, name="diagram_svg"),
    path("history/", views.history, name="history"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("import/", views.import_csv, name="import_csv"),
    path("<str:kind>/add/", views.add, name="add"),
    path("<str:kind>/<int:pk>/edit/", views.edit, name="edit"),
    path("<str:kind>/<int:pk>/remove/", views.remove, name="remove"),
]
