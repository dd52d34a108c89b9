def test_an_unknown_page_answers_in_japanese(db, client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "このアドレスには" in response.content.decode()


def test_a_request_too_large_to_read_gets_a_japanese_page(db, client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = client.post("/report/", {f"f{n}": "x" for n in range(50)})

    assert response.status_code == 400
    assert "送信された内容を読み取れませんでした" in response.content.decode()
