"""Attachments: checked by content, stored by hash, served only to those who may see the order."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.workorders import uploads
from server.workorders.models import Attachment, WorkOrderEvent
from tests.factories import bearer, make_technician, make_user, make_work_order

BASE = "/api/v1/work-orders"


def jpeg_with_gps(size=(800, 600), colour=(200, 40, 40)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x0132] = "2026:11:30 09:15:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 13.0, 48.0)  # 31.23 N
    gps[3], gps[4] = "E", (121.0, 28.0, 12.0)  # 121.47 E
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_signature() -> bytes:
    image = Image.new("RGBA", (400, 150), (0, 0, 0, 0))
    for x in range(20, 380):
        image.putpixel((x, 75 + (x % 17) - 8), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pdf_document() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def blob_files(app) -> set[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return {p for p in root.rglob("*") if p.is_file()}


def upload(client, app, user, order, data, filename, **form):
    return client.post(
        f"{BASE}/{order.id}/attachments",
        data={"file": (io.BytesIO(data), filename), **{k: str(v) for k, v in form.items()}},
        headers=bearer(app, user, **{"Accept-Language": "en"}),
        content_type="multipart/form-data",
    )


@pytest.fixture
def agent(session):
    return make_user(session, role="agent")


@pytest.fixture
def order(session):
    return make_work_order(session)


def test_a_photo_is_stored_with_thumbnail_and_display_copy_and_its_exif_facts(
    client, app, session, agent, order
):
    data = jpeg_with_gps()
    response = upload(client, app, agent, order, data, "leak.jpg")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kind"] == "photo"
    assert body["mime"] == "image/jpeg"
    assert (body["width"], body["height"]) == (800, 600)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["taken_location"] == pytest.approx({"lat": 31.23, "lon": 121.47}, abs=1e-4)
    assert body["taken_at"].startswith("2026-11-30T09:15:00")
    assert body["uploaded_by"]["name"] == agent.name

    original = client.get(body["urls"]["original"], headers=bearer(app, agent))
    assert original.status_code == 200
    assert original.data == data
    assert original.headers["X-Content-Type-Options"] == "nosniff"
    thumb = client.get(body["urls"]["thumbnail"], headers=bearer(app, agent))
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == uploads.THUMBNAIL_PX
    display = client.get(body["urls"]["display"], headers=bearer(app, agent))
    with Image.open(io.BytesIO(display.data)) as image:
        assert image.size == (800, 600)
        assert not image.getexif(), "the display copy carries no EXIF (and no GPS)"

    event = session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "attachment"
        )
    ).one()
    assert event.payload["filename"] == "leak.jpg"
    assert event.public is False


def test_the_same_bytes_twice_are_one_attachment(client, app, session, agent, order):
    data = jpeg_with_gps()
    assert upload(client, app, agent, order, data, "a.jpg").status_code == 201
    again = upload(client, app, agent, order, data, "a-again.jpg")
    assert again.status_code == 200
    assert again.json["filename"] == "a.jpg"
    count = session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.work_order_id == order.id)
    )
    assert count == 1


def test_a_signature_png_and_a_pdf_are_accepted(client, app, agent, order):
    signature = upload(client, app, agent, order, png_signature(), "sig.png", kind="signature")
    assert signature.status_code == 201, signature.json
    assert signature.json["kind"] == "signature"
    assert signature.json["mime"] == "image/png"
    pdf = upload(client, app, agent, order, pdf_document(), "报价单.pdf")
    assert pdf.status_code == 201, pdf.json
    assert pdf.json["kind"] == "document"
    assert pdf.json["urls"]["thumbnail"] is None
    content = client.get(pdf.json["urls"]["original"], headers=bearer(app, agent))
    assert content.mimetype == "application/pdf"
    assert content.headers["Content-Disposition"].startswith("attachment;")
    assert "%E6%8A%A5" in content.headers["Content-Disposition"]


def bomb() -> bytes:
    # 100 million pixels of one colour compress to a few kilobytes of PNG.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make_data", "filename", "form", "error"),
    [
        (
            lambda: b"MZ\x90\x00 this is a program, not a photo",
            "photo.jpg",
            {},
            "file_type_mismatch",
        ),
        (lambda: b"plain text, named as text", "notes.txt", {}, "file_type_unsupported"),
        (lambda: jpeg_with_gps()[:2000], "cut.jpg", {}, "file_corrupt"),
        (bomb, "bomb.png", {}, "image_too_large"),
        (pdf_document, "scan.jpg", {}, "file_type_mismatch"),
        (jpeg_with_gps, "report.pdf", {}, "file_type_mismatch"),
        (pdf_document, "doc.pdf", {"kind": "photo"}, "file_type_mismatch"),
        (lambda: b"", "empty.jpg", {}, "file_empty"),
    ],
)
def test_refused_files_leave_nothing_behind(
    client, app, session, agent, order, make_data, filename, form, error
):
    before = blob_files(app)
    response = upload(client, app, agent, order, make_data(), filename, **form)
    assert response.status_code == 422, response.json
    assert response.json["error"] == "validation_failed"
    assert _field_slug(response.json, error)
    assert blob_files(app) == before
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def _field_slug(body, slug) -> bool:
    """The English message of the slug is what the caller reads for the `file` field."""
    from server.i18n import MESSAGES

    return body["errors"]["files"]["file"] == [MESSAGES[slug]["en"]]


def test_a_file_over_the_per_file_limit_is_refused(client, app, session, agent, order, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 10_000)
    before = blob_files(app)
    response = upload(client, app, agent, order, jpeg_with_gps(size=(1200, 900)), "big.jpg")
    assert response.status_code == 422
    assert _field_slug(response.json, "file_too_large")
    assert blob_files(app) == before


def test_a_body_over_the_request_limit_is_413_in_the_error_shape(
    client, app, session, agent, order, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 5_000)
    response = upload(client, app, agent, order, jpeg_with_gps(size=(1200, 900)), "big.jpg")
    assert response.status_code == 413
    assert response.json["error"] == "payload_too_large"
    assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_missing_file_field_is_a_field_error(client, app, agent, order):
    response = client.post(
        f"{BASE}/{order.id}/attachments",
        data={"public": "true"},
        headers=bearer(app, agent),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]["files"]


def test_only_those_who_see_the_order_reach_its_attachments(client, app, session, agent, order):
    created = upload(client, app, agent, order, jpeg_with_gps(), "a.jpg").json
    stranger = make_technician(session)
    assigned = make_technician(session)
    order.assignee_id = assigned.id
    order.status = "assigned"
    session.flush()

    for url in (f"{BASE}/{order.id}/attachments", created["urls"]["original"]):
        assert client.get(url, headers=bearer(app, stranger.user)).status_code == 404
        assert client.get(url, headers=bearer(app, assigned.user)).status_code == 200
    refused = upload(client, app, stranger.user, order, png_signature(), "s.png")
    assert refused.status_code == 404
    warehouse = make_user(session, role="warehouse")
    assert upload(client, app, warehouse, order, png_signature(), "s.png").status_code == 403
    assert client.get(created["urls"]["original"]).status_code == 401
    by_engineer = upload(client, app, assigned.user, order, png_signature(), "s.png")
    assert by_engineer.status_code == 201


def test_the_customer_sees_public_attachments_only_and_never_the_exif(
    client, app, session, agent, order
):
    private = upload(client, app, agent, order, jpeg_with_gps(colour=(1, 2, 3)), "p.jpg").json
    shared = upload(client, app, agent, order, jpeg_with_gps(), "before.jpg", public="true").json
    code = order.tracking_code

    page = client.get(f"/api/v1/track/{code}").json
    assert [a["id"] for a in page["attachments"]] == [shared["id"]]
    assert page["attachments"][0]["url"] == f"/api/v1/track/{code}/attachments/{shared['id']}"
    assert any(e["action"] == "attachment" for e in page["timeline"])

    photo = client.get(page["attachments"][0]["url"])
    assert photo.status_code == 200
    with Image.open(io.BytesIO(photo.data)) as image:
        assert not image.getexif()
    assert photo.data != jpeg_with_gps()
    assert client.get(f"/api/v1/track/{code}/attachments/{private['id']}").status_code == 404
    other = make_work_order(session)
    assert (
        client.get(f"/api/v1/track/{other.tracking_code}/attachments/{shared['id']}").status_code
        == 404
    )
