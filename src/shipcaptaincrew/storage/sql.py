"""The Store on SQLAlchemy Core: SQLite (WAL, the embedded default) or PostgreSQL.

Write methods run in one transaction each. On SQLite a write transaction
starts with ``BEGIN IMMEDIATE`` so that two processes sharing the file queue
on the busy timeout instead of failing on a lock upgrade; reads use plain
deferred transactions and never block writers (WAL).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from ..domain import outbox as ob
from ..domain.errors import DuplicateKey, NotFound, StaleWrite
from ..domain.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    Patron,
    Payment,
    PaymentMethod,
    Role,
    Session,
    WaiverKind,
)
from ..domain.waivers import WaiverSignature, WaiverTemplate
from . import schema as t
from .base import PaymentWrite

T = TypeVar("T")


@functools.cache
def _field_names(cls: Any) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _from_row(cls: type[T], row: Mapping[str, Any], **enums: type[Enum]) -> T:
    names = _field_names(cast(Any, cls))
    values = {k: v for k, v in row.items() if k in names}
    for name, enum in enums.items():
        if values.get(name) is not None:
            values[name] = enum(values[name])
    return cls(**values)


@functools.cache
def _loader(cls: Any, keys: tuple[str, ...], enums: tuple[tuple[str, type[Enum]], ...]) -> Any:
    """A fast row -> record function for one record type and one column order."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if not set(names) <= set(keys):
        return lambda row: _from_row(cls, dict(zip(keys, row, strict=True)), **dict(enums))

    conv = dict(enums)
    plan = [(keys.index(n), conv.get(n)) for n in names]

    def load(row: Sequence[Any]) -> Any:
        return cls(*[row[i] if c is None or row[i] is None else c(row[i]) for i, c in plan])

    return load


