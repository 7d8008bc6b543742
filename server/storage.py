"""Blob storage, content-addressed by sha256: photos, signatures, documents and their derived
copies (thumbnails, customer copies without metadata).

A blob is written once under its own hash and never changes, so a repeated upload is a no-op,
two requests storing the same bytes cannot disagree, and a row that names a hash always finds
the same bytes. The local store keeps files under `var/blobs/ab/cd/<sha256>`; writes go to a
temporary file in the same directory and are renamed into place, so a reader never sees half a
file and a crash leaves at most a stray temporary file.

Rows are written in the request's transaction and blobs before it commits; a rolled-back request
can leave an unreferenced blob behind, which is harmless (nothing names it) and the same bytes
stored again later reuse it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(value: str) -> bool:
    return bool(_SHA256.match(value))


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, sha256: str) -> bytes | None: ...
    def exists(self, sha256: str) -> bool: ...


class LocalBlobStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes | None:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


def init_app(app: Any) -> None:
    """The app's store, chosen by setting (only the local one exists so far)."""
    app.extensions["blobs"] = LocalBlobStore(app.config["STORAGE_DIR"])
