"""Encryption at rest for files that hold sensitive personal data: identity copies, uploads, data packages.

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package) with keys from the environment
(``PRIVACY_ENCRYPTION_KEYS``, newest first): a new key can be added in front while files encrypted under an
older one stay readable until they are deleted. Files live in the default storage under ``privacy/`` with
random names; no view serves them directly.
"""

import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def _fernet() -> MultiFernet:
    keys = settings.PRIVACY_ENCRYPTION_KEYS
    if not keys:
        raise RuntimeError("PRIVACY_ENCRYPTION_KEYS is not set: sensitive files cannot be stored.")
    return MultiFernet([Fernet(key) for key in keys])


def store_encrypted(content: bytes, *, folder: str) -> str:
    """Encrypt ``content`` and store it under ``privacy/<folder>/``; returns the storage path."""
    name = f"privacy/{folder}/{secrets.token_hex(16)}.bin"
    return default_storage.save(name, ContentFile(_fernet().encrypt(content)))


def read_decrypted(path: str) -> bytes:
    """The plain content of a file stored by ``store_encrypted``."""
    with default_storage.open(path, "rb") as stored:
        token = stored.read()
    try:
        return _fernet().decrypt(token)
    except InvalidToken as error:
        raise RuntimeError(f"{path} cannot be decrypted with the configured keys") from error


def delete_encrypted(path: str) -> None:
    """Delete a stored file; a file that is already gone is fine (deleting twice changes nothing)."""
    if path:
        default_storage.delete(path)
