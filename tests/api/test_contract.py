"""What every caller can rely on: the schema, the docs, UTF-8 JSON, errors
in the caller's language, and no personal data in the logs."""

import json
import logging

from tests.api.conftest import ApiClient
from tests.incidents.factories import confirmed_attack, report_ransom_note


def test_the_openapi_schema_is_json_and_lists_every_path(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/reports",
        "/api/incidents",
        "/api/incidents/{number}",
        "/api/incidents/{number}/confirm",
        "/api/incidents/{number}/dismiss",
        "/api/incidents/{number}/merge",
        "/api/incidents/{number}/close",
        "/api/incidents/{number}/steps",
        "/api/incidents/{number}/steps/{step_id}/start",
        "/api/incidents/{number}/steps/{step_id}/complete",
        "/api/incidents/{number}/steps/{step_id}/skip",
        "/api/incidents/{number}/steps/{step_id}/note",
        "/api/incidents/{number}/decisions",
        "/api/incidents/{number}/timeline",
        "/api/incidents/{number}/notices",
        "/api/notices/{notice_id}/lift",
        "/api/notices/active",
        "/api/incidents/{number}/shares",
        "/api/shares/{share_id}/end",
    } <= paths
    assert set(schema["paths"]["/api/incidents/{number}/decisions"]) == {
        "get",
        "post",
    }
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


def test_the_schema_carries_japanese_as_utf8(client):
    response = client.get("/api/openapi.json")

    assert "時系列".encode() in response.content
    assert b"\\u" not in response.content


def test_the_docs_page_needs_no_cdn(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="/api/docs/assets/swagger-ui-bundle.js"' in page
    assert "cdn" not in page.lower()
    assert "/api/incidents/{number}/timeline" in page  # listed without JS
    for name, kind in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("swagger-ui-init.js", "text/javascript"),
    ]:
        asset = client.get(f"/api/docs/assets/{name}")
        assert asset.status_code == 200
        assert asset["Content-Type"].startswith(kind)
    assert client.get("/api/docs/assets/..%2Fsettings.py").status_code == 404


def test_the_api_root_leads_to_the_docs(client):
    response = client.get("/api/")

    assert response.status_code == 302
    assert response["Location"] == "/api/docs"


def test_japanese_comes_back_as_utf8_not_escapes(api_as, nurse, manager):
    incident = confirmed_attack(nurse, manager)

    response = api_as(manager).get(f"/api/incidents/{incident.number}/steps")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "異常等の検知".encode() in response.content
    assert b"\xe3" in response.content
    assert b"\\u" not in response.content


def test_errors_are_japanese_unless_english_is_asked_for(
    api_as, nurse, manager, nothing_changes
):
    incident = report_ransom_note(nurse)
    url = f"/api/incidents/{incident.number}/close"
    japanese = api_as(manager)
    by_query = api_as(manager)
    by_header = api_as(manager, **{"Accept-Language": "en-GB,en;q=0.9"})
    japanese_first = api_as(manager, **{"Accept-Language": "ja,en;q=0.5"})

    with nothing_changes():
        responses = [
            japanese.post(url, {}),
            by_query.post(f"{url}?lang=en", {}),
            by_header.post(url, {}),
            japanese_first.post(url, {}),
        ]

    details = [response.json()["detail"] for response in responses]
    assert details[0] == "この操作を行う権限がありません。"
    assert details[1] == "You are not allowed to do this."
    assert details[2] == "You are not allowed to do this."
    assert details[3] == "この操作を行う権限がありません。"
    assert [r["Content-Language"] for r in responses] == ["ja", "en", "en", "ja"]


def test_service_errors_come_in_the_callers_language(api_as, nurse, manager, director):
    incident = confirmed_attack(nurse, manager)
    url = f"/api/incidents/{incident.number}/close"

    japanese = api_as(director).post(url, {})
    english = api_as(director).post(f"{url}?lang=en", {})

    assert japanese.status_code == english.status_code == 400
    assert japanese.json()["detail"].startswith("次の手順がまだ終わっていません")
    assert english.json()["detail"].startswith("These steps are not finished yet")


def test_validation_errors_name_every_faulty_field(api_as, manager):
    response = api_as(manager).post(
        "/api/reports?lang=en", {"signs": "ransom_note", "department_id": "東"}
    )

    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "signs"
    assert "signs: Must be a list." in body["detail"]
    assert "department_id: Must be a whole number." in body["detail"]


def test_a_body_that_is_not_json_is_a_400(api_as, manager):
    api = api_as(manager)

    response = api.client.post(
        "/api/reports",
        data="{not json",
        content_type="application/json",
        headers=api.headers,
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "リクエスト本文が正しい JSON ではありません。"


def test_a_huge_body_is_refused_with_json_not_a_server_error(
    api_as, manager, settings, nothing_changes
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api = api_as(manager)

    with nothing_changes():
        response = api.post(
            "/api/reports", {"signs": ["other"], "description": "あ" * 20_000}
        )

    assert response.status_code == 413
    assert "10000" in response.json()["detail"]


def test_an_unknown_endpoint_is_a_json_404(api_as, manager):
    response = api_as(manager).get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json()["detail"] == "該当する API エンドポイントがありません。"


def test_no_names_numbers_or_free_text_reach_the_logs(api_as, nurse, manager, caplog):
    api = api_as(nurse)
    secret_words = ["看護師A", "090-9876-5432", "院内の秘密の説明", "秘密のメモ"]

    with caplog.at_level(logging.DEBUG):
        filed = api.post(
            "/api/reports",
            {
                "signs": ["ransom_note"],
                "callback_number": "090-9876-5432",
                "description": "院内の秘密の説明",
            },
        )
        number = filed.json()["incident"]["number"]
        api.post(f"/api/incidents/{number}/timeline", {"text": "秘密のメモ"})
        api.post(f"/api/incidents/{number}/timeline", {"text": "秘密のメモ", "x": 1})
        ApiClient("medir_wrong-token").get("/api/me")

    assert filed.status_code == 201
    logged = caplog.text
    assert "Report filed" in logged
    for word in secret_words:
        assert word not in logged
    assert "medir_wrong-token" not in logged
