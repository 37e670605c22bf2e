"""Authentication and authorisation errors (mapped to 401 and 403 by the API).

    StationError
    └── AccessError
        ├── NotAuthenticated     no credentials, or credentials that do not check out
        │   └── TokenInvalid     a token that is expired, forged or malformed
        └── Forbidden            a known user without the role or outside the organisation
"""

from __future__ import annotations

from groundstation._exceptions import StationError

__all__ = ["AccessError", "Forbidden", "NotAuthenticated", "TokenInvalid"]


class AccessError(StationError):
    """Access refused."""


class NotAuthenticated(AccessError):
    """No valid credentials."""


class TokenInvalid(NotAuthenticated):
    """An expired, forged or malformed token."""


class Forbidden(AccessError):
    """The user may not do this."""
