"""Photo and signature bytes from the phone, stored by their sha256 before any op names them.

The server recomputes the hash (a mismatch is refused: the bytes were damaged in transit) and
checks the content like any upload; the same bytes again are a no-op.
"""

from __future__ import annotations

from server.errors import ValidationFailed
from server.storage import BlobStore, is_sha256, sha256_hex
from server.workorders import uploads
from server.workorders.attachments import Limits


def store_upload(
    store: BlobStore, *, sha256: str, data: bytes, kind: str | None, limits: Limits
) -> bool:
    """True if the bytes are new here."""
    if not is_sha256(sha256):
        raise ValidationFailed({"sha256": ["invalid"]}, location="path")
    if sha256_hex(data) != sha256:
        raise ValidationFailed({"sha256": ["hash_mismatch"]}, location="path")
    if store.exists(sha256):
        return False
    uploads.inspect(
        data, filename="", kind=kind, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels
    )
    store.put(data)
    return True
