"""Alembic environment: runs on the connection handed in by ``groundstation.db.migrate``."""

from __future__ import annotations

from alembic import context

from groundstation.db._models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through groundstation.db.migrate(engine)")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
