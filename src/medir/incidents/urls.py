from django.urls import path

from medir.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:number>/", views.incident_detail, name="detail"),
    path("<str:number>/flowchart.svg", views.incident_flowchart, name="flowchart"),
    path("<str:number>/steps/<str:step_id>/", views.step_detail, name="step"),
]
