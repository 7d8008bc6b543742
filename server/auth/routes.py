"""Login, token refresh, logout, the caller's own profile, and user administration."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request
from flask.views import MethodView

from server.api import Blueprint
from server.auth import apikeys
from server.auth import service as auth_service
from server.auth.guard import auth_settings, current_user
from server.auth.models import ApiKey, Role, User
from server.auth.schemas import (
    ApiKeyCreateSchema,
    ApiKeySchema,
    LoginSchema,
    MeUpdateSchema,
    NewApiKeySchema,
    RefreshSchema,
    TokenSchema,
    UserCreateSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from server.db import db, utcnow

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Login, tokens and users")

ADMIN = (Role.ADMIN,)
USER_READERS = (Role.ADMIN, Role.MANAGER)


def _token_body(issued: auth_service.IssuedTokens) -> dict[str, Any]:
    return {
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "user": issued.user,
    }


@blp.route("/auth/login")
class Login(MethodView):
    @blp.public
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Wrong login or password, or a disabled account")
    @blp.alt_response(429, description="Too many attempts for this account or address")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Log in with email or phone and password"""
        issued = auth_service.login(
            db.session,
            login=args["login"],
            password=args["password"],
            client_address=request.remote_addr or "unknown",
            settings=auth_settings(),
            now=utcnow(),
        )
        return _token_body(issued)


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @blp.public
    @blp.arguments(RefreshSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Unknown, expired, revoked or reused refresh token")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Exchange a refresh token for new tokens (the old one is spent)"""
        issued = auth_service.refresh(
            db.session, refresh_token=args["refresh_token"], settings=auth_settings(), now=utcnow()
        )
        return _token_body(issued)


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.public
    @blp.arguments(RefreshSchema)
    @blp.response(204)
    def post(self, args: dict[str, Any]) -> None:
        """End the session the refresh token belongs to"""
        auth_service.logout(db.session, refresh_token=args["refresh_token"], now=utcnow())


@blp.route("/me")
class Me(MethodView):
    @blp.auth()
    @blp.response(200, UserSchema)
    def get(self) -> User:
        """The caller's own account"""
        return current_user()

    @blp.auth()
    @blp.arguments(MeUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, args: dict[str, Any]) -> User:
        """Change the caller's name, phone or language"""
        return auth_service.update_user(db.session, user_id=current_user().id, changes=args)


@blp.route("/users")
class Users(MethodView):
    @blp.auth(*USER_READERS)
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[User]:
        """List users"""
        users, total = auth_service.list_users(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return users

    @blp.auth(*ADMIN)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, args: dict[str, Any]) -> User:
        """Create a user"""
        return auth_service.create_user(db.session, **args)


@blp.route("/users/<uuid:user_id>")
class UserById(MethodView):
    @blp.auth(*USER_READERS)
    @blp.response(200, UserSchema)
    def get(self, user_id: uuid.UUID) -> User:
        """One user"""
        return auth_service.get_user(db.session, user_id=user_id)

    @blp.auth(*ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, args: dict[str, Any], user_id: uuid.UUID) -> User:
        """Change a user (disabling one ends their sessions)"""
        return auth_service.update_user(db.session, user_id=user_id, changes=args)

    @blp.auth(*ADMIN)
    @blp.response(204)
    def delete(self, user_id: uuid.UUID) -> None:
        """Disable a user (users are never deleted: the audit trail names them)"""
        auth_service.update_user(db.session, user_id=user_id, changes={"active": False})


@blp.route("/api-keys")
class ApiKeys(MethodView):
    @blp.auth(*ADMIN)
    @blp.response(200, ApiKeySchema(many=True))
    def get(self) -> list[ApiKey]:
        """Keys of connected systems (never the keys themselves)"""
        return apikeys.list_api_keys(db.session)

    @blp.auth(*ADMIN)
    @blp.arguments(ApiKeyCreateSchema)
    @blp.response(201, NewApiKeySchema)
    def post(self, args: dict[str, Any]) -> ApiKey:
        """Make a key for the REST API, the mail relay or an IoT gateway (shown once)"""
        made = apikeys.create_api_key(db.session, **args)
        made.api_key.key = made.key  # type: ignore[attr-defined]
        return made.api_key


@blp.route("/api-keys/<uuid:api_key_id>")
class ApiKeyById(MethodView):
    @blp.auth(*ADMIN)
    @blp.response(204)
    def delete(self, api_key_id: uuid.UUID) -> None:
        """Revoke a key"""
        apikeys.revoke_api_key(db.session, api_key_id=api_key_id)
