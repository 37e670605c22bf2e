"""Users, roles and access: argon2 passwords, JWT login tokens, API keys, org-subtree scoping.

Roles (``Role``): admin, pilot, commander, automation (service accounts, API keys), viewer.
FastAPI dependencies built on this live in ``groundstation.api.deps``.
"""

from groundstation.auth._exceptions import AccessError, Forbidden, NotAuthenticated, TokenInvalid
from groundstation.auth._passwords import PasswordHashing, new_api_key
from groundstation.auth._principal import Principal
from groundstation.auth._tokens import TokenClaims, TokenIssuer, load_or_create_secret
from groundstation.auth._users import (
    authenticate_api_key,
    authenticate_password,
    create_org,
    create_user,
    issue_api_key,
    org_path,
    principal_for_token,
    principal_of,
)
from groundstation.db import Role

__all__ = [
    "AccessError",
    "Forbidden",
    "NotAuthenticated",
    "PasswordHashing",
    "Principal",
    "Role",
    "TokenClaims",
    "TokenInvalid",
    "TokenIssuer",
    "authenticate_api_key",
    "authenticate_password",
    "create_org",
    "create_user",
    "issue_api_key",
    "load_or_create_secret",
    "new_api_key",
    "org_path",
    "principal_for_token",
    "principal_of",
]