def _to_row(obj: Any, *, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    row = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        row[(rename or {}).get(f.name, f.name)] = value.value if isinstance(value, Enum) else value
    return row


def _crew(row: Mapping[str, Any]) -> CrewMember:
    return _from_row(CrewMember, row, role=Role)


def _event(row: Mapping[str, Any]) -> Event:
    return _from_row(Event, row, status=EventStatus)


def _booking(row: Mapping[str, Any]) -> Booking:
    return _from_row(Booking, row, status=BookingStatus, waiver_kind=WaiverKind)


def _payment(row: Mapping[str, Any]) -> Payment:
    return _from_row(Payment, row, method=PaymentMethod)


def _outbox(row: Mapping[str, Any]) -> OutboxMessage:
    return _from_row(OutboxMessage, {**row, "to": row["to_addr"]})


def _audit(row: Mapping[str, Any]) -> AuditEntry:
    return _from_row(AuditEntry, row)


def make_engine(url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://...``, set up for this app."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=8,
        )

        @sa_event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @sa_event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("scc_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


class SqlStore:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._pg = self.engine.dialect.name == "postgresql"

    # -- plumbing -------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(scc_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _one(self, query: sa.Select[Any]) -> dict[str, Any] | None:
        rows = self._all(query)
        return rows[0] if rows else None

    def _records(self, query: sa.Select[Any], cls: type[T], **enums: type[Enum]) -> list[T]:
        with self._read() as conn:
            result = conn.execute(query)
            load = _loader(cast(Any, cls), tuple(result.keys()), tuple(sorted(enums.items())))
            return [load(row) for row in result]

    def _all(self, query: sa.Select[Any]) -> list[dict[str, Any]]:
        """Rows as plain dicts (cheaper to turn into records than RowMappings)."""
        with self._read() as conn:
            result = conn.execute(query)
            keys = list(result.keys())
            return [dict(zip(keys, row, strict=True)) for row in result]

    @staticmethod
    def _insert_audit(conn: Connection, entries: Sequence[AuditEntry]) -> None:
        if entries:
            conn.execute(t.audit.insert(), [_to_row(e) for e in entries])

    def init_schema(self) -> None:
        from .migrate import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- crew and sessions ------------------------------------------------------------------
    def add_crew(self, member: CrewMember, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.crew.insert().values(_to_row(member)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise DuplicateKey(
                "A crew member with this email exists.", {"email": member.email}
            ) from None

    def get_crew(self, crew_id: str) -> CrewMember | None:
        row = self._one(sa.select(t.crew).where(t.crew.c.id == crew_id))
        return _crew(row) if row else None

    def get_crew_by_email(self, email: str) -> CrewMember | None:
        row = self._one(sa.select(t.crew).where(t.crew.c.email == email.lower()))
        return _crew(row) if row else None

    def list_crew(self) -> list[CrewMember]:
        return [_crew(r) for r in self._all(sa.select(t.crew).order_by(t.crew.c.name))]

    def add_session(self, session: Session, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.sessions.insert().values(_to_row(session)))
            self._insert_audit(conn, [audit])

    def get_session(self, token_hash: str) -> Session | None:
        row = self._one(sa.select(t.sessions).where(t.sessions.c.token_hash == token_hash))
        return _from_row(Session, row) if row else None

    def delete_session(self, token_hash: str, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.token_hash == token_hash))
            self._insert_audit(conn, [audit])

    def count_login_failures(self, key: str, since: datetime) -> int:
        q = (
            sa.select(sa.func.count())
            .select_from(t.login_failures)
            .where(t.login_failures.c.key == key, t.login_failures.c.at >= since)
        )
        with self._read() as conn:
            return int(conn.execute(q).scalar_one())

    def add_login_failure(self, keys: Sequence[str], at: datetime, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.login_failures.insert(), [{"key": k, "at": at} for k in keys])
            self._insert_audit(conn, [audit])

    def clear_login_failures(self, key: str) -> None:
        with self._write() as conn:
            conn.execute(t.login_failures.delete().where(t.login_failures.c.key == key))

    # -- events -----------------------------------------------------------------------------
    def add_event(self, event: Event, audit: AuditEntry) -> None:
        with self._write() as conn:
            conn.execute(t.events.insert().values(_to_row(event)))
            self._insert_audit(conn, [audit])

    def update_event(self, event: Event, expected_version: int, audit: AuditEntry) -> None:
        row = _to_row(dataclasses.replace(event, version=expected_version + 1))
        with self._write() as conn:
            res = conn.execute(
                t.events.update()
                .where(t.events.c.id == event.id, t.events.c.version == expected_version)
                .values(row)
            )
            if res.rowcount != 1:
                raise StaleWrite(
                    "The event was changed by someone else; reload and retry.",
                    {"event_id": event.id},
                )
            self._insert_audit(conn, [audit])

    def get_event(self, event_id: str) -> Event | None:
        row = self._one(sa.select(t.events).where(t.events.c.id == event_id))
        return _event(row) if row else None

    def list_events(self) -> list[Event]:
        q = sa.select(t.events).order_by(t.events.c.starts_at, t.events.c.id)
        return self._records(q, Event, status=EventStatus)

    # -- patrons and bookings ------------------------------------------------------------------
    def get_patron(self, patron_id: str) -> Patron | None:
        row = self._one(sa.select(t.patrons).where(t.patrons.c.id == patron_id))
        return _from_row(Patron, row) if row else None

    def get_patron_by_email(self, email: str) -> Patron | None:
        row = self._one(sa.select(t.patrons).where(t.patrons.c.email == email.lower()))
        return _from_row(Patron, row) if row else None

    def add_booking(
        self,
        *,
        patron: Patron,
        new_patron: bool,
        booking: Booking,
        capacity: int | None,
        audit: AuditEntry,
    ) -> Booking:
        from ..domain.bookings import fits

        try:
            with self._write() as conn:
                # Serialise bookings per event (SQLite already holds the write lock).
                lock = sa.select(t.events.c.id).where(t.events.c.id == booking.event_id)
                if conn.execute(lock.with_for_update() if self._pg else lock).first() is None:
                    raise NotFound("No such event.", {"event_id": booking.event_id})
                places = conn.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(t.bookings.c.party_size), 0)).where(
                        t.bookings.c.event_id == booking.event_id,
                        t.bookings.c.status == BookingStatus.BOOKED.value,
                    )
                ).scalar_one()
                status = (
                    BookingStatus.BOOKED
                    if fits(capacity, int(places), booking.party_size)
                    else BookingStatus.WAITLISTED
                )
                stored = dataclasses.replace(booking, status=status)
                if new_patron:
                    conn.execute(t.patrons.insert().values(_to_row(patron)))
                conn.execute(t.bookings.insert().values(_to_row(stored)))
                audit = dataclasses.replace(audit, data={**audit.data, "status": status.value})
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise DuplicateKey(
                "This patron is already on the event.",
                {"patron_id": patron.id, "email": patron.email},
            ) from None
        return stored

    def get_booking(self, event_id: str, patron_id: str) -> Booking | None:
        row = self._one(
            sa.select(t.bookings).where(
                t.bookings.c.event_id == event_id, t.bookings.c.patron_id == patron_id
            )
        )
        return _booking(row) if row else None

    def get_booking_by_token(self, token: str) -> Booking | None:
        row = self._one(sa.select(t.bookings).where(t.bookings.c.guest_token == token))
        return _booking(row) if row else None

    def list_bookings(self, event_id: str) -> list[Booking]:
        q = (
            sa.select(t.bookings)
            .where(t.bookings.c.event_id == event_id)
            .order_by(t.bookings.c.patron_name, t.bookings.c.patron_id)
        )
        return self._records(q, Booking, status=BookingStatus, waiver_kind=WaiverKind)

    @staticmethod
    def _update_booking(conn: Connection, booking: Booking, expected_version: int) -> None:
        row = _to_row(dataclasses.replace(booking, version=expected_version + 1))
        res = conn.execute(
            t.bookings.update()
            .where(
                t.bookings.c.event_id == booking.event_id,
                t.bookings.c.patron_id == booking.patron_id,
                t.bookings.c.version == expected_version,
            )
            .values(row)
        )
        if res.rowcount != 1:
            raise StaleWrite(
                "The booking was changed by someone else; reload and retry.",
                {"event_id": booking.event_id, "patron_id": booking.patron_id},
            )

    def update_booking(self, booking: Booking, expected_version: int, audit: AuditEntry) -> None:
        with self._write() as conn:
            self._update_booking(conn, booking, expected_version)
            self._insert_audit(conn, [audit])

    # -- payments ---------------------------------------------------------------------------
    def add_payments(
        self,
        writes: Sequence[PaymentWrite],
        audit: Sequence[AuditEntry],
        outbox: Sequence[OutboxMessage] = (),
    ) -> list[Payment]:
        stored: list[Payment] = []
        try:
            with self._write() as conn:
                for w in writes:
                    self._update_booking(conn, w.booking, w.expected_version)
                    number = conn.execute(
                        t.counters.update()
                        .where(t.counters.c.name == "receipt")
                        .values(value=t.counters.c.value + 1)
                        .returning(t.counters.c.value)
                    ).scalar_one()
                    payment = dataclasses.replace(w.payment, receipt_no=int(number))
                    conn.execute(t.payments.insert().values(_to_row(payment)))
                    stored.append(payment)
                self._insert_audit(conn, audit)
                self._insert_outbox(conn, outbox)
        except IntegrityError:
            keys = [w.payment.idempotency_key for w in writes]
            raise DuplicateKey(
                "A payment with this idempotency key exists.", {"idempotency_keys": keys}
            ) from None
        return stored

    def void_payment(
        self,
        payment: Payment,
        write: PaymentWrite,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        voided = write.payment
        with self._write() as conn:
            res = conn.execute(
                t.payments.update()
                .where(t.payments.c.id == payment.id, t.payments.c.voided_at.is_(None))
                .values(
                    voided_at=voided.voided_at,
                    voided_by=voided.voided_by,
                    void_reason=voided.void_reason,
                )
            )
            if res.rowcount != 1:
                raise StaleWrite(
                    "The payment was voided by someone else.", {"payment_id": payment.id}
                )
            self._update_booking(conn, write.booking, write.expected_version)
            self._insert_audit(conn, [audit])
            self._insert_outbox(conn, outbox)

    @staticmethod
    def _insert_outbox(conn: Connection, outbox: Sequence[OutboxMessage]) -> None:
        if outbox:
            conn.execute(t.outbox.insert(), [_to_row(m, rename={"to": "to_addr"}) for m in outbox])

    def get_payment(self, payment_id: str) -> Payment | None:
        row = self._one(sa.select(t.payments).where(t.payments.c.id == payment_id))
        return _payment(row) if row else None

    def get_payment_by_key(self, idempotency_key: str) -> Payment | None:
        row = self._one(
            sa.select(t.payments).where(t.payments.c.idempotency_key == idempotency_key)
        )
        return _payment(row) if row else None

    def list_payments(self, event_id: str, patron_id: str | None = None) -> list[Payment]:
        q = sa.select(t.payments).where(t.payments.c.event_id == event_id)
        if patron_id is not None:
            q = q.where(t.payments.c.patron_id == patron_id)
        q = q.order_by(t.payments.c.logged_at, t.payments.c.receipt_no)
        return self._records(q, Payment, method=PaymentMethod)

    # -- outbox ----------------------------------------------------------------------------
    def list_outbox(self, *, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        q = sa.select(t.outbox)
        if status is not None:
            q = q.where(t.outbox.c.status == status)
        q = q.order_by(t.outbox.c.created_at.desc(), t.outbox.c.id.desc()).limit(limit)
        return [_outbox(r) for r in self._all(q)]

    def get_outbox(self, message_id: str) -> OutboxMessage | None:
        row = self._one(sa.select(t.outbox).where(t.outbox.c.id == message_id))
        return _outbox(row) if row else None

    def list_outbox_for_event(self, event_id: str, kinds: Sequence[str]) -> list[OutboxMessage]:
        q = sa.select(t.outbox).where(
            t.outbox.c.event_id == event_id, t.outbox.c.kind.in_(list(kinds))
        )
        return [_outbox(r) for r in self._all(q)]

    def claim_outbox(
        self,
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        ids: Sequence[str] | None = None,
    ) -> list[OutboxMessage]:
        due = sa.and_(
            t.outbox.c.status.in_([ob.QUEUED, ob.SENDING]), t.outbox.c.next_attempt_at <= now
        )
        q = sa.select(t.outbox.c.id).where(due)
        if ids is not None:
            q = q.where(t.outbox.c.id.in_(list(ids)))
        q = q.order_by(t.outbox.c.next_attempt_at, t.outbox.c.created_at, t.outbox.c.id).limit(
            limit
        )
        if self._pg:  # SQLite already holds the write lock for the whole transaction
            q = q.with_for_update(skip_locked=True)
        with self._write() as conn:
            picked = list(conn.execute(q).scalars())
            if not picked:
                return []
            conn.execute(
                t.outbox.update()
                .where(t.outbox.c.id.in_(picked), due)
                .values(
                    status=ob.SENDING,
                    attempts=t.outbox.c.attempts + 1,
                    next_attempt_at=lease_until,
                )
            )
            rows = conn.execute(sa.select(t.outbox).where(t.outbox.c.id.in_(picked))).mappings()
            claimed = [_outbox(dict(r)) for r in rows]
        order = {mid: i for i, mid in enumerate(picked)}
        return sorted(claimed, key=lambda m: order[m.id])

    def finish_outbox(self, message: OutboxMessage, audit: AuditEntry) -> bool:
        with self._write() as conn:
            res = conn.execute(
                t.outbox.update()
                .where(
                    t.outbox.c.id == message.id,
                    t.outbox.c.status == ob.SENDING,
                    t.outbox.c.attempts == message.attempts,
                )
                .values(
                    status=message.status,
                    next_attempt_at=message.next_attempt_at,
                    last_error=message.last_error,
                    sent_at=message.sent_at,
                )
            )
            if res.rowcount != 1:
                return False  # the claim was lost; nothing was changed
            self._insert_audit(conn, [audit])
        return True

    def requeue_outbox(
        self, message_id: str, *, now: datetime, audit: AuditEntry
    ) -> OutboxMessage | None:
        with self._write() as conn:
            res = conn.execute(
                t.outbox.update()
                .where(t.outbox.c.id == message_id, t.outbox.c.status.in_([ob.QUEUED, ob.FAILED]))
                .values(status=ob.QUEUED, attempts=0, next_attempt_at=now)
            )
            if res.rowcount != 1:
                return None
            self._insert_audit(conn, [audit])
            row = conn.execute(sa.select(t.outbox).where(t.outbox.c.id == message_id)).mappings()
            return _outbox(dict(row.one()))

    # -- audit ------------------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        with self._write() as conn:
            self._insert_audit(conn, [entry])

    def list_audit(
        self, *, event_id: str | None = None, patron_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        q = sa.select(t.audit)
        if event_id is not None:
            q = q.where(t.audit.c.event_id == event_id)
        if patron_id is not None:
            q = q.where(t.audit.c.patron_id == patron_id)
        q = q.order_by(t.audit.c.seq.desc()).limit(limit)
        return self._records(q, AuditEntry)

    # -- waivers ----------------------------------------------------------------------------
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.waiver_templates.insert().values(_to_row(template)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise DuplicateKey(
                "This template version exists already; reload and retry.",
                {"template_id": template.id, "version": template.version},
            ) from None

    def get_waiver_template(
        self, template_id: str, version: int | None = None
    ) -> WaiverTemplate | None:
        wt = t.waiver_templates
        q = sa.select(wt).where(wt.c.id == template_id)
        q = q.where(wt.c.version == version) if version is not None else q
        row = self._one(q.order_by(wt.c.version.desc()).limit(1))
        return _from_row(WaiverTemplate, row) if row else None

    def list_waiver_templates(self) -> list[WaiverTemplate]:
        wt = t.waiver_templates
        latest = (
            sa.select(wt.c.id, sa.func.max(wt.c.version).label("version"))
            .group_by(wt.c.id)
            .subquery()
        )
        q = (
            sa.select(wt)
            .join(latest, sa.and_(wt.c.id == latest.c.id, wt.c.version == latest.c.version))
            .order_by(wt.c.name, wt.c.id)
        )
        return [_from_row(WaiverTemplate, r) for r in self._all(q)]

    def list_waiver_template_versions(self, template_id: str) -> list[WaiverTemplate]:
        wt = t.waiver_templates
        q = sa.select(wt).where(wt.c.id == template_id).order_by(wt.c.version)
        return [_from_row(WaiverTemplate, r) for r in self._all(q)]

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.waiver_signatures.insert().values(_to_row(signature)))
                self._update_booking(conn, booking, expected_version)
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise DuplicateKey(
                "This signature exists already.", {"signature_id": signature.id}
            ) from None

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        ws = t.waiver_signatures
        row = self._one(sa.select(ws).where(ws.c.id == signature_id))
        if row is None:
            return None
        sig = _from_row(WaiverSignature, row)
        return dataclasses.replace(sig, signature_png=bytes(sig.signature_png))
