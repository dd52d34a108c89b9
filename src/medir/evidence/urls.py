from django.urls import path

from medir.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("upload/", views.upload_evidence, name="upload"),
    path("hash-only/", views.register_hash_only, name="hash_only"),
    path("bundle/", views.export_bundle, name="bundle"),
    path("<int:pk>/", views.evidence_detail, name="detail"),
    path("<int:pk>/download/", views.download_evidence, name="download"),
]
