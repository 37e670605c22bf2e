"""Which organisation a live dock belongs to (its registration row), for scoping and audit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.db import Dock as DockRow
from groundstation.db import Organisation


def dock_orgs(session: Session) -> dict[str, tuple[int, str]]:
    """Dock key -> (organisation id, organisation path) of every registered dock."""
    rows = session.execute(
        select(DockRow.dock_key, DockRow.org_id, Organisation.path)
        .join(Organisation, Organisation.id == DockRow.org_id))
    return {key: (org_id, path) for key, org_id, path in rows}
