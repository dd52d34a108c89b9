from django.urls import path

from medir.authority import facts_views, report_views

app_name = "authority"

urlpatterns = [
    path("facts/", facts_views.edit_facts, name="facts"),
    path("awareness/", facts_views.edit_awareness, name="awareness"),
    # Authority reports (issue "Authority reports" §3).
    path("reports/", report_views.report_list, name="reports"),
    path(
        "reports/notice_to_individuals/batches/",
        report_views.add_notice_batch,
        name="notice_batches",
    ),
    path("reports/<slug:kind>/", report_views.report_edit, name="report_edit"),
    path(
        "reports/<slug:kind>/v<int:version>/",
        report_views.report_version,
        name="report_version",
    ),
    path(
        "reports/<slug:kind>/v<int:version>/sent/",
        report_views.report_mark_sent,
        name="report_mark_sent",
    ),
    path(
        "reports/<slug:kind>/v<int:version>/sent/<slug:variant>/",
        report_views.report_mark_sent,
        name="report_mark_copy_sent",
    ),
    path(
        "reports/<slug:kind>/v<int:version>.<slug:fmt>",
        report_views.report_download,
        name="report_download",
    ),
    path(
        "reports/<slug:kind>/v<int:version>-<slug:variant>.<slug:fmt>",
        report_views.report_download,
        name="report_download_variant",
    ),
]
