"""One router factory for organisation-owned records (zones, routes, schedules, docks, ground
units): list, read, create, replace, delete; role-checked, subtree-scoped, every change audited."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.api.deps import CurrentUser, StationDep, require_role, scoped_row
from groundstation.audit import record_audit
from groundstation.auth import Principal, Role, org_path
from groundstation.db import Organisation, utc_now
from groundstation.station import Station

__all__ = ["ResourceSpec", "resource_router"]

RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class ResourceSpec:
    """How one kind of record is exposed."""

    name: str  # singular, e.g. "zone" (audit actions zone.create / zone.update / zone.delete)
    path: str  # e.g. "/zones"
    model: type[Any]
    body: type[BaseModel]  # must have org_id
    out: type[BaseModel]
    write_roles: tuple[Role, ...]
    to_row: Callable[[BaseModel], dict[str, Any]] = field(default=lambda b: b.model_dump())
    check: Callable[[Session, Principal, BaseModel], None] | None = None  # extra validation
    after_change: Callable[[Station], None] | None = None  # e.g. rebuild the zone cache


def _typed(fn: Callable[..., Any], params: list[tuple[str, Any, Any]], ret: Any) -> Callable[..., Any]:
    """Give a generic handler a concrete signature FastAPI can read."""
    kind = inspect.Parameter.KEYWORD_ONLY
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, kind, annotation=a, default=d) for n, a, d in params],
        return_annotation=ret,
    )
    return fn


def resource_router(spec: ResourceSpec) -> APIRouter:
    """The router of one resource."""
    router = APIRouter(prefix=spec.path, tags=[spec.path.strip("/")])
    Writer = Annotated[Principal, Depends(require_role(*spec.write_roles))]
    empty = inspect.Parameter.empty
    Out = spec.out
    roles = ", ".join(r.value for r in spec.write_roles)

    def check_org(session: Session, user: Principal, org_id: int) -> None:
        try:
            path = org_path(session, org_id)
        except LookupError:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"organisation {org_id} not found") from None
        if not user.covers(path):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "organisation outside yours")

    async def write(station: Station, fn: Callable[[Session], Any]) -> Any:
        out = await station.db.run(fn)
        if spec.after_change is not None:
            spec.after_change(station)
        return out

    async def list_rows(user: Principal, station: Station, limit: int, offset: int) -> list[Any]:
        def read(session: Session) -> list[Any]:
            rows = session.scalars(
                select(spec.model).join(Organisation, Organisation.id == spec.model.org_id)
                .where(user.subtree())
                .order_by(spec.model.id).offset(offset).limit(limit))
            return [Out.model_validate(r) for r in rows]
        return await station.db.run(read)

    async def get_row(row_id: int, user: Principal, station: Station) -> Any:
        return await station.db.run(
            lambda s: Out.model_validate(scoped_row(s, spec.model, row_id, user, spec.name)))

    async def create(body: BaseModel, user: Principal, station: Station) -> Any:
        def fn(session: Session) -> Any:
            check_org(session, user, body.org_id)  # type: ignore[attr-defined]
            if spec.check is not None:
                spec.check(session, user, body)
            row = spec.model(**spec.to_row(body))
            session.add(row)
            session.flush()
            record_audit(session, actor=user, action=f"{spec.name}.create", target_type=spec.name,
                         target_id=row.id, org_id=row.org_id, params=body.model_dump(),
                         result="ok")
            return Out.model_validate(row)
        return await write(station, fn)

    async def replace(row_id: int, body: BaseModel, user: Principal, station: Station) -> Any:
        def fn(session: Session) -> Any:
            row = scoped_row(session, spec.model, row_id, user, spec.name)
            check_org(session, user, body.org_id)  # type: ignore[attr-defined]
            if spec.check is not None:
                spec.check(session, user, body)
            before = Out.model_validate(row).model_dump(mode="json")
            for key, value in spec.to_row(body).items():
                setattr(row, key, value)
            if hasattr(row, "updated_at"):
                row.updated_at = utc_now()
            session.flush()
            record_audit(session, actor=user, action=f"{spec.name}.update", target_type=spec.name,
                         target_id=row.id, org_id=row.org_id, result="ok",
                         params={"before": before, "after": body.model_dump()})
            return Out.model_validate(row)
        return await write(station, fn)

    async def delete(row_id: int, user: Principal, station: Station) -> None:
        def fn(session: Session) -> None:
            row = scoped_row(session, spec.model, row_id, user, spec.name)
            before = Out.model_validate(row).model_dump(mode="json")
            session.delete(row)
            session.flush()
            record_audit(session, actor=user, action=f"{spec.name}.delete", target_type=spec.name,
                         target_id=row_id, org_id=row.org_id, result="ok",
                         params={"before": before})
        await write(station, fn)

    Limit = Annotated[int, Query(ge=1, le=1000)]
    Offset = Annotated[int, Query(ge=0, le=10**9)]
    BodyT = Annotated[spec.body, Body()]  # type: ignore[name-defined]
    router.add_api_route("", _typed(list_rows, [("user", CurrentUser, empty),
                                                ("station", StationDep, empty),
                                                ("limit", Limit, 100), ("offset", Offset, 0)],
                                    list[Out]),  # type: ignore[valid-type]
                         methods=["GET"], summary=f"List {spec.name}s of your organisations",
                         name=f"list_{spec.name}s")
    router.add_api_route("", _typed(create, [("body", BodyT, empty), ("user", Writer, empty),
                                             ("station", StationDep, empty)], Out),
                         methods=["POST"], status_code=201, name=f"create_{spec.name}",
                         summary=f"Create a {spec.name} (roles: {roles})")
    router.add_api_route("/{row_id}", _typed(get_row, [("row_id", RowId, empty),
                                                       ("user", CurrentUser, empty),
                                                       ("station", StationDep, empty)], Out),
                         methods=["GET"], summary=f"Read a {spec.name}", name=f"get_{spec.name}")
    router.add_api_route("/{row_id}", _typed(replace, [("row_id", RowId, empty),
                                                       ("body", BodyT, empty),
                                                       ("user", Writer, empty),
                                                       ("station", StationDep, empty)], Out),
                         methods=["PUT"], summary=f"Replace a {spec.name} (roles: {roles})",
                         name=f"replace_{spec.name}")
    router.add_api_route("/{row_id}", _typed(delete, [("row_id", RowId, empty),
                                                      ("user", Writer, empty),
                                                      ("station", StationDep, empty)], None),
                         methods=["DELETE"], status_code=204, name=f"delete_{spec.name}",
                         summary=f"Delete a {spec.name} (roles: {roles})")
    return router
