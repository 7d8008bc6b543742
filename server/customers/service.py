"""Customers, contacts and sites: look-ups, lists and changes.

Customers and sites are never deleted, only deactivated: work orders, SLA reports and the
audit trail keep naming them, and an agent must still be able to open a closed account's
history. A deactivated customer gets no new sites; deactivating is undone with PATCH.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, with_expression

from server.customers.models import Contact, Customer, CustomerTier, Site
from server.errors import NotFound, ValidationFailed
from server.geo import BBox, in_bbox, to_geography
from server.queries import count_rows, matches_any, one_page

CONTACT_FIELDS = ("name", "phone", "email", "title", "is_primary")


def _active_sites_count() -> ColumnElement[int]:
    return (
        select(func.count(Site.id))
        .where(Site.customer_id == Customer.id, Site.active.is_(True))
        .correlate_except(Site)
        .scalar_subquery()
    )


def normalise_phone(phone: str | None) -> str | None:
    # One spelling per number, so that intake can find a caller by phone.
    return phone.replace(" ", "").replace("-", "") if phone else None


def _clean_email(email: str | None) -> str | None:
    return email.strip() if email else None


# --- customers ----------------------------------------------------------------------------


def get_customer(session: Session, *, customer_id: uuid.UUID) -> Customer:
    customer = session.scalar(
        select(Customer)
        .options(with_expression(Customer.sites_count, _active_sites_count()))
        .where(Customer.id == customer_id)
        # Refresh an instance already in the session so that sites_count is filled.
        .execution_options(populate_existing=True)
    )
    if customer is None:
        raise NotFound()
    return customer


def list_customers(
    session: Session,
    *,
    q: str | None = None,
    tier: str | None = None,
    active: bool | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Customer], int]:
    stmt = select(Customer)
    if q:
        stmt = stmt.where(matches_any(q, Customer.name, Customer.phone, Customer.email))
    if tier:
        stmt = stmt.where(Customer.tier == tier)
    if active is not None:
        stmt = stmt.where(Customer.active.is_(active))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(
            stmt.options(with_expression(Customer.sites_count, _active_sites_count())).order_by(
                Customer.name, Customer.id
            ),
            page=page,
            page_size=page_size,
        ).execution_options(populate_existing=True)
    ).all()
    return list(rows), total


def create_customer(
    session: Session,
    *,
    name: str,
    tier: str = CustomerTier.STANDARD,
    phone: str | None = None,
    email: str | None = None,
    notes: str | None = None,
    contacts: Iterable[dict[str, Any]] = (),
) -> Customer:
    customer = Customer(
        name=name.strip(),
        tier=tier,
        phone=normalise_phone(phone),
        email=_clean_email(email),
        notes=notes,
        active=True,
    )
    customer.contacts = [_new_contact(item) for item in contacts]
    session.add(customer)
    session.flush()  # the id, for reading the customer back with its sites count
    return get_customer(session, customer_id=customer.id)


def update_customer(
    session: Session, *, customer_id: uuid.UUID, changes: dict[str, Any]
) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    for key, value in changes.items():
        if key == "contacts":
            _replace_contacts(customer, value)
        elif key == "phone":
            customer.phone = normalise_phone(value)
        elif key == "email":
            customer.email = _clean_email(value)
        elif key == "name":
            customer.name = value.strip()
        else:
            setattr(customer, key, value)
    session.flush()
    return get_customer(session, customer_id=customer_id)


def deactivate_customer(session: Session, *, customer_id: uuid.UUID) -> None:
    get_customer(session, customer_id=customer_id).active = False


def _new_contact(item: dict[str, Any]) -> Contact:
    contact = Contact()
    _fill_contact(contact, item)
    return contact


def _fill_contact(contact: Contact, item: dict[str, Any]) -> None:
    # A contact in the list is given whole: a field left out is cleared.
    for key in CONTACT_FIELDS:
        value = item.get(key)
        if key == "phone":
            value = normalise_phone(value)
        elif key == "email":
            value = _clean_email(value)
        elif key == "is_primary":
            value = bool(value)
        setattr(contact, key, value)


def _replace_contacts(customer: Customer, items: list[dict[str, Any]]) -> None:
    """The list given becomes the customer's contacts: items with an id update that contact,
    the others are new, and contacts left out are removed."""
    existing = {c.id: c for c in customer.contacts}
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[uuid.UUID] = set()
    contacts: list[Contact] = []
    for index, item in enumerate(items):
        contact_id = item.get("id")
        if contact_id is None:
            contacts.append(_new_contact(item))
            continue
        contact = existing.get(contact_id)
        if contact is None:
            errors[index] = {"id": ["unknown_contact"]}
        elif contact_id in seen:
            errors[index] = {"id": ["duplicate"]}
        else:
            seen.add(contact_id)
            _fill_contact(contact, item)
            contacts.append(contact)
    if errors:
        raise ValidationFailed({"contacts": errors})  # type: ignore[dict-item]  # by item index
    customer.contacts = contacts


# --- sites --------------------------------------------------------------------------------


def get_site(session: Session, *, site_id: uuid.UUID) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound()
    return site


def list_sites(
    session: Session,
    *,
    customer_id: uuid.UUID | None = None,
    bbox: BBox | None = None,
    q: str | None = None,
    active: bool | None = None,
    page: int,
    page_size: int,
) -> tuple[list[Site], int]:
    stmt = select(Site)
    if customer_id is not None:
        stmt = stmt.where(Site.customer_id == customer_id)
    if bbox is not None:
        stmt = stmt.where(in_bbox(Site.location, bbox))
    if q:
        stmt = stmt.where(matches_any(q, Site.name, Site.address, Site.district))
    if active is not None:
        stmt = stmt.where(Site.active.is_(active))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(stmt.order_by(Site.address, Site.id), page=page, page_size=page_size)
    ).all()
    return list(rows), total


def create_site(
    session: Session,
    *,
    customer_id: uuid.UUID,
    address: str,
    location: dict[str, float],
    name: str | None = None,
    district: str | None = None,
    access_notes: str | None = None,
) -> Site:
    _check_customer_takes_sites(session, customer_id=customer_id)
    site = Site(
        customer_id=customer_id,
        name=name.strip() if name else None,
        address=address.strip(),
        location=to_geography(**location),
        district=district,
        access_notes=access_notes,
        active=True,
    )
    session.add(site)
    session.flush()  # the id for the response
    return site


def update_site(session: Session, *, site_id: uuid.UUID, changes: dict[str, Any]) -> Site:
    site = get_site(session, site_id=site_id)
    for key, value in changes.items():
        if key == "customer_id":
            if value != site.customer_id:
                _check_customer_takes_sites(session, customer_id=value)
            site.customer_id = value
        elif key == "location":
            site.location = to_geography(**value)
        elif key in ("name", "address"):
            setattr(site, key, value.strip() if value else value)
        else:
            setattr(site, key, value)
    session.flush()  # updated_at for the response
    return site


def deactivate_site(session: Session, *, site_id: uuid.UUID) -> None:
    get_site(session, site_id=site_id).active = False


def _check_customer_takes_sites(session: Session, *, customer_id: uuid.UUID) -> None:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ValidationFailed({"customer_id": ["unknown_customer"]})
    if not customer.active:
        raise ValidationFailed({"customer_id": ["customer_inactive"]})


# --- lookups for intake ---------------------------------------------------------------------


def find_customer_by_contact(
    session: Session, *, phone: str | None = None, email: str | None = None
) -> Customer | None:
    """The active customer a caller belongs to, by phone first (it is what people give on the
    phone and on forms), then by email; a contact's phone or email counts as the customer's."""
    for column, contact_column, value in (
        (Customer.phone, Contact.phone, normalise_phone(phone)),
        (Customer.email, Contact.email, _clean_email(email)),
    ):
        if not value:
            continue
        match = session.scalar(
            select(Customer)
            .where(
                Customer.active.is_(True),
                or_(
                    func.lower(column) == value.lower(),
                    Customer.id.in_(
                        select(Contact.customer_id).where(
                            func.lower(contact_column) == value.lower()
                        )
                    ),
                ),
            )
            .order_by(Customer.created_at)
            .limit(1)
        )
        if match is not None:
            return match
    return None


def find_site_near(
    session: Session,
    *,
    customer_id: uuid.UUID,
    location: dict[str, float] | None = None,
    address: str | None = None,
    within_m: float = 150,
) -> Site | None:
    """The customer's active site at this address, or the nearest one within `within_m`."""
    base = select(Site).where(Site.customer_id == customer_id, Site.active.is_(True))
    if address:
        same = session.scalar(
            base.where(func.replace(Site.address, " ", "") == address.replace(" ", "")).limit(1)
        )
        if same is not None:
            return same
    if location:
        point = to_geography(**location)
        return session.scalar(
            base.where(func.ST_DWithin(Site.location, point, within_m))
            .order_by(func.ST_Distance(Site.location, point))
            .limit(1)
        )
    return None
