"""The API kernel over HTTP: one error shape in both languages, paging, request ids, OpenAPI."""

from __future__ import annotations

import json
import re

from tests.factories import bearer, make_user


def assert_error_shape(body, code, error):
    assert set(body) >= {"code", "status", "message", "error"}
    assert body["code"] == code
    assert body["error"] == error
    assert isinstance(body["message"], str)
    assert body["message"]


def test_unknown_api_path_is_404_in_error_shape_default_chinese(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert_error_shape(response.json, 404, "not_found")
    assert response.json["message"] == "未找到请求的资源。"


def test_error_message_follows_accept_language(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert response.json["message"] == "The requested resource was not found."


def test_method_not_allowed_keeps_allow_header(client):
    response = client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert_error_shape(response.json, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert_error_shape(response.json, 400, "malformed_json")


def test_schema_violation_is_422_with_field_messages_in_both_languages(client):
    payload = {"login": "", "password": 12, "surprise": True}
    zh = client.post("/api/v1/auth/login", json=payload)
    en = client.post("/api/v1/auth/login", json=payload, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert_error_shape(zh.json, 422, "validation_failed")
    assert zh.json["errors"]["json"]["surprise"] == ["未知字段。"]
    assert en.json["errors"]["json"]["surprise"] == ["Unknown field."]
    assert en.json["errors"]["json"]["password"] == ["Not a valid string."]
    assert zh.json["errors"]["json"]["password"] == ["不是有效的字符串。"]


def test_json_array_body_is_422_not_500(client):
    response = client.post("/api/v1/auth/login", json=[1, 2])
    assert response.status_code == 422


def test_request_id_is_generated_and_echoed(client):
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32
    given = client.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"]
    assert given == "abc-123"
    # Something that could poison logs is replaced, not echoed.
    evil = client.get("/healthz", headers={"X-Request-Id": "a b;{}"}).headers["X-Request-Id"]
    assert evil != "a b;{}"


def test_pagination_header_and_limits(client, session, app):
    admin = make_user(session, role="admin")
    for _ in range(3):
        make_user(session, role="agent")
    headers = bearer(app, admin)
    response = client.get("/api/v1/users?role=agent&page=2&page_size=2", headers=headers)
    assert response.status_code == 200
    assert len(response.json) == 1
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] == 3
    assert paging["page"] == 2
    assert paging["total_pages"] == 2
    too_big = client.get("/api/v1/users?page_size=201", headers=headers)
    assert too_big.status_code == 422
    assert "page_size" in too_big.json["errors"]["query"]
    assert client.get("/api/v1/users?page_size=200", headers=headers).status_code == 200


def test_openapi_lists_every_api_route_with_bearer_security(client, app):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]


def test_api_docs_page_is_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.data


def test_unexpected_error_is_500_without_internals(database_url):
    from tests.conftest import create_test_app

    app = create_test_app(database_url)

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = app.test_client().get("/api/v1/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert_error_shape(response.json, 500, "internal_error")
    assert b"hunter2" not in response.data
    assert b"RuntimeError" not in response.data
    app.extensions["db"].engine.dispose()


def test_log_records_carry_the_request_id(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="fieldline.access"):
        client.get("/healthz", headers={"X-Request-Id": "trace-42"})
    records = [r for r in caplog.records if r.name == "fieldline.access"]
    assert records
    assert records[-1].request_id == "trace-42"
    assert records[-1].status == 200
    assert records[-1].path == "/healthz"


def test_access_log_names_the_user_even_when_the_request_is_refused(client, session, app, caplog):
    import logging

    user = make_user(session, role="technician")
    with caplog.at_level(logging.INFO, logger="fieldline.access"):
        # 403: the unit of work rolls back (expiring the user) before the access line is written.
        response = client.get("/api/v1/users", headers=bearer(app, user))
    assert response.status_code == 403
    record = next(r for r in caplog.records if r.name == "fieldline.access")
    assert record.user_id == str(user.id)
    assert record.status == 403


def test_json_log_formatter_emits_one_json_object_per_line():
    import json as _json
    import logging

    from server.logs import json_formatter

    record = logging.LogRecord("fieldline.test", logging.INFO, __file__, 1, "hi %s", ("x",), None)
    record.request_id = "r1"
    parsed = _json.loads(json_formatter().format(record))
    assert parsed["message"] == "hi x"
    assert parsed["request_id"] == "r1"
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "fieldline.test"
    assert "ts" in parsed
