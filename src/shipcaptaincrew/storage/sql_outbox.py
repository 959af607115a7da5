"""The outbox part of ``SqlStore``: list, claim, finish and requeue messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..domain import outbox as ob
from ..domain.models import AuditEntry, OutboxMessage
from . import schema as t
from .sql_base import SqlBase, _execute, _from_row, _to_row

# The outbox's columns as OutboxMessage fields (the recipient column is ``to_addr``).
MESSAGE = [c.label("to") if c.name == "to_addr" else c for c in t.outbox.c]


# An event's messages of some kinds that are a patron's (both reads of the latest status).
_o = t.outbox.c
_PATRONS_OF_KINDS = (
    _o.event_id == sa.bindparam("event_id"),
    _o.kind.in_(sa.bindparam("kinds", expanding=True)),
    _o.patron_id.is_not(None),
)


def _latest(*where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Each patron's latest message status of one event and some kinds: ranked in SQL (by
    domain/outbox.py's ``RECENCY``, newest first), so only one row per patron comes back
    (and no payload), however long the history."""
    newest_first = [_o[name].desc() for name in ob.RECENCY]
    ranked = (
        sa.select(
            _o.patron_id,
            _o.status,
            sa.func.row_number()
            .over(partition_by=_o.patron_id, order_by=newest_first)
            .label("newest"),
        )
        .where(*_PATRONS_OF_KINDS, *where)
        .subquery()
    )
    return sa.select(ranked.c.patron_id, ranked.c.status).where(ranked.c.newest == 1)


LATEST_STATUS = _latest()
# On SQLite an event's messages of some kinds, packed (patron, created, id, status), ranked in
# Python by the same rule: SQLite's window function over 500 patrons' receipts cost 1.9 ms
# of its time, the packed rows 0.5 (and the ranking 0.3 more).
LATEST_ROWS_PACKED = sa.select(
    sa.func.json_group_array(sa.func.json_array(_o.patron_id, _o.created_at, _o.id, _o.status))
).where(*_PATRONS_OF_KINDS)
LATEST_STATUS_OF_PATRON = _latest(t.outbox.c.patron_id == sa.bindparam("patron_id"))


# The order due messages are claimed in (the columns of the claim's ORDER BY).
_CLAIM_ORDER = ("next_attempt_at", "created_at", "id")


def _claim(*where: sa.ColumnElement[bool], pg: bool) -> sa.Select[Any]:
    """The due messages (of domain/outbox.py's due statuses, in its claim order, as SQL for
    the LIMIT); on PostgreSQL locked, skipping those another worker holds (SQLite already
    holds the write lock for the whole transaction)."""
    o = t.outbox.c
    q = (
        sa.select(*MESSAGE)
        .where(o.status.in_(ob.DUE_STATUSES), o.next_attempt_at <= sa.bindparam("now"), *where)
        .order_by(*(o[name] for name in _CLAIM_ORDER))
        .limit(sa.bindparam("limit"))
    )
    return q.with_for_update(skip_locked=True) if pg else q


# The values a claim sets, as the claim in one statement returns them beside the row.
_NOW = ("now_status", "now_attempts", "now_next_attempt_at")


def _claimed_in_one(*where: sa.ColumnElement[bool]) -> sa.Update:
    """PostgreSQL: the due messages locked (skipping those another worker holds), marked
    claimed and read back in one statement run on its own: one round trip, where BEGIN,
    the read, the update and COMMIT were four (a claim of one message, as the delivery
    process makes for each receipt at a busy dock, about a fifth less CPU). Each message
    comes back as it was (``picked``) beside the values the statement set (``_NOW``): the
    store makes the claimed message from the first with domain/outbox.py's ``claimed`` and
    checks it against the second, so the rule has one home and a claim that drifts from it
    fails loudly."""
    o = t.outbox.c
    picked = _claim(*where, pg=True).cte("picked")
    set_now = (o.status, o.attempts, o.next_attempt_at)
    return (
        t.outbox.update()
        .where(o.id == picked.c.id)
        .values(
            status=sa.bindparam("c_status"),
            attempts=o.attempts + sa.bindparam("c_step"),
            next_attempt_at=sa.bindparam("c_lease", type_=o.next_attempt_at.type),
        )
        .returning(
            *picked.c,
            *(c.label(name) for c, name in zip(set_now, _NOW, strict=True)),
        )
    )


# Built once: the delivery process runs these for every message it sends.
_ONLY = t.outbox.c.id.in_(sa.bindparam("ids", expanding=True))
CLAIM = {pg: _claim(pg=pg) for pg in (False, True)}
CLAIM_ONLY = {pg: _claim(_ONLY, pg=pg) for pg in (False, True)}
CLAIM_IN_ONE = {False: _claimed_in_one(), True: _claimed_in_one(_ONLY)}  # by "ids given"
MARK_CLAIMED = t.outbox.update().where(t.outbox.c.id == sa.bindparam("m_id"))
FINISH = t.outbox.update().where(
    t.outbox.c.id == sa.bindparam("w_id"),
    t.outbox.c.status == sa.bindparam("w_status"),
    t.outbox.c.attempts == sa.bindparam("w_attempts"),
)
_OUTCOME = ("status", "next_attempt_at", "last_error", "sent_at")
_AUDIT = [c for c in t.audit.c if c.name != "seq"]


