"""The call-taking webhook's signature: HMAC-SHA256 over ``<timestamp>.<body>``.

Headers: ``X-GCS-Timestamp`` (Unix seconds) and ``X-GCS-Signature: sha256=<hex>``. A timestamp
older or newer than the allowed skew is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["sign_webhook", "verify_webhook"]


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-GCS-Signature`` value for a body sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
    max_skew_s: float, now_s: float | None = None,
) -> str | None:
    """None when the request is genuine and fresh, else the reason it is refused."""
    if not timestamp or not signature:
        return "missing signature headers"
    try:
        sent_s = int(timestamp)
    except ValueError:
        return "bad timestamp"
    if abs((time.time() if now_s is None else now_s) - sent_s) > max_skew_s:
        return "timestamp outside the allowed window"
    if not hmac.compare_digest(sign_webhook(secret, timestamp, body), signature.strip()):
        return "bad signature"
    return None
