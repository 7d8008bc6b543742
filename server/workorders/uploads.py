"""What an uploaded file really is, decided by its bytes, and the copies made from it.

A name or a declared type proves nothing: an image is accepted only when Pillow decodes it
completely, a PDF only when it starts and ends like one. Pixel counts are checked from the
header before anything is decoded, so a decompression bomb (a small file that expands to
gigabytes) is refused without allocating it. A file whose name promises one kind and whose bytes
are another is refused too.

Accepted: JPEG, PNG, WebP and GIF photos (and signatures, which are PNG from the engineer app),
and PDF documents. Derived copies are re-encoded from the pixels, so they carry no metadata:
a thumbnail for lists and a display copy for customers (EXIF, and with it the photo's GPS
position, stays only on the original, which only staff can fetch).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from server.errors import ValidationFailed

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif"}
DOCUMENT_SUFFIXES = {".pdf"}
THUMBNAIL_PX = 320
DISPLAY_PX = 1600


@dataclass(frozen=True)
class Inspected:
    kind: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    # From EXIF, kept on the record (where the photo was taken), never on customer copies.
    taken_at: datetime | None = None
    lat: float | None = None
    lon: float | None = None


def inspect(
    data: bytes, *, filename: str, kind: str | None, max_bytes: int, max_pixels: int
) -> Inspected:
    """The file's real type and facts, or ValidationFailed on the `file` field."""
    if not data:
        raise ValidationFailed({"file": ["file_empty"]}, location="files")
    if len(data) > max_bytes:
        raise ValidationFailed({"file": ["file_too_large"]}, location="files")
    suffix = PurePosixPath(filename.lower()).suffix
    if data.startswith(b"%PDF-"):
        if suffix in IMAGE_SUFFIXES or kind in {"photo", "signature"}:
            raise ValidationFailed({"file": ["file_type_mismatch"]}, location="files")
        if b"%%EOF" not in data[-1024:]:
            raise ValidationFailed({"file": ["file_corrupt"]}, location="files")
        return Inspected(kind="document", mime="application/pdf", size=len(data))
    image = _open_image(data, max_pixels=max_pixels)
    if image is None:
        # Not an image and not a PDF: refused whatever its name says.
        error = "file_type_mismatch" if suffix in IMAGE_SUFFIXES else "file_type_unsupported"
        raise ValidationFailed({"file": [error]}, location="files")
    if suffix in DOCUMENT_SUFFIXES or kind == "document":
        raise ValidationFailed({"file": ["file_type_mismatch"]}, location="files")
    fmt, (width, height), exif = image
    return Inspected(
        kind=kind or "photo",
        mime=IMAGE_FORMATS[fmt],
        size=len(data),
        width=width,
        height=height,
        **_exif_facts(exif),
    )


def _open_image(data: bytes, *, max_pixels: int) -> tuple[str, tuple[int, int], Any] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in IMAGE_FORMATS:
                    return None
                width, height = probe.size
                # Checked from the header, before a single pixel is decoded.
                if width * height > max_pixels or getattr(probe, "n_frames", 1) > 100:
                    raise ValidationFailed({"file": ["image_too_large"]}, location="files")
                fmt, exif = probe.format, probe.getexif()
            # `verify` checks structure; a full load catches truncated pixel data.
            with Image.open(io.BytesIO(data)) as check:
                check.verify()
            with Image.open(io.BytesIO(data)) as full:
                full.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationFailed({"file": ["image_too_large"]}, location="files") from exc
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationFailed({"file": ["file_corrupt"]}, location="files") from exc
    return fmt, (width, height), exif


def _exif_facts(exif: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    try:
        stamp = exif.get(ExifTags.Base.DateTime) or exif.get_ifd(ExifTags.IFD.Exif).get(
            ExifTags.Base.DateTimeOriginal
        )
        if isinstance(stamp, str):
            # EXIF time has no zone; it is recorded as written, read as UTC for ordering only.
            facts["taken_at"] = datetime.strptime(stamp.strip(), "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=UTC
            )
    except (ValueError, KeyError, TypeError):
        pass
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            facts["lat"], facts["lon"] = round(lat, 7), round(lon, 7)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        pass
    return facts


def _degrees(dms: Any, ref: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref).upper() in {"S", "W"} else value


def derived_copies(data: bytes) -> tuple[bytes, bytes]:
    """A JPEG thumbnail and a display copy, upright and without any metadata."""
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)
        upright = ImageOps.exif_transpose(image)
        flat = _flatten(upright)
    return _jpeg(flat, THUMBNAIL_PX), _jpeg(flat, DISPLAY_PX)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent signatures and palette images stay readable as JPEG."""
    if image.mode in {"RGBA", "LA", "P", "PA"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest))
    out = io.BytesIO()
    # A fresh image has no info dict to carry EXIF or ICC over: nothing but pixels is written.
    copy.save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()