def _finish_audited() -> sa.Insert:
    """PostgreSQL: FINISH and its audit entry (values ``a_<column>``) as one statement, the
    entry written only when the update found the claim. On its own a statement is atomic,
    so it runs without BEGIN and COMMIT: one round trip instead of four."""
    done = (
        FINISH.values({name: sa.bindparam(name, type_=t.outbox.c[name].type) for name in _OUTCOME})
        .returning(t.outbox.c.id)
        .cte("done")
    )
    entry = [sa.bindparam(f"a_{c.name}", type_=c.type) for c in _AUDIT]  # psycopg: cast
    return t.audit.insert().from_select(
        [c.name for c in _AUDIT], sa.select(*entry).select_from(done)
    )


FINISH_AUDITED = _finish_audited()


def _message(row: dict[str, object]) -> OutboxMessage:
    return _from_row(OutboxMessage, row)


class SqlOutbox(SqlBase):
    def list_outbox(self, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        q = sa.select(*MESSAGE)
        if status is not None:
            q = q.where(t.outbox.c.status == status)
        q = q.order_by(t.outbox.c.created_at.desc(), t.outbox.c.id.desc()).limit(limit)
        return [_message(r) for r in self._all(q)]

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        row = self._one(sa.select(*MESSAGE).where(t.outbox.c.id == message_id))
        return _message(row) if row else None

    def list_outbox_for_event(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> list[OutboxMessage]:
        q = sa.select(*MESSAGE).where(
            t.outbox.c.event_id == event_id, t.outbox.c.kind.in_(list(kinds))
        )
        if patron_id is not None:
            q = q.where(t.outbox.c.patron_id == patron_id)
        # A roster asks this for every booking's messages: read them packed (see _records).
        return self._records(q, OutboxMessage, order_by=[t.outbox.c.created_at, t.outbox.c.id])

    def latest_outbox_status(
        self, event_id: str, kinds: Sequence[str], patron_id: str | None = None
    ) -> dict[str, str]:
        params = {"event_id": event_id, "kinds": list(kinds)}
        if patron_id is None and not self._pg and kinds:
            [packed] = self._all(LATEST_ROWS_PACKED, params)
            # Stored times are text of one width: ranked as text, as SQL ranks them.
            return ob.latest_statuses(json.loads(*packed.values()))
        if patron_id is None:
            query = LATEST_STATUS
        else:
            query, params["patron_id"] = LATEST_STATUS_OF_PATRON, patron_id
        return {row["patron_id"]: row["status"] for row in self._all(query, params)}

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        ids: Sequence[str] | None = None,
    ) -> list[OutboxMessage]:
        params: dict[str, Any] = {"now": now, "limit": limit}
        if self._pg:
            return self._claim_in_one(params, lease_until, ids)
        if ids is None:
            q = CLAIM[self._pg]
        else:
            q, params["ids"] = CLAIM_ONLY[self._pg], list(ids)
        with self._write(synced=False) as conn:  # bookkeeping: see SqlBase._write
            claimed = [
                ob.claimed(_message(dict(r)), lease_until)
                for r in conn.execute(q, params).mappings()
            ]
            if claimed:
                _execute(
                    conn,
                    MARK_CLAIMED,
                    [
                        {
                            "m_id": m.id,
                            "status": m.status,
                            "attempts": m.attempts,
                            "next_attempt_at": m.next_attempt_at,
                        }
                        for m in claimed
                    ],
                )
        return claimed

    def _claim_in_one(
        self, params: dict[str, Any], lease_until: datetime, ids: Sequence[str] | None
    ) -> list[OutboxMessage]:
        """PostgreSQL's claim (``_claimed_in_one``), in the claim's order."""
        params |= {"c_status": ob.SENDING, "c_step": 1, "c_lease": lease_until}
        if ids is not None:
            params["ids"] = list(ids)
        with self._autocommit.connect() as conn:
            rows = [dict(r) for r in conn.execute(CLAIM_IN_ONE[ids is not None], params).mappings()]
        rows.sort(key=lambda r: tuple(r[k] for k in _CLAIM_ORDER))
        claimed = []
        for row in rows:
            now = tuple(row.pop(k) for k in _NOW)
            m = ob.claimed(_message(row), lease_until)
            if (m.status, m.attempts, m.next_attempt_at) != now:
                raise RuntimeError(
                    f"outbox message {m.id} was claimed as {now}, where domain/outbox.py's "
                    f"claimed gives {(m.status, m.attempts, m.next_attempt_at)}"
                )
            claimed.append(m)
        return claimed

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        params = {
            "w_id": message.id,
            "w_status": ob.SENDING,
            "w_attempts": message.attempts,
            "status": message.status,
            "next_attempt_at": message.next_attempt_at,
            "last_error": message.last_error,
            "sent_at": message.sent_at,
        }
        if self._pg:
            entry = {f"a_{name}": value for name, value in _to_row(audit).items()}
            with self._autocommit.connect() as conn:
                return bool(_execute(conn, FINISH_AUDITED, params | entry).rowcount == 1)
        with self._write(synced=False) as conn:
            res = _execute(conn, FINISH, params)
            if res.rowcount != 1:
                return False  # the claim was lost; nothing was changed
            self._insert_audit(conn, [audit])
        return True

    def requeue_outbox(
        self, message_id: str, *, now: datetime, audit: AuditEntry
    ) -> OutboxMessage | None:
        o = t.outbox.c
        with self._write() as conn:
            row = (
                conn.execute(
                    sa.select(*MESSAGE).where(o.id == message_id, o.status.in_(ob.REQUEUEABLE))
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            queued = ob.requeued(_message(dict(row)), now)
            conn.execute(
                t.outbox.update()
                .where(o.id == message_id)
                .values(
                    status=queued.status,
                    attempts=queued.attempts,
                    next_attempt_at=queued.next_attempt_at,
                )
            )
            self._insert_audit(conn, [audit])
            return queued
