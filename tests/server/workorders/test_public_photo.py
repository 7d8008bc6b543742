"""A photo added to a public request by the holder of its tracking code: images only, checked by
content, a few per order, while the order is open; shared back without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.i18n import translate
from server.workorders import tracking
from server.workorders.models import Attachment, WorkOrderEvent
from tests.factories import bearer, make_user, make_work_order
from tests.server.workorders.test_attachments import blob_files, jpeg_with_gps, pdf_document

TRACK = "/api/v1/track"


def send_photo(client, code, data, filename="photo.jpg", lang="en", addr="203.0.113.9"):
    return client.post(
        f"{TRACK}/{code}/photos",
        data={"file": (io.BytesIO(data), filename)},
        headers={"Accept-Language": lang},
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": addr},
    )


def jpeg(colour=(10, 120, 200), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG")
    return out.getvalue()


def attachment_count(session, order) -> int:
    return session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.work_order_id == order.id)
    )


def test_request_then_photo_with_the_returned_code(client, session, app):
    receipt = client.post(
        "/api/v1/intake/web",
        json={
            "name": "张女士",
            "phone": "13800138000",
            "address": "上海市黄浦区南京东路 100 号",
            "summary": "热水器不出热水",
            "website": "",
        },
    )
    assert receipt.status_code == 201
    code = receipt.json["tracking_code"]

    response = send_photo(client, code, jpeg_with_gps(), filename="IMG_0001.JPG")
    assert response.status_code == 201
    body = response.json
    assert body["kind"] == "photo"
    assert body["mime"] == "image/jpeg"
    assert body["url"] == f"{TRACK}/{code}/attachments/{body['id']}"

    shown = client.get(f"{TRACK}/{code}").json
    assert [a["id"] for a in shown["attachments"]] == [body["id"]]
    assert "attachment" in [e["action"] for e in shown["timeline"]]
    # The customer gets the display copy back: re-encoded, without the GPS position.
    copy = client.get(body["url"])
    assert copy.status_code == 200
    with Image.open(io.BytesIO(copy.data)) as image:
        assert not image.getexif()

    row = session.get(Attachment, body["id"])
    assert row.public is True
    assert row.uploaded_by_id is None
    assert row.uploaded_by_name == "张女士"
    assert row.taken_location is not None  # kept on the original, for staff


def test_staff_see_the_customer_photo_on_the_order(client, session, app):
    order = make_work_order(session)
    created = send_photo(client, order.tracking_code, jpeg())
    assert created.status_code == 201
    staff = make_user(session, role="dispatcher")
    listed = client.get(f"/api/v1/work-orders/{order.id}/attachments", headers=bearer(app, staff))
    assert [a["id"] for a in listed.json] == [created.json["id"]]


def test_the_same_photo_again_is_the_same_attachment(client, session):
    order = make_work_order(session)
    data = jpeg()
    first = send_photo(client, order.tracking_code, data)
    again = send_photo(client, order.tracking_code, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert attachment_count(session, order) == 1


@pytest.mark.parametrize(
    ("data", "filename", "error"),
    [
        (pdf_document(), "photo.pdf", "file_type_mismatch"),
        (b"just some text, not a picture", "notes.txt", "file_type_unsupported"),
        (b"not a jpeg at all", "photo.jpg", "file_type_mismatch"),
        (b"", "photo.jpg", "file_empty"),
        (jpeg()[:200], "broken.jpg", "file_corrupt"),
    ],
)
def test_only_real_images_are_taken(client, session, app, data, filename, error):
    order = make_work_order(session)
    before = blob_files(app)
    response = send_photo(client, order.tracking_code, data, filename=filename)
    assert response.status_code == 422
    assert response.json["errors"]["files"]["file"] == [translate(error, "en")]
    assert attachment_count(session, order) == 0
    assert blob_files(app) == before


def test_field_message_is_in_the_callers_language(client, session):
    order = make_work_order(session)
    en = send_photo(client, order.tracking_code, pdf_document(), filename="a.pdf")
    zh = send_photo(client, order.tracking_code, pdf_document(), filename="a.pdf", lang="zh-CN")
    assert en.json["errors"]["files"]["file"] == [
        "The file's content does not match its name or kind."
    ]
    assert zh.json["errors"]["files"]["file"] == ["文件内容与文件名或类型不符。"]


def test_a_photo_over_the_size_cap_is_refused(client, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 2_000)
    order = make_work_order(session)
    big = jpeg(size=(1200, 900))
    assert len(big) > 2_000
    response = send_photo(client, order.tracking_code, big)
    assert response.status_code == 422
    assert response.json["errors"]["files"]["file"] == ["The file is larger than the size allowed."]
    assert attachment_count(session, order) == 0


def test_the_customer_cap_applies_below_a_larger_server_limit(client, session, monkeypatch):
    monkeypatch.setattr(tracking, "CUSTOMER_PHOTO_MAX_BYTES", 2_000)
    order = make_work_order(session)
    response = send_photo(client, order.tracking_code, jpeg(size=(1200, 900)))
    assert response.status_code == 422
    # Refused for its size, not read short and then refused as a broken image.
    assert response.json["errors"]["files"]["file"] == [translate("file_too_large", "en")]
    assert attachment_count(session, order) == 0


def test_missing_file_is_a_field_error(client, session):
    order = make_work_order(session)
    response = client.post(
        f"{TRACK}/{order.tracking_code}/photos",
        data={},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]["files"]


def test_unknown_code_is_a_404_and_stores_nothing(client, app):
    before = blob_files(app)
    response = send_photo(client, "NoSuchCode1234", jpeg())
    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert blob_files(app) == before


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_no_photos_once_the_order_is_over(client, session, status):
    order = make_work_order(session, status=status)
    response = send_photo(client, order.tracking_code, jpeg())
    assert response.status_code == 409
    assert response.json["error"] == "photos_closed"
    assert response.json["message"] == "This request is closed; photos can no longer be added."
    assert attachment_count(session, order) == 0


def test_at_most_a_few_photos_per_order(client, session):
    order = make_work_order(session)
    photos = [jpeg(colour=(n * 40, 20, 20)) for n in range(tracking.CUSTOMER_PHOTOS_MAX + 1)]
    for data in photos[:-1]:
        assert send_photo(client, order.tracking_code, data).status_code == 201
    over = send_photo(client, order.tracking_code, photos[-1], lang="zh-CN")
    assert over.status_code == 409
    assert over.json["error"] == "photo_limit_reached"
    assert over.json["max_photos"] == tracking.CUSTOMER_PHOTOS_MAX
    assert over.json["message"] == f"每个工单最多可添加 {tracking.CUSTOMER_PHOTOS_MAX} 张照片。"
    # A retry of a photo already taken still answers that photo.
    assert send_photo(client, order.tracking_code, photos[0]).status_code == 200
    assert attachment_count(session, order) == tracking.CUSTOMER_PHOTOS_MAX


def test_photos_are_rate_limited_per_address(client, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_LIMIT_PER_MINUTE", 2)
    order = make_work_order(session)
    addr = "198.51.100.23"
    for n in range(2):
        ok = send_photo(client, order.tracking_code, jpeg(colour=(n, 1, 1)), addr=addr)
        assert ok.status_code == 201
    limited = send_photo(client, order.tracking_code, jpeg(colour=(9, 9, 9)), addr=addr)
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert attachment_count(session, order) == 2


def test_the_upload_is_on_the_public_timeline(client, session):
    order = make_work_order(session)
    send_photo(client, order.tracking_code, jpeg())
    event = session.scalar(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "attachment"
        )
    )
    assert event.public is True
    assert event.actor_kind == "customer"
