"""Login tokens (JWT, HS256) and the secret that signs them."""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from pydantic import SecretStr

from groundstation.auth._exceptions import TokenInvalid

__all__ = ["TokenClaims", "TokenIssuer", "load_or_create_secret"]

_log = logging.getLogger(__name__)
_ALGORITHM = "HS256"
_ISSUER = "groundstation"
_SECRET_FILE = "jwt_secret"


def load_or_create_secret(configured: SecretStr | None, data_dir: Path) -> SecretStr:
    """The configured secret, else the one kept in ``data_dir`` (made on first start, mode 0600)."""
    if configured is not None and configured.get_secret_value():
        return configured
    path = data_dir / _SECRET_FILE
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if len(value) >= 32:
            return SecretStr(value)
        raise TokenInvalid(f"token secret file {path} is too short; delete it to make a new one")
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(value)
    _log.info("generated a new token signing secret in %s", path)
    return SecretStr(value)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says: whose it is and which token version it carries."""

    user_id: int
    token_version: int
    expires_at: datetime
    token_id: str


class TokenIssuer:
    """Issues and checks signed login tokens."""

    def __init__(self, secret: SecretStr, ttl_s: float) -> None:
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, user_id: int, token_version: int, *, now: datetime | None = None) -> str:
        """A signed token for a user, valid for ``ttl_s``."""
        issued = now or datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "ver": token_version,
            "iat": issued,
            "exp": issued + timedelta(seconds=self.ttl_s),
            "iss": _ISSUER,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret.get_secret_value(), algorithm=_ALGORITHM)

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token; TokenInvalid (with the reason) otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._secret.get_secret_value(),
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": ["sub", "exp", "iat", "iss", "ver"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenInvalid("token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenInvalid("token invalid") from exc
        try:
            user_id = int(claims["sub"])
            version = int(claims["ver"])
        except (TypeError, ValueError) as exc:
            raise TokenInvalid("token invalid") from exc
        return TokenClaims(
            user_id=user_id,
            token_version=version,
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            token_id=str(claims.get("jti", "")),
        )
