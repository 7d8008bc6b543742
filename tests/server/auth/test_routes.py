"""Login, refresh rotation, logout, /me and user administration over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.auth.models import RefreshToken, User
from server.db import utcnow
from tests.factories import PASSWORD, bearer, make_user

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"


def login(client, login_value, password=PASSWORD, **kw):
    return client.post(LOGIN, json={"login": login_value, "password": password}, **kw)


def test_login_with_email_returns_tokens_and_user(client, session):
    user = make_user(session, role="dispatcher", email="Disp@Example.test")
    response = login(client, "disp@example.test")
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["id"] == str(user.id)
    assert body["user"]["role"] == "dispatcher"
    assert "password_hash" not in body["user"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json["email"] == "Disp@Example.test"


def test_login_with_phone(client, session):
    make_user(session, phone="13800138000")
    assert login(client, "138-0013-8000").status_code == 200


def test_login_wrong_password_is_401_invalid_credentials(client, session):
    make_user(session, email="w@example.test")
    response = login(client, "w@example.test", "not the password")
    assert response.status_code == 401
    assert response.json["error"] == "invalid_credentials"


def test_login_unknown_user_looks_like_wrong_password(client):
    response = login(client, "nobody@example.test")
    assert response.status_code == 401
    assert response.json["error"] == "invalid_credentials"


def test_login_disabled_user_is_refused(client, session):
    make_user(session, email="off@example.test", active=False)
    response = login(client, "off@example.test")
    assert response.status_code == 401
    assert response.json["error"] == "user_disabled"


def test_login_failures_lock_the_account_with_retry_after(client, session, app):
    make_user(session, email="lock@example.test")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert login(client, "lock@example.test", "wrong").status_code == 401
    # Even the right password is refused now: the budget for this account is spent.
    response = login(client, "lock@example.test")
    assert response.status_code == 429
    assert response.json["error"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_login_rate_limited_per_client_address(client, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_ATTEMPTS_PER_ADDRESS", 3)
    make_user(session, email="addr@example.test")
    env = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        assert login(client, "x@example.test", environ_base=env).status_code == 401
    response = login(client, "addr@example.test", environ_base=env)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    # Another address is not affected.
    assert (
        login(client, "addr@example.test", environ_base={"REMOTE_ADDR": "203.0.113.10"}).status_code
        == 200
    )


def test_refresh_rotates_and_old_token_is_spent(client, session):
    make_user(session, email="r@example.test")
    first = login(client, "r@example.test").json
    second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    third = client.post(REFRESH, json={"refresh_token": second.json["refresh_token"]})
    assert third.status_code == 200


def test_reused_refresh_token_revokes_the_whole_family(client, session):
    make_user(session, email="reuse@example.test")
    first = login(client, "reuse@example.test").json
    rotated = client.post(REFRESH, json={"refresh_token": first["refresh_token"]}).json
    replay = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json["error"] == "refresh_token_reused"
    # The thief's replay also ended the legitimate holder's session.
    after = client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    assert after.json["error"] == "refresh_token_invalid"


def test_expired_refresh_token_is_refused(client, session):
    make_user(session, email="exp@example.test")
    body = login(client, "exp@example.test").json
    session.expire_all()
    for row in session.scalars(select(RefreshToken)):
        row.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    response = client.post(REFRESH, json={"refresh_token": body["refresh_token"]})
    assert response.status_code == 401
    assert response.json["error"] == "refresh_token_expired"


def test_unknown_refresh_token_is_refused(client):
    response = client.post(REFRESH, json={"refresh_token": "made-up"})
    assert response.status_code == 401
    assert response.json["error"] == "refresh_token_invalid"


def test_logout_revokes_the_refresh_token(client, session):
    make_user(session, email="out@example.test")
    body = login(client, "out@example.test").json
    assert (
        client.post(
            "/api/v1/auth/logout", json={"refresh_token": body["refresh_token"]}
        ).status_code
        == 204
    )
    response = client.post(REFRESH, json={"refresh_token": body["refresh_token"]})
    assert response.status_code == 401


def test_expired_access_token_is_401_token_expired(client, session, app):
    user = make_user(session)
    response = client.get("/api/v1/me", headers=bearer(app, user, ttl_s=-1))
    assert response.status_code == 401
    assert response.json["error"] == "token_expired"


def test_tampered_access_token_is_401(client, session, app):
    user = make_user(session)
    headers = bearer(app, user)
    headers["Authorization"] += "x"
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "invalid_token"


def test_token_of_a_disabled_user_stops_working(client, session, app):
    user = make_user(session)
    headers = bearer(app, user)
    user.active = False
    session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_missing_token_is_401_with_www_authenticate(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ["dispatcher", "agent", "technician", "warehouse", "manager"])
def test_non_admin_roles_cannot_create_users(client, session, app, role):
    user = make_user(session, role=role)
    response = client.post(
        "/api/v1/users",
        json={"name": "X", "email": "x@example.test", "password": "long enough", "role": "agent"},
        headers=bearer(app, user),
    )
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"


@pytest.mark.parametrize("role", ["dispatcher", "agent", "technician", "warehouse"])
def test_only_admin_and_manager_list_users(client, session, app, role):
    user = make_user(session, role=role)
    assert client.get("/api/v1/users", headers=bearer(app, user)).status_code == 403


def test_admin_creates_lists_updates_and_disables_a_user(client, session, app):
    admin = make_user(session, role="admin")
    headers = bearer(app, admin)
    created = client.post(
        "/api/v1/users",
        json={
            "name": "张伟",
            "email": "Zhang.Wei@Example.test",
            "phone": "+86 139 0000 0000",
            "password": "a strong password",
            "role": "technician",
            "locale": "zh-CN",
        },
        headers=headers,
    )
    assert created.status_code == 201
    user_id = created.json["id"]
    assert created.json["email"] == "zhang.wei@example.test"
    listed = client.get("/api/v1/users?role=technician&page_size=10", headers=headers)
    assert listed.status_code == 200
    assert [u["id"] for u in listed.json] == [user_id]
    patched = client.patch(f"/api/v1/users/{user_id}", json={"name": "张伟 Wei"}, headers=headers)
    assert patched.json["name"] == "张伟 Wei"
    # The new user can log in, until disabled.
    assert login(client, "zhang.wei@example.test", "a strong password").status_code == 200
    assert client.delete(f"/api/v1/users/{user_id}", headers=headers).status_code == 204
    assert (
        login(client, "zhang.wei@example.test", "a strong password").json["error"]
        == "user_disabled"
    )


def test_duplicate_email_is_422_on_the_field_and_writes_nothing(client, session, app):
    admin = make_user(session, role="admin")
    make_user(session, email="taken@example.test")
    before = session.query(User).count()
    response = client.post(
        "/api/v1/users",
        json={
            "name": "Dup",
            "email": "TAKEN@example.test",
            "password": "long enough",
            "role": "agent",
        },
        headers=bearer(app, admin, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["email"] == ["This email is already in use."]
    session.expire_all()
    assert session.query(User).count() == before


def test_user_create_validation_messages_are_per_field(client, session, app):
    admin = make_user(session, role="admin")
    response = client.post(
        "/api/v1/users",
        json={"name": "", "email": "not-an-email", "password": "short", "role": "king", "extra": 1},
        headers=bearer(app, admin),
    )
    assert response.status_code == 422
    fields = response.json["errors"]["json"]
    assert set(fields) == {"name", "email", "password", "role", "extra"}
    assert fields["extra"] == ["未知字段。"]


def test_me_can_change_own_locale(client, session, app):
    user = make_user(session)
    response = client.patch("/api/v1/me", json={"locale": "en"}, headers=bearer(app, user))
    assert response.status_code == 200
    # The user's own language now wins over Accept-Language.
    denied = client.get("/api/v1/users", headers=bearer(app, user, **{"Accept-Language": "zh-CN"}))
    assert denied.json["message"] == "You are not allowed to do this."


def test_me_cannot_change_own_role(client, session, app):
    user = make_user(session, role="technician")
    response = client.patch("/api/v1/me", json={"role": "admin"}, headers=bearer(app, user))
    assert response.status_code == 422
