from django.urls import path

from medir.contacts import edit_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("import/", views.import_csv, name="import_csv"),
    path("people/new/", edit_views.new_person, name="new_person"),
    path("people/<int:pk>/", edit_views.edit_person, name="edit_person"),
    path("organisations/new/", edit_views.new_organisation, name="new_organisation"),
    path(
        "organisations/<int:pk>/",
        edit_views.edit_organisation,
        name="edit_organisation",
    ),
    path(
        "people/<int:pk>/channels/new/",
        edit_views.new_channel,
        {"kind": "person"},
        name="new_person_channel",
    ),
    path(
        "organisations/<int:pk>/channels/new/",
        edit_views.new_channel,
        {"kind": "organisation"},
        name="new_organisation_channel",
    ),
    path(
        "people/<int:pk>/verified/",
        edit_views.mark_verified,
        {"kind": "person"},
        name="verify_person",
    ),
    path(
        "organisations/<int:pk>/verified/",
        edit_views.mark_verified,
        {"kind": "organisation"},
        name="verify_organisation",
    ),
    path("channels/<int:pk>/", edit_views.edit_channel, name="edit_channel"),
    path("channels/<int:pk>/delete/", edit_views.delete_channel, name="delete_channel"),
    path("channels/<int:pk>/move/", edit_views.move_channel, name="move_channel"),
    path("call-tree/", edit_views.call_tree, name="call_tree"),
    path("call-tree/new/", edit_views.new_link, name="new_link"),
    path("call-tree/<int:pk>/", edit_views.edit_link, name="edit_link"),
    path("call-tree/<int:pk>/delete/", edit_views.delete_link, name="delete_link"),
    path("systems/", edit_views.systems, name="systems"),
    path(
        "systems/<int:pk>/work-log/",
        edit_views.append_work_log,
        name="append_work_log",
    ),
    path(
        "incidents/<str:number>/steps/<str:step_id>/call/",
        edit_views.record_step_call,
        name="record_call",
    ),
]
