"""The API's shapes for customers, contacts and sites (written by hand: this is the contract)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from server.auth.schemas import PHONE
from server.customers.models import TIER_VALUES
from server.geo import BBoxField, Location

NAME = validate.Length(min=1, max=200)
EMAIL_LENGTH = validate.Length(max=254)
NOTES = validate.Length(max=4000)


def _at_most_one_primary(contacts: list[dict[str, Any]]) -> None:
    if sum(1 for c in contacts if c.get("is_primary")) > 1:
        raise ValidationError("one_primary_contact")


class ContactSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    title = fields.String(allow_none=True, metadata={"description": "Role or job title"})
    is_primary = fields.Boolean()


class ContactInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    phone = fields.String(allow_none=True, validate=PHONE)
    email = fields.Email(allow_none=True, validate=EMAIL_LENGTH)
    title = fields.String(allow_none=True, validate=validate.Length(max=120))
    is_primary = fields.Boolean(load_default=False)


class ContactReplaceSchema(ContactInSchema):
    id = fields.UUID(
        metadata={"description": "Keep (and change) this existing contact; omit for a new one"}
    )


class CustomerSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String()
    tier = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    active = fields.Boolean()
    contacts = fields.List(fields.Nested(ContactSchema))
    sites_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CustomerCreateSchema(Schema):
    name = fields.String(required=True, validate=NAME)
    tier = fields.String(load_default="standard", validate=validate.OneOf(TIER_VALUES))
    phone = fields.String(allow_none=True, validate=PHONE)
    email = fields.Email(allow_none=True, validate=EMAIL_LENGTH)
    notes = fields.String(allow_none=True, validate=NOTES)
    contacts = fields.List(
        fields.Nested(ContactInSchema),
        load_default=list,
        validate=_at_most_one_primary,
    )


class CustomerUpdateSchema(Schema):
    name = fields.String(validate=NAME)
    tier = fields.String(validate=validate.OneOf(TIER_VALUES))
    phone = fields.String(allow_none=True, validate=PHONE)
    email = fields.Email(allow_none=True, validate=EMAIL_LENGTH)
    notes = fields.String(allow_none=True, validate=NOTES)
    active = fields.Boolean()
    contacts = fields.List(
        fields.Nested(ContactReplaceSchema),
        validate=_at_most_one_primary,
        metadata={"description": "Replaces the contacts as a whole; items with an id are kept"},
    )


class CustomerQueryArgsSchema(Schema):
    q = fields.String(
        validate=validate.Length(max=100), metadata={"description": "Part of name, phone or email"}
    )
    tier = fields.String(validate=validate.OneOf(TIER_VALUES))
    active = fields.Boolean()


class SiteSchema(Schema):
    id = fields.UUID(dump_only=True)
    customer_id = fields.UUID()
    name = fields.String(allow_none=True)
    address = fields.String()
    location = Location()
    district = fields.String(allow_none=True)
    access_notes = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SiteCreateSchema(Schema):
    customer_id = fields.UUID(required=True)
    name = fields.String(allow_none=True, validate=NAME)
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))
    location = Location(required=True)
    district = fields.String(allow_none=True, validate=validate.Length(max=64))
    access_notes = fields.String(allow_none=True, validate=NOTES)


class SiteUpdateSchema(Schema):
    customer_id = fields.UUID()
    name = fields.String(allow_none=True, validate=NAME)
    address = fields.String(validate=validate.Length(min=1, max=500))
    location = Location()
    district = fields.String(allow_none=True, validate=validate.Length(max=64))
    access_notes = fields.String(allow_none=True, validate=NOTES)
    active = fields.Boolean()


class SiteQueryArgsSchema(Schema):
    customer_id = fields.UUID()
    bbox = BBoxField(
        metadata={"description": "minlon,minlat,maxlon,maxlat (WGS 84 degrees)"},
    )
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "Part of name, address or district"},
    )
    active = fields.Boolean()
