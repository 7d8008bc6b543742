"""The API's shapes for login, tokens and users (written by hand: this is the contract)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.auth.models import ROLE_VALUES

LOCALE = validate.OneOf(["zh-CN", "en"])
PHONE = validate.Regexp(r"^\+?[0-9][0-9 \-]{5,19}$")


class LoginSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    role = fields.String()
    locale = fields.String(allow_none=True)
    active = fields.Boolean()
    last_login_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TokenSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds until the access token expires"})
    user = fields.Nested(UserSchema)


class UserCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
    role = fields.String(required=True, validate=validate.OneOf(ROLE_VALUES))
    locale = fields.String(allow_none=True, validate=LOCALE)
    active = fields.Boolean(load_default=True)


class UserUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    email = fields.Email(validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    password = fields.String(validate=validate.Length(min=8, max=1024))
    role = fields.String(validate=validate.OneOf(ROLE_VALUES))
    locale = fields.String(allow_none=True, validate=LOCALE)
    active = fields.Boolean()


class MeUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=120))
    phone = fields.String(allow_none=True, validate=PHONE)
    locale = fields.String(allow_none=True, validate=LOCALE)


class UserQueryArgsSchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLE_VALUES))
    active = fields.Boolean()
    q = fields.String(validate=validate.Length(max=100))


class ApiKeySchema(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    key_prefix = fields.String()
    customer_id = fields.UUID(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(metadata={"description": "Shown once: store it now"})
    signing_secret = fields.String(
        allow_none=True, metadata={"description": "IoT only, shown once: signs each request"}
    )


class ApiKeyCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(["api", "email", "iot"]))
    customer_id = fields.UUID(allow_none=True)
