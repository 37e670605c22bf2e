"""Password hashing (argon2id) and API keys for service accounts."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "ApiKey",
    "PasswordHashing",
    "api_key_digest",
    "api_key_matches",
    "new_api_key",
    "parse_api_key",
]

_API_KEY_PREFIX = "gcs"


class PasswordHashing:
    """argon2id hashing with the library's current recommended parameters."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    def hash(self, password: str) -> str:
        """A salted argon2id hash of a password."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether the password matches; a missing or broken hash never matches."""
        if not stored_hash:
            return False
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def dummy_verify(self, password: str) -> None:
        """Spend the time of one verification (unknown users take as long as known ones)."""
        self.verify(self._hasher.hash("not a password"), password)


class ApiKey(str):
    """A service-account key ``gcs_<prefix>_<secret>``; only its digest is stored."""


def new_api_key() -> tuple[ApiKey, str, str]:
    """A fresh key, its public prefix (for lookup) and the digest to store."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(f"{_API_KEY_PREFIX}_{prefix}_{secret}")
    return key, prefix, api_key_digest(key)


def parse_api_key(key: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _API_KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def api_key_digest(key: str) -> str:
    """SHA-256 of a key (keys are 256-bit random, so a fast digest is safe to store)."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(key: str, digest: str | None) -> bool:
    """Constant-time comparison of a presented key with a stored digest."""
    return digest is not None and hmac.compare_digest(api_key_digest(key), digest)
