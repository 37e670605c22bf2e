"""Who is asking: a user or service account, with their role and organisation subtree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement

from groundstation.auth._exceptions import Forbidden
from groundstation.db import Organisation, Role

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user; may act only inside the subtree of ``org_path``."""

    user_id: int
    username: str
    role: Role
    org_id: int
    org_path: str

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds one of the roles."""
        return self.role in roles

    def covers(self, org_path: str) -> bool:
        """Whether an organisation (by its path) lies in this user's subtree."""
        return bool(org_path) and org_path.startswith(self.org_path)

    def subtree(self) -> ColumnElement[bool]:
        """SQL condition on ``Organisation`` rows: the organisation lies in this user's subtree."""
        return Organisation.path.startswith(self.org_path, autoescape=True)

    @property
    def is_root_admin(self) -> bool:
        """An admin of a root organisation: may also see records that belong to none."""
        return self.role is Role.ADMIN and self.org_path.count("/") == 2

    def check_org(self, org_path: str, what: str = "resource") -> None:
        """Raise Forbidden unless the organisation lies in this user's subtree."""
        if not self.covers(org_path):
            raise Forbidden(f"{what} belongs to another organisation")

    def check_role(self, *roles: Role) -> None:
        """Raise Forbidden unless the user holds one of the roles."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"role {self.role.value} may not do this (needs {allowed})")
