from django.urls import path

from medir.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:number>/", views.incident_detail, name="detail"),
    path("<str:number>/flowchart.svg", views.incident_flowchart, name="flowchart"),
    path("<str:number>/confirm/", views.confirm_incident, name="confirm"),
    path("<str:number>/dismiss/", views.dismiss_incident, name="dismiss"),
    path("<str:number>/merge/", views.merge_incident, name="merge"),
    path("<str:number>/close/", views.close_incident, name="close"),
    path(
        "<str:number>/decisions/<str:decision_id>/",
        views.record_decision,
        name="record_decision",
    ),
    path("<str:number>/notices/", views.publish_notice, name="publish_notice"),
    path("<str:number>/notices/<int:pk>/lift/", views.lift_notice, name="lift_notice"),
    path("<str:number>/shares/", views.share_incident, name="share"),
    path("<str:number>/shares/<int:pk>/end/", views.end_share, name="end_share"),
    path("<str:number>/steps/<str:step_id>/", views.step_detail, name="step"),
    path(
        "<str:number>/steps/<str:step_id>/start/", views.start_step, name="start_step"
    ),
    path(
        "<str:number>/steps/<str:step_id>/complete/",
        views.complete_step,
        name="complete_step",
    ),
    path("<str:number>/steps/<str:step_id>/skip/", views.skip_step, name="skip_step"),
    path("<str:number>/steps/<str:step_id>/note/", views.add_note, name="add_note"),
]
