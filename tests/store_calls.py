"""Count what a store sends its database while a block runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from shipcaptaincrew.services.context import Context


@contextmanager
def counted(ctx: Context) -> Iterator[list[str]]:
    """Each SQL statement (SQLite, PostgreSQL) or DynamoDB call the store makes meanwhile."""
    calls: list[str] = []
    engine = getattr(ctx.store, "engine", None)
    if engine is not None:

        def note(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            calls.append(statement.split()[0])

        sa.event.listen(engine, "before_cursor_execute", note)
        try:
            yield calls
        finally:
            sa.event.remove(engine, "before_cursor_execute", note)
        return
    client = ctx.store._client  # type: ignore[attr-defined]

    def call(event_name: str, **kw: object) -> None:
        calls.append(event_name)

    client.meta.events.register("before-call.dynamodb", call)
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", call)
