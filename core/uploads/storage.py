"""Where uploaded bytes live, behind one small interface.

``LocalStorage`` keeps them in a folder outside ``static/`` (by default ``<instance>/uploads``),
so the web server never serves them directly. A shared or object store can replace it later by
implementing ``Storage`` and registering an instance as ``app.extensions["uploads_storage"]``.

Keys are random hexadecimal strings chosen by the caller (see ``new_key``); a storage refuses
anything else, so a key can never be used to reach outside its folder.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_KEY = re.compile(r"[0-9a-f]{8,128}")


class Storage(Protocol):
    def save(self, key: str, data: bytes) -> None:
        """Store ``data`` under a new ``key``; an existing key is never overwritten."""

    def open(self, key: str) -> BinaryIO:
        """The stored bytes, as a binary file object the caller closes.

        Raises ``FileNotFoundError`` when nothing is stored under ``key``."""

    def delete(self, key: str) -> None:
        """Remove the bytes stored under ``key``; a missing key is not an error."""

    def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""


def new_key() -> str:
    """A random storage key: 64 hexadecimal characters, unrelated to the file's name."""
    return secrets.token_hex(32)


def check_key(key: str) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError("storage keys are lower-case hexadecimal strings")
    return key


class LocalStorage:
    """Files in ``root/<first two characters of the key>/<key>``, readable by the app's
    user only (folders 0o700, files 0o600)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        path = self.path_for(key)
        self._make_folder(self.root)
        self._make_folder(path.parent)
        # O_EXCL: a key is written once; nothing can replace stored bytes behind a row.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return open(self.path_for(key), "rb")  # noqa: SIM115 - the caller closes it

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    @staticmethod
    def _make_folder(folder: Path) -> None:
        # The mode applies to folders created here; existing ones keep what the admin set.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"<LocalStorage {self.root}>"


def upload_folder() -> Path:
    """``UPLOAD_FOLDER`` from the config, by default ``<instance>/uploads``."""
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured or os.path.join(current_app.instance_path, "uploads"))


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def get_storage() -> Storage:
    """The storage for the current app: a registered one, or a folder from the config."""
    registered = current_app.extensions.get("uploads_storage")
    if registered is not None:
        return registered
    folder = upload_folder().resolve()
    static = current_app.static_folder
    if static and folder.is_relative_to(Path(static).resolve()):
        raise RuntimeError("UPLOAD_FOLDER must not be inside the static folder")
    return LocalStorage(folder)
