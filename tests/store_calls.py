"""Count what a store sends its database while a block runs, and the SQLite write
transactions it begins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage import sql_base


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


def begun_writes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The driver connection of every SQLite write transaction begun from now on (each
    takes the write lock through ``sql_base._try_begin_immediate``; tries that found it
    taken are not counted)."""
    conns: list[Any] = []
    try_begin = sql_base._try_begin_immediate

    def recorded(dbapi_conn: Any) -> bool:
        taken = try_begin(dbapi_conn)
        if taken:
            conns.append(dbapi_conn)
        return taken

    monkeypatch.setattr(sql_base, "_try_begin_immediate", recorded)
    return conns
