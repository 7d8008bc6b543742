"""Customers (with their contacts) and sites."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint
from server.auth.models import Role
from server.customers import service as customers_service
from server.customers.models import Customer, Site
from server.customers.schemas import (
    CustomerCreateSchema,
    CustomerQueryArgsSchema,
    CustomerSchema,
    CustomerUpdateSchema,
    SiteCreateSchema,
    SiteQueryArgsSchema,
    SiteSchema,
    SiteUpdateSchema,
)
from server.db import db

blp = Blueprint(
    "customers", __name__, url_prefix="/api/v1", description="Customers, contacts and sites"
)

# Engineers read customers and sites through the mobile API, with their own jobs only.
READERS = (Role.ADMIN, Role.DISPATCHER, Role.AGENT, Role.MANAGER)
WRITERS = (Role.ADMIN, Role.DISPATCHER, Role.AGENT)


@blp.route("/customers")
class Customers(MethodView):
    @blp.auth(*READERS)
    @blp.arguments(CustomerQueryArgsSchema, location="query")
    @blp.response(200, CustomerSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Customer]:
        """List customers"""
        customers, total = customers_service.list_customers(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return customers

    @blp.auth(*WRITERS)
    @blp.arguments(CustomerCreateSchema)
    @blp.response(201, CustomerSchema)
    def post(self, args: dict[str, Any]) -> Customer:
        """Create a customer with its contacts"""
        return customers_service.create_customer(db.session, **args)


@blp.route("/customers/<uuid:customer_id>")
class CustomerById(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, CustomerSchema)
    def get(self, customer_id: uuid.UUID) -> Customer:
        """One customer with its contacts and number of active sites"""
        return customers_service.get_customer(db.session, customer_id=customer_id)

    @blp.auth(*WRITERS)
    @blp.arguments(CustomerUpdateSchema)
    @blp.response(200, CustomerSchema)
    def patch(self, args: dict[str, Any], customer_id: uuid.UUID) -> Customer:
        """Change a customer (contacts, when given, replace the list)"""
        return customers_service.update_customer(db.session, customer_id=customer_id, changes=args)

    @blp.auth(*WRITERS)
    @blp.response(204)
    def delete(self, customer_id: uuid.UUID) -> None:
        """Deactivate a customer (kept: work orders and reports name it)"""
        customers_service.deactivate_customer(db.session, customer_id=customer_id)


@blp.route("/sites")
class Sites(MethodView):
    @blp.auth(*READERS)
    @blp.arguments(SiteQueryArgsSchema, location="query")
    @blp.response(200, SiteSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Site]:
        """List sites"""
        sites, total = customers_service.list_sites(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return sites

    @blp.auth(*WRITERS)
    @blp.arguments(SiteCreateSchema)
    @blp.response(201, SiteSchema)
    def post(self, args: dict[str, Any]) -> Site:
        """Create a site for a customer"""
        return customers_service.create_site(db.session, **args)


@blp.route("/sites/<uuid:site_id>")
class SiteById(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, SiteSchema)
    def get(self, site_id: uuid.UUID) -> Site:
        """One site"""
        return customers_service.get_site(db.session, site_id=site_id)

    @blp.auth(*WRITERS)
    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteSchema)
    def patch(self, args: dict[str, Any], site_id: uuid.UUID) -> Site:
        """Change a site"""
        return customers_service.update_site(db.session, site_id=site_id, changes=args)

    @blp.auth(*WRITERS)
    @blp.response(204)
    def delete(self, site_id: uuid.UUID) -> None:
        """Deactivate a site (kept: work orders and assets name it)"""
        customers_service.deactivate_site(db.session, site_id=site_id)
