"""Plumbing of ``SqlStore``: the engine, transactions, and rows <-> records.

See ``sql.py`` for the transaction rules (``BEGIN IMMEDIATE`` on SQLite writes).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import json
import logging
import operator
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any, Literal, TypeGuard, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import operators as sa_operators

from ..domain import refusals
from ..domain.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    EventStatus,
    OutboxMessage,
    Payment,
    PaymentMethod,
    Role,
    WaiverKind,
    field_names,
    field_order,
)
from . import schema as t
from .records import enum_parser, maker
from .signin_cache import CHANNEL, KeptSignIns, ListenedSignIns, SignInCache

log = logging.getLogger("shipcaptaincrew.store")
# A PostgreSQL server that does not answer fails the first query in 10 s, not the OS's minutes.
CONNECT_TIMEOUT_S = 10

T = TypeVar("T")

# Statements of every write, built once: SQLAlchemy caches their compiled form by key, and a
# statement built per call pays for its construction and its cache key every time.
INSERT_AUDIT = t.audit.insert()
INSERT_OUTBOX = t.outbox.insert()
# The SET clause is every column the parameters name; the WHERE binds are prefixed ``w_``.
UPDATE_BOOKING = t.bookings.update().where(
    t.bookings.c.event_id == sa.bindparam("w_event_id"),
    t.bookings.c.patron_id == sa.bindparam("w_patron_id"),
    t.bookings.c.version == sa.bindparam("w_version"),
)


def _from_row(cls: type[T], row: Mapping[str, Any], **enums: type[Enum]) -> T:
    names = field_names(cast(Any, cls))
    values = {k: v for k, v in row.items() if k in names}
    for name, enum in enums.items():
        if values.get(name) is not None:
            values[name] = enum(values[name])
    return cls(**values)


@functools.cache
def _loader(cls: Any, keys: tuple[str, ...], enums: tuple[tuple[str, Any], ...]) -> Any:
    """A fast row -> record function for one record type and one column order; ``enums``
    maps field names to converters (enum classes, or parsers for packed SQLite values)."""
    names = field_order(cls)
    if not set(names) <= set(keys):
        return lambda row: _from_row(cls, dict(zip(keys, row, strict=True)), **dict(enums))

    conv = {n: enum_parser(c) if _is_enum(c) else c for n, c in enums}
    pick = operator.itemgetter(*[keys.index(n) for n in names])
    plan = [(pos, conv[n]) for pos, n in enumerate(names) if n in conv]
    make = maker(cls, names)

    def load(row: Sequence[Any]) -> Any:
        values = list(pick(row))
        for pos, convert in plan:
            if values[pos] is not None:
                values[pos] = convert(values[pos])
        return make(values)

    return load


def _is_enum(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Enum)


def _from_json_value(kind: Any) -> Any:
    """How a column's value comes back out of SQLite's json_array (None: as it is)."""
    if isinstance(kind, t.UTCDateTime):
        return t.utc_from_text
    if isinstance(kind, t.SeatsJSON):
        return t.seats_from_text
    if isinstance(kind, sa.Boolean):
        return bool
    if isinstance(kind, sa.JSON):
        return json.loads
    return None


@functools.cache
def _fields_of(cls: Any) -> Callable[[Any], tuple[Any, ...]]:
    """A record's field values, in field order, in one call."""
    names = field_order(cls)
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


def _to_row(obj: Any, *, rename: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A record's fields as a row: its enums as their values (``_value_``: what
    ``Enum.value`` returns, without the property's two calls)."""
    cls: Any = type(obj)
    names = field_order(cls)
    if rename:
        names = tuple(rename.get(n, n) for n in names)
    return {
        k: v._value_ if isinstance(v, Enum) else v
        for k, v in zip(names, _fields_of(cls)(obj), strict=True)
    }


def _booking_update(booking: Booking, expected_version: int) -> dict[str, Any]:
    """``UPDATE_BOOKING``'s row: the booking as it is to be stored, one version on, where
    it is still at ``expected_version``."""
    row = _to_row(booking)
    row.update(
        version=expected_version + 1,
        w_event_id=booking.event_id,
        w_patron_id=booking.patron_id,
        w_version=expected_version,
    )
    return row


def _crew(row: Mapping[str, Any]) -> CrewMember:
    return _from_row(CrewMember, row, role=Role)


def _event(row: Mapping[str, Any]) -> Event:
    return _from_row(Event, row, status=EventStatus)


def _booking(row: Mapping[str, Any]) -> Booking:
    return _from_row(Booking, row, status=BookingStatus, waiver_kind=WaiverKind)


def _payment(row: Mapping[str, Any]) -> Payment:
    return _from_row(Payment, row, method=PaymentMethod)


def _audit(row: Mapping[str, Any]) -> AuditEntry:
    return _from_row(AuditEntry, row)


WRITE_WAIT_S = 30.0
# The waits between tries for another process's write lock: the first, doubled up to the
# last (``_begin_immediate``, ``SqlBase.ready_to_write``).
FIRST_WAIT_S, LAST_WAIT_S = 0.0001, 0.001
# On SQLite, at most this many requests of a process work at once. The file takes one
# writer at a time and Python runs one thread at a time, so more threads only queue for
# the file's lock and the interpreter lock, and every handover costs CPU: 16 check-ins at
# once cost 3.2 ms of CPU each on anyio's 40 threads, 2.0 on 4 (and on 2). Four leave
# room for a slow request (a roster made afresh, an export) beside the quick ones.
# PostgreSQL has no limit of its own: its requests wait on the network, and more threads
# overlap those waits.
SQLITE_CONCURRENCY = 4


def _try_begin_immediate(dbapi_conn: Any) -> bool:
    """Take SQLite's write lock if no other process holds it: whether it was taken."""
    try:
        dbapi_conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if "locked" not in str(err):
            raise
        return False
    return True


def _begin_immediate(dbapi_conn: Any) -> None:
    """Take SQLite's write lock, polling while another process holds it: after 0.1 ms,
    then 0.2, 0.4, 0.8 and every millisecond. SQLite's own busy handler backs off to 100
    ms sleeps, which left writers of a second worker process idle long after the lock was
    free (p99 over a second); a first wait of a millisecond outlasted the delivery's short
    writes (``SqlBase._write``), which a lone payment met one time in ten.
    ``dbapi_conn`` has no busy timeout (``SqlBase._writer``): a statement of a
    transaction that holds the write lock never waits for another connection."""
    deadline = time.monotonic() + WRITE_WAIT_S
    wait = FIRST_WAIT_S
    while not _try_begin_immediate(dbapi_conn):
        if time.monotonic() > deadline:
            raise _locked()
        time.sleep(wait)
        wait = min(wait * 2, LAST_WAIT_S)


def _locked() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("database is locked")


def _own_file(path: str | None) -> TypeGuard[str]:
    """Whether a SQLite URL's database is a file named by its path (not one in memory, nor
    one named by a ``file:`` URI)."""
    return path is not None and path not in ("", ":memory:") and not path.startswith("file:")


def _private_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask, often
    giving 0644); SQLite gives its -wal and -shm files the mode of the database file."""
    path = sa.engine.make_url(url).database
    if not _own_file(path) or os.path.exists(path):
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return
    os.fchmod(fd, 0o600)
    os.close(fd)


def _signin_cache(path: str | None) -> SignInCache | None:
    """The sign-ins kept for a SQLite file (``signin_cache.py``), beside it; none for a
    database in memory or named by a ``file:`` URI."""
    return SignInCache(f"{path}-signins") if _own_file(path) else None


def on_this_machine(url: sa.URL) -> bool:
    """Whether a PostgreSQL URL reaches its server on this machine: over a unix socket (no
    host, libpq's default, or a path) or the loopback. Every host it names (``host`` and
    ``hostaddr``, in the URL or, where it names none, libpq's PGHOST and PGHOSTADDR) must."""
    named = [url.host, url.query.get("host"), url.query.get("hostaddr")]
    if not any(named):
        named = [os.environ.get("PGHOST"), os.environ.get("PGHOSTADDR")]
    for value in named:
        for host in (value,) if isinstance(value, str) else value or ():
            for name in host.split(","):
                name = name.strip().strip("[]")
                if name and not name.startswith("/") and not _loopback(name):
                    return False
    return True


def _loopback(name: str) -> bool:
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def make_engine(url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://...``, set up for this app."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        # Sixteen requests at once (and the mail thread) each hold a connection: the pool
        # keeps them all, so none is closed on return and reopened with its PRAGMAs later.
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=24,
            max_overflow=16,
        )

        @sa_event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # A write of a group is a savepoint, whose undo record (the sub-journal) spills
            # to a temporary file past 64 KiB: a file created, written and deleted on every
            # commit (a payment's five writes reach it). Kept in memory, with the rest of
            # SQLite's temporary data; it lives only as long as the transaction.
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        @sa_event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Straight to the driver: BEGIN needs none of SQLAlchemy's statement handling.
            # A write began its transaction on the driver itself (``SqlBase._write``).
            driver: Any = conn.connection.driver_connection
            if driver.in_transaction:
                return
            if conn.get_execution_options().get("scc_write", False):
                _begin_immediate(driver)
            else:
                driver.execute("BEGIN")

        return engine
    engine = sa.create_engine(
        url, pool_size=8, max_overflow=8, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )
    _ping_when_idle(engine)
    return engine


# A pooled PostgreSQL connection unused for longer than this is checked with a round trip
# before it is handed out.
PING_IDLE_S = 1.0
_LAST_USED = "scc_last_used"


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it has lain idle (``PING_IDLE_S``),
    instead of on every checkout (SQLAlchemy's ``pool_pre_ping``: a round trip, about 75 µs
    of CPU, for each of a request's reads and writes). A server restart or a connection
    dropped while idle is found before a request meets it, as with ``pool_pre_ping``: the
    pool replaces the connection. Under load the connections are in use and skip it."""

    @sa_event.listens_for(engine, "connect")
    def _made(_dbapi_conn: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @sa_event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = time.monotonic()

    @sa_event.listens_for(engine, "checkout")
    def _handed_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) <= PING_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:  # any failure: the pool connects afresh
            raise sa.exc.DisconnectionError("the pooled connection is gone") from err


class Listing:
    """A list query built once (at import): the rows of ``query`` (no ORDER BY; its values
    as bind parameters) as ``cls`` records in ``order_by`` order.

    On SQLite the rows come back packed in one JSON value: the driver releases the
    interpreter lock for every row it steps through, and with several requests reading
    at once each release queues behind the other threads (a 500-row roster read ran
    at well under half its single-thread rate with four threads; packed, it keeps it).
    The packed rows are put in order here (``sort``), on their stored values as SQLite
    compares them: ordered by SQLite, through a window function numbering them, the
    500-booking read cost 3.8 ms of SQLite's time instead of 1.2 ms. A query with a LIMIT
    keeps its ORDER BY inside, to limit the right rows.
    """

    def __init__(
        self, query: sa.Select[Any], cls: type[Any], *, order_by: Sequence[Any], **enums: Any
    ) -> None:
        self.cls = cls
        self.enums = tuple(sorted(enums.items()))
        self.ordered = query.order_by(*order_by)
        limited = query._limit_clause is not None  # noqa: SLF001
        inner = (self.ordered if limited else query).subquery()
        cols = list(inner.c)
        self.packed = sa.select(sa.func.json_group_array(sa.func.json_array(*cols))).select_from(
            inner
        )
        converters = dict(enums)
        for c in cols:
            if (f := _from_json_value(c.type)) is not None:
                converters[c.key] = f
        keys = tuple(c.key for c in cols)
        self.sort = _packed_sort(keys, order_by)
        self.load_packed = _loader(cast(Any, cls), keys, tuple(sorted(converters.items(), key=str)))


def _packed_sort(keys: Sequence[str], order_by: Sequence[Any]) -> Callable[[list[Any]], None]:
    """Sorts packed rows (lists of stored values in ``keys`` order) in place as SQLite's
    ORDER BY ``order_by`` would: text by its bytes (code points, as Python compares it),
    NULL before any value ascending and after them descending."""
    plan: list[tuple[int, bool, bool]] = []  # (position, descending, nullable)
    for term in order_by:
        descending = getattr(term, "modifier", None) is sa_operators.desc_op
        column = term.element if descending else term
        plan.append((keys.index(column.key), descending, bool(column.nullable)))
    if not any(desc or nullable for _, desc, nullable in plan):
        key = operator.itemgetter(*(at for at, _, _ in plan))
        return lambda rows: rows.sort(key=key)

    def sort(rows: list[Any]) -> None:
        for at, descending, nullable in reversed(plan):  # least significant first: stable
            key = _null_first(at) if nullable else operator.itemgetter(at)
            rows.sort(key=key, reverse=descending)

    return sort


def _null_first(at: int) -> Callable[[Sequence[Any]], tuple[bool, Any]]:
    return lambda row: (row[at] is not None, row[at])


# The next receipt number, counted in the payment's own write transaction.
NEXT_RECEIPT_NO = (
    t.counters.update()
    .where(t.counters.c.name == "receipt")
    .values(value=t.counters.c.value + 1)
    .returning(t.counters.c.value)
)


def _next_receipt_no(conn: Connection) -> int:
    return int(_execute(conn, NEXT_RECEIPT_NO, {}).fetchall()[0][0])


class _Plain:
    """A statement compiled once for the driver (sqlite3, or psycopg): its SQL, its bind
    names (in order for SQLite, by name for psycopg) with their processors and fixed
    values, and (a read) its result keys with their processors. What SQLAlchemy does on
    each execution (the compiled-cache lookup, the cache key, the parameter and result
    machinery: about 30 µs a statement on SQLite, and on PostgreSQL building psycopg's
    description of the columns too), done once; the driver then runs the same SQL with the
    same values and the rows are turned into the same Python values by the same type
    processors. On SQLite a list bound to an ``IN`` (an expanding parameter) gets one
    placeholder per item, as SQLAlchemy renders it."""

    __slots__ = ("binds", "defaults", "expanding", "keys", "named", "results", "sql", "sized")

    def __init__(self, compiled: Any) -> None:
        processors = compiled._bind_processors  # noqa: SLF001 - SQLAlchemy's own, per bind
        self.sql: str = compiled.string
        self.defaults: dict[str, Any] = compiled.construct_params(_check=False)
        # SQLite's SQL takes its values in order; psycopg's (``%(name)s``) by name.
        self.named = not compiled.positiontup
        names = self.defaults if self.named else compiled.positiontup
        self.binds = [(name, processors.get(name)) for name in names]
        self.expanding = frozenset(b.key for b in compiled.post_compile_params)
        self.sized: dict[tuple[int, ...], str] = {}  # SQL per list lengths
        columns = compiled._result_columns  # noqa: SLF001 - name and type of each column
        dialect = compiled.dialect
        self.keys = [c.keyname for c in columns]
        # Each column's processor, and whether it gives NULL back as it is (then a NULL is
        # not passed to it: most of a booking's times are NULL, and on PostgreSQL each
        # call is two Python calls through SQLAlchemy's TypeDecorator).
        self.results = [
            (i, f, _keeps_null(f))
            for i, c in enumerate(columns)
            if (f := c.type._cached_result_processor(dialect, None)) is not None  # noqa: SLF001
        ]

    def args(self, params: Mapping[str, Any] | None) -> tuple[dict[str, Any], Any]:
        """The values of every bind (the fixed ones included), and the driver's arguments."""
        values = {**self.defaults, **params} if params else self.defaults
        if self.named:
            return values, {n: f(values[n]) if f is not None else values[n] for n, f in self.binds}
        if not self.expanding:
            return values, [values[n] if f is None else f(values[n]) for n, f in self.binds]
        args: list[Any] = []
        for name, f in self.binds:
            if name in self.expanding:
                args += [f(v) if f is not None else v for v in values[name]]
            else:
                args.append(f(values[name]) if f is not None else values[name])
        return values, args

    def rows(self, dbapi_conn: Any, params: Mapping[str, Any] | None) -> list[dict[str, Any]]:
        keys = self.keys
        return [dict(zip(keys, row, strict=True)) for row in self.tuples(dbapi_conn, params)]

    def tuples(self, dbapi_conn: Any, params: Mapping[str, Any] | None) -> list[Sequence[Any]]:
        """The rows as the driver gives them (in ``keys`` order), each value turned into
        what SQLAlchemy would give."""
        values, args = self.args(params)
        sql = self._sized(values) if self.expanding else self.sql
        rows: list[Sequence[Any]] = dbapi_conn.execute(sql, args).fetchall()
        results = self.results
        if not results:
            return rows
        out: list[Sequence[Any]] = []
        for row in rows:
            converted = list(row)
            for i, f, keeps_null in results:
                if (value := converted[i]) is not None or not keeps_null:
                    converted[i] = f(value)
            out.append(converted)
        return out

    def _sized(self, values: Mapping[str, Any]) -> str:
        sizes = tuple(len(values[name]) for name in sorted(self.expanding))
        sql = self.sized.get(sizes)
        if sql is None:
            sql = self.sql
            for name, size in zip(sorted(self.expanding), sizes, strict=True):
                sql = sql.replace(f"(__[POSTCOMPILE_{name}])", "(" + ", ".join("?" * size) + ")")
            self.sized[sizes] = sql
        return sql


def _keeps_null(processor: Callable[[Any], Any]) -> bool:
    """Whether a result processor turns NULL into NULL (asked once, with None)."""
    try:
        return processor(None) is None
    except Exception:  # noqa: BLE001 - one that cannot take None is always called
        return False


def _on_driver(engine: Engine) -> bool:
    """Whether statements may run on the driver: with nobody watching the engine (whoever
    listens to ``before_cursor_execute`` sees every statement)."""
    return not engine.dispatch.before_cursor_execute


def _per_call(compiled: Any) -> bool:
    """Whether SQLAlchemy must run ``compiled`` each time: bind values computed per call,
    values rendered into the SQL, escaped names."""
    return bool(
        compiled.literal_execute_params
        or compiled.escaped_bind_names
        or any(b.callable is not None for b in compiled.binds.values())
    )


def _plain_write(compiled: Any) -> bool:
    """Whether a compiled write may run on the driver as it is: no values computed or
    rendered per call (``_per_call``), no Python-side defaults fetched before it, no list
    expanded into it."""
    return not (
        _per_call(compiled)
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.post_compile_params
    )


_UNSEEN = object()
# Write statements built once (at import), compiled for the driver per dialect and set of
# parameter names; False: SQLAlchemy runs it (Python-side column defaults, and the like).
_WRITES: dict[tuple[str, Any, tuple[str, ...]], _Plain | Literal[False]] = {}


def _execute(conn: Connection, stmt: Any, params: Mapping[str, Any] | list[Any]) -> Any:
    """``conn.execute(stmt, params)`` for a write statement built once at import (a list:
    one row each). It runs on the transaction's own driver connection, compiled once per
    dialect and set of parameter names as SQLAlchemy compiles it for them; the answer has
    ``rowcount`` and ``fetchall()`` (the rows of a RETURNING whose values need no
    conversion, as the receipt counter's), and the driver's errors are raised as
    SQLAlchemy's (a broken constraint as its ``IntegrityError``). An engine someone
    watches stays on SQLAlchemy."""
    if not _on_driver(conn.engine):
        return conn.execute(stmt, params)
    rows = params if isinstance(params, list) else [params]
    keys = tuple(rows[0])
    plain = _WRITES.get((conn.dialect.name, stmt, keys))
    if plain is None:
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(keys))
        plain = _WRITES[(conn.dialect.name, stmt, keys)] = (
            False
            if not _plain_write(compiled)
            or (compiled.effective_returning and _Plain(compiled).results)
            else _Plain(compiled)
        )
    if not isinstance(plain, _Plain):
        return conn.execute(stmt, params)
    dbapi = conn.dialect.loaded_dbapi
    # The DBAPI connection is the driver's own for sqlite3 and psycopg (no adaptation
    # layer): one attribute, where ``driver_connection`` is three calls.
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if isinstance(params, list):
            cursor.executemany(plain.sql, [plain.args(r)[1] for r in rows])
        else:
            cursor.execute(plain.sql, plain.args(params)[1])
    except dbapi.Error as err:
        raise _as_sqlalchemy(err, plain.sql, params, conn.dialect) from err
    return cursor


def _as_sqlalchemy(err: Exception, sql: str, params: Any, dialect: Any) -> sa.exc.StatementError:
    """The driver's ``err`` for ``sql`` as SQLAlchemy raises it when it runs a statement
    (its IntegrityError for a broken constraint, its OperationalError for a lost
    connection), for the statements run on the driver."""
    return sa.exc.DBAPIError.instance(sql, params, err, dialect.loaded_dbapi.Error, dialect=dialect)


def _plain(query: Any, dialect: Any) -> _Plain | None:
    """``query`` compiled for the driver, or None when SQLAlchemy must run it each time
    (``_per_call``) or the driver path cannot take it (a list bound more than once, or on
    PostgreSQL other than in a plain ``IN``, or with a bind processor; no binds; no result
    columns). On PostgreSQL a list's ``IN`` becomes ``= ANY(...)`` with the list bound as
    one array: the same rows (a list is never empty here: ``_driver_plain``), one SQL
    text for every length."""
    compiled = query.compile(dialect=dialect)
    positional = dialect.name == "sqlite"
    lists = [b.key for b in compiled.post_compile_params]
    sql = compiled.string
    if (
        _per_call(compiled)
        or any(sql.count(f"(__[POSTCOMPILE_{key}])") != 1 for key in lists)
        or (
            not positional
            and any(
                sql.count(f" IN (__[POSTCOMPILE_{key}])") != 1
                or f"NOT IN (__[POSTCOMPILE_{key}])" in sql
                or compiled._bind_processors.get(key) is not None  # noqa: SLF001
                for key in lists
            )
        )
        or (positional and not compiled.positiontup)
        or (not positional and not compiled.binds)
        or not compiled._result_columns  # noqa: SLF001
    ):
        return None
    plain = _Plain(compiled)
    if not positional and lists:
        for key in lists:
            sql = sql.replace(f" IN (__[POSTCOMPILE_{key}])", f" = ANY(%({key})s)")
        plain.sql, plain.expanding = sql, frozenset()
    return plain


class _Reader:
    """A thread's reading connection (``SqlBase._reader``), closed when it is let go."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __del__(self) -> None:
        self.conn.close()


def _rolled_back(sql: str) -> sa.exc.OperationalError:
    """The error of a group whose transaction SQLite rolled back itself before its commit."""
    return sa.exc.OperationalError(
        sql, None, sqlite3.OperationalError("the transaction was rolled back before its commit")
    )


class _Group:
    """The open SQLite transaction that a thread's grouped writes join (``SqlBase.grouped``)
    until the event loop commits it: ``done`` is set to None once it committed, or to the
    error that ended it; ``after`` runs once it committed."""

    __slots__ = ("after", "conn", "done", "thread")

    def __init__(self, thread: int, conn: Connection, done: asyncio.Future[Exception | None]):
        self.thread = thread
        self.conn = conn
        self.done = done
        self.after: list[Callable[[], None]] = []


class SqlBase:
    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._pg = self.engine.dialect.name == "postgresql"
        self.concurrency: int | None = None if self._pg else SQLITE_CONCURRENCY
        self.local = not self._pg or on_this_machine(self.engine.url)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._driver_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        # SQLite allows one writer. Threads of this process queue on this lock and wake the
        # moment it is free; left to SQLite's busy handler they would sleep in steps of up
        # to 100 ms. Other processes sharing the file still meet the busy timeout.
        self._write_lock = threading.Lock() if not self._pg else contextlib.nullcontext()
        # Sign-ins kept, forgotten by every process sharing the database on a change (a
        # stamp in a file beside SQLite's; PostgreSQL's notices to the listening processes).
        self._signins: KeptSignIns | None = (
            ListenedSignIns(self._listener) if self._pg else _signin_cache(self.engine.url.database)
        )
        # SQLite reads of statements built once (module level), compiled for the driver.
        # Reads compiled for the driver the first time they are met (the contract suite
        # runs once with it: every read of every test through the driver path).
        self.plain_at_first_sight = False
        # False: met once; None: SQLAlchemy runs it (see ``_plain``).
        self._plain: weakref.WeakKeyDictionary[Any, _Plain | bool | None] = (
            weakref.WeakKeyDictionary()
        )
        self._readers = threading.local()
        self._open_readers: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._writing: Connection | None = None
        # SQLite: the transaction the event loop's writes join.
        self._group: _Group | None = None
        # Per thread: ``on`` while its store work may open or join the group (``grouped``);
        # ``waiting``, while one of its loop's requests tries the write lock in
        # ``ready_to_write``, the futures of the others, set once the group has opened.
        self._grouping = threading.local()

    # -- grouped commits (SQLite) ---------------------------------------------------------
    @contextmanager
    def grouped(self) -> Iterator[None]:
        """Writes made in the block, on this thread (it runs an event loop), join one
        transaction with the writes of the other requests the loop serves before it next
        commits (one fsync for them all instead of one each): the first opens it, each is a
        savepoint of it (one that fails is rolled back on its own), and the loop commits it
        as soon as the requests it is running now have run. Until then the reads of grouped
        work see it (other reads do not); a write outside grouped work commits it first.
        The caller waits for ``pending_commit`` before it answers."""
        if self._pg:
            yield
            return
        self._grouping.on = True
        try:
            yield
        finally:
            self._grouping.on = False

    def pending_commit(self) -> asyncio.Future[Exception | None] | None:
        """The commit of the group this thread's work wrote to or read from, if it is still
        open: its result is None once committed, else the error that ended it."""
        group = self._own_group()
        return group.done if group is not None else None

    def on_commit(self, fn: Callable[[], None]) -> None:
        """``fn()`` once what this thread wrote has committed: now, or when its group does."""
        group = self._own_group()
        if group is not None:
            group.after.append(fn)
        else:
            fn()

    def _own_group(self) -> _Group | None:
        """The open group, when this thread opened it (its event loop commits it)."""
        group = self._group
        return group if group is not None and group.thread == threading.get_ident() else None

    def _joined(self) -> _Group | None:
        """The open group, when this thread's store work is running in it (``grouped``):
        its reads are the group's, and see what the group wrote."""
        return self._own_group() if getattr(self._grouping, "on", False) else None

    async def ready_to_write(self) -> None:
        """SQLite: open the group that this thread's next grouped writes join, waiting for
        the write lock (held by another process, or this one's delivery) without holding
        up the event loop. Work that opens its group at its first write waits there with
        the loop stopped: the requests that arrive meanwhile are not read until it has the
        lock, so its group commits its own write alone; two workers sharing the file then
        commit almost every payment on its own, and each commit makes the other worker
        reread its pages. Waiting here, the loop reads them meanwhile; they wait for the
        same lock (one of them tries it, the others wait for that one) and join the group
        it opens. Where no other request is running, no different from opening it at the
        first write. A no-op on PostgreSQL (every write commits on its own) and while a
        group is open. The lock not had after ``WRITE_WAIT_S`` fails it, and the requests
        waiting with it, as a write would."""
        if self._pg or self._own_group() is not None:
            return
        here = self._grouping  # this thread's: its loop's requests wait together
        waiting: list[asyncio.Future[None]] | None = getattr(here, "waiting", None)
        if waiting is not None:  # another request is trying the lock
            # A future of its own (one cancelled leaves the others waiting), woken the
            # moment the group opens, in time to join it.
            woken = asyncio.get_running_loop().create_future()
            waiting.append(woken)
            await woken
            return
        if self._try_open_group():
            return
        waiting = here.waiting = []
        timed_out = False
        try:
            deadline = time.monotonic() + WRITE_WAIT_S
            wait = FIRST_WAIT_S
            while self._own_group() is None and not self._try_open_group():
                if time.monotonic() > deadline:
                    timed_out = True
                    raise _locked()
                await asyncio.sleep(wait)
                wait = min(wait * 2, LAST_WAIT_S)
        finally:
            here.waiting = None
            for woken in waiting:
                if woken.done():  # cancelled
                    continue
                if timed_out:  # those that waited with it fail with it, rather than each
                    woken.set_exception(_locked())  # wait again with the loop stopped
                else:
                    woken.set_result(None)

    def _try_open_group(self) -> bool:
        """Open the group if the write lock is free now: whether it was."""
        lock = cast(Any, self._write_lock)  # SQLite's: a threading.Lock
        return lock.acquire(blocking=False) and self._begin_group(_try_begin_immediate)

    def _open_group(self) -> _Group:
        """Open the group, waiting for the write lock (``_begin_immediate``)."""
        cast(Any, self._write_lock).acquire()
        self._begin_group(_begin_immediate)
        return cast(_Group, self._group)

    def _begin_group(self, begin: Callable[[Any], bool | None]) -> bool:
        """With this process's write lock held: the group on the writing connection, its
        transaction begun by ``begin`` (False: the file's lock was not had, nothing begun);
        this process's lock let go unless the group opened. Its commit runs once the
        requests the loop is running now, and those it wakes now, have run."""
        lock = cast(Any, self._write_lock)
        try:
            conn = self._writer()
            begun = begin(conn.connection.dbapi_connection) is not False
        except BaseException:
            lock.release()
            raise
        if not begun:
            lock.release()
            return False
        loop = asyncio.get_running_loop()
        group = self._group = _Group(threading.get_ident(), conn, loop.create_future())
        loop.call_soon(loop.call_soon, self._commit_group, group)
        return True

    def _commit_group(self, group: _Group) -> None:
        if group.done.done():  # committed already, for a write outside the group
            return
        self._group = None
        conn = group.conn
        dbapi_conn = cast(Any, conn.connection.dbapi_connection)
        error: Exception | None = None
        try:
            try:
                if conn.in_transaction():
                    conn.commit()
                elif dbapi_conn.in_transaction:
                    dbapi_conn.commit()
                else:  # SQLite ended it itself (a full disk, an I/O error): nothing was kept
                    error = _rolled_back("COMMIT")
            except sa.exc.SQLAlchemyError as err:
                error = err
            except self._driver_error as err:
                error = _as_sqlalchemy(err, "COMMIT", None, conn.dialect)
            if error is not None:
                with contextlib.suppress(Exception):
                    conn.rollback() if conn.in_transaction() else dbapi_conn.rollback()
        finally:
            cast(Any, self._write_lock).release()
        group.done.set_result(error)
        if error is None:
            for fn in group.after:
                try:
                    fn()
                except Exception as err:  # what it hands on (emails) the sweep still finds
                    log.warning("after a commit: %s: %s", type(err).__name__, err)

    @contextmanager
    def _in_group(self, group: _Group) -> Iterator[Connection]:
        """One write of the open group: a savepoint, rolled back on its own if it fails."""
        dbapi_conn = cast(Any, group.conn.connection.dbapi_connection)
        if not dbapi_conn.in_transaction:
            raise _rolled_back("SAVEPOINT")
        dbapi_conn.execute("SAVEPOINT w")
        try:
            yield group.conn
        except BaseException:
            if dbapi_conn.in_transaction:
                dbapi_conn.execute("ROLLBACK TO w")
                dbapi_conn.execute("RELEASE w")
            raise
        dbapi_conn.execute("RELEASE w")

    # -- plumbing -------------------------------------------------------------------------
    @contextmanager
    def _write(self, *, synced: bool = True) -> Iterator[Connection]:
        """A write transaction. ``synced=False`` (SQLite, a write of its own): its commit
        does not wait for the disk (``synchronous=NORMAL`` for it): it survives the process
        being killed, and a power cut at worst undoes it until the next synced commit,
        which writes it to disk with its own. For the delivery's bookkeeping (a message
        claimed, its outcome), whose disk wait held SQLite's one write lock against the
        payments (a quarter of lone payments waited 1.8 ms for it); never for money."""
        if self._pg:
            with self.engine.connect() as conn:
                conn = conn.execution_options(scc_write=True)
                with conn.begin():
                    yield conn
            return
        # SQLite: BEGIN and COMMIT straight on the driver, not through SQLAlchemy's
        # transaction (its begin event, its Transaction, its commit: about 5% of a
        # check-in's CPU), the writes on the driver too (``_execute``). A statement that
        # SQLAlchemy runs in the block begins SQLAlchemy's transaction over ours (its begin
        # event sees the driver's transaction open: ``make_engine``), and ends ours with it.
        grouping = getattr(self._grouping, "on", False)
        if (group := self._own_group()) is not None:
            if grouping:
                with self._in_group(group) as conn:
                    yield conn
                return
            # A write outside store work (nothing waits for a group's commit before it
            # answers): the open group commits first, and this write on its own.
            self._commit_group(group)
        elif self._group is None and grouping:
            with self._in_group(self._open_group()) as conn:
                yield conn
            return
        with self._write_lock:
            conn = self._writer()
            dbapi_conn = cast(Any, conn.connection.dbapi_connection)
            if not synced:
                dbapi_conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._committed(conn, dbapi_conn):
                    yield conn
            finally:
                if not synced:
                    dbapi_conn.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def _committed(self, conn: Connection, dbapi_conn: Any) -> Iterator[None]:
        """SQLite's write lock taken on the writer, and the block's writes committed (or
        rolled back when it raises)."""
        _begin_immediate(dbapi_conn)
        try:
            yield
        except BaseException:
            if conn.in_transaction():
                conn.rollback()
            elif dbapi_conn.in_transaction:
                dbapi_conn.rollback()
            raise
        if conn.in_transaction():
            conn.commit()
            return
        try:
            dbapi_conn.commit()
        except self._driver_error as err:
            if dbapi_conn.in_transaction:
                dbapi_conn.rollback()
            raise _as_sqlalchemy(err, "COMMIT", None, conn.dialect) from err

    def _writer(self) -> Connection:
        """The store's SQLite connection for writes, kept open: writes take turns on it
        (``_write_lock``), so a write skips the pool's checkout, checkin and reset and
        SQLAlchemy's new ``Connection`` (about a hundred Python calls). It has no busy
        timeout: ``_begin_immediate`` waits for another process's write lock itself, and
        a transaction that holds the lock never waits. One that broke is replaced; it is
        closed with the store."""
        conn = self._writing
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect().execution_options(scc_write=True)
            cast(Any, conn.connection.driver_connection).execute("PRAGMA busy_timeout=0")
            self._writing = conn
        return conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self._pg:
            # Each statement on its own (autocommit): PostgreSQL's default READ COMMITTED
            # gives every statement of a transaction a snapshot of its own anyway, so a
            # read loses nothing, and saves its BEGIN and COMMIT round trips.
            with self._autocommit.connect() as conn:
                yield conn
            return
        if (group := self._joined()) is not None:
            yield group.conn  # inside the group's transaction (committed with it)
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _one(
        self, query: sa.Select[Any], params: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        rows = self._all(query, params)
        return rows[0] if rows else None

    def _records(
        self,
        query: sa.Select[Any],
        cls: type[T],
        *,
        order_by: Sequence[Any],
        **enums: type[Enum],
    ) -> list[T]:
        """The rows of ``query`` (without its ORDER BY) as records, in ``order_by`` order:
        a ``Listing`` built for this one call (module-level ones are built once)."""
        return self._list(Listing(query, cls, order_by=order_by, **enums))

    def _list(self, listing: Listing, params: Mapping[str, Any] | None = None) -> list[Any]:
        if self._pg:
            plain = self._driver_plain(listing.ordered, params)
            if plain is not None:
                rows = self._plain_rows(plain, params, as_tuples=True)
                if rows is not None:
                    load = _loader(cast(Any, listing.cls), tuple(plain.keys), listing.enums)
                    return [load(row) for row in rows]
            with self._read() as conn:
                result = conn.execute(listing.ordered, params)
                load = _loader(cast(Any, listing.cls), tuple(result.keys()), listing.enums)
                return [load(row) for row in result]
        [packed] = self._all(listing.packed, params)
        rows = json.loads(*packed.values())
        listing.sort(rows)
        load = listing.load_packed
        return [load(row) for row in rows]

    def _all(
        self, query: sa.Executable, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Rows as plain dicts (cheaper to turn into records than RowMappings)."""
        plain = self._driver_plain(query, params)
        if plain is not None and (rows := self._plain_rows(plain, params)) is not None:
            return rows
        with self._read() as conn:
            result = conn.execute(query, params)
            keys = list(result.keys())
            return [dict(zip(keys, row, strict=True)) for row in result]

    def _plain_rows(
        self, plain: _Plain, params: Mapping[str, Any] | None, *, as_tuples: bool = False
    ) -> list[Any] | None:
        """``plain``'s rows (dicts, or ``as_tuples``), the one statement on its own: on
        SQLite on this thread's reading connection (``_reader``), in autocommit mode (we
        issue BEGIN ourselves), where a lone SELECT reads one snapshot, as in a
        ``BEGIN``...``COMMIT`` of its own, without those two statements; on PostgreSQL in
        autocommit, as ``_read`` reads, on the thread's own reading connection in a
        thread that runs an event loop (the hot paths' store work, ``web/store_work.py``:
        one such thread a worker), else on a connection of the pool. None when the driver
        raised (the caller runs the read again through SQLAlchemy, which raises its own
        error for it; a PostgreSQL reading connection is let go, the next read opens
        another)."""
        read = plain.tuples if as_tuples else plain.rows
        try:
            if not self._pg or asyncio._get_running_loop() is not None:  # noqa: SLF001
                try:
                    return read(self._reader(), params)
                except self._driver_error:
                    if self._pg:
                        self._let_reader_go()
                    raise
            with self._pooled_autocommit() as dbapi_conn:
                return read(dbapi_conn, params)
        except self._driver_error:
            return None

    @contextmanager
    def _pooled_autocommit(self) -> Iterator[Any]:
        """A PostgreSQL connection of the pool, its driver's own, in autocommit for the
        block (one statement on its own), back to the pool after it, reset as SQLAlchemy
        resets it (one the server ended is let go there)."""
        fairy = self.engine.raw_connection()
        try:
            dbapi_conn: Any = fairy.driver_connection
            dbapi_conn.autocommit = True
            try:
                yield dbapi_conn
            finally:
                if not dbapi_conn.closed:
                    dbapi_conn.autocommit = False
        finally:
            fairy.close()

    def _reader(self) -> Any:
        """This thread's connection for reads on the driver, opened from the pool (with
        SQLite's PRAGMAs) and detached from it, kept for the thread's life: a read then
        skips the pool's checkout, checkin and reset (about a tenth of a check-in's Python
        calls, for its three reads; on PostgreSQL, its autocommit switched on and off too,
        about 25 µs a read). On PostgreSQL it stays in autocommit. It is closed when its
        thread ends (the thread's locals go) or with the store."""
        if (group := self._joined()) is not None:
            return group.conn.connection.dbapi_connection
        reader: _Reader | None = getattr(self._readers, "reader", None)
        if reader is None:
            fairy = self.engine.raw_connection()
            reader = _Reader(fairy.driver_connection)
            fairy.detach()
            if self._pg:
                reader.conn.autocommit = True
            self._readers.reader = reader
            self._open_readers.add(reader)
        return reader.conn

    def _let_reader_go(self) -> None:
        reader: _Reader | None = getattr(self._readers, "reader", None)
        if reader is not None:
            del self._readers.reader
            self._open_readers.discard(reader)
            reader.conn.close()

    def _driver_plain(self, query: Any, params: Mapping[str, Any] | None) -> _Plain | None:
        """``query`` compiled for the driver when its reads may run there: a statement met
        a second time (one built once, at import; every one with ``plain_at_first_sight``)
        with no empty list among ``params``; one built per call is never met again and
        stays SQLAlchemy's."""
        if not _on_driver(self.engine) or (
            params and ([] in (values := params.values()) or () in values)
        ):
            return None
        try:
            plain = self._plain.get(query, _UNSEEN)
            if plain is _UNSEEN and not self.plain_at_first_sight:
                self._plain[query] = False
            elif plain is False or plain is _UNSEEN:
                plain = self._plain[query] = _plain(query, self.engine.dialect)
        except TypeError:  # a statement that takes no weak reference
            return None
        return plain if isinstance(plain, _Plain) else None

    @staticmethod
    def _insert_audit(conn: Connection, entries: Sequence[AuditEntry]) -> None:
        if len(entries) == 1:
            _execute(conn, INSERT_AUDIT, _to_row(entries[0]))
        elif entries:
            _execute(conn, INSERT_AUDIT, [_to_row(e) for e in entries])

    def init_schema(self) -> None:
        from .migrate import upgrade

        upgrade(self.engine)

    def schema_is_current(self) -> bool:
        """Whether the database is at this version's newest migration (``t.SCHEMA_HEAD``):
        one read of Alembic's version table, without loading Alembic and its migration
        scripts (about 0.1 s of every `scc serve` start)."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return False
            heads = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            return set(heads) == {t.SCHEMA_HEAD}

    def _signins_changed(self) -> None:
        """After a write that ended sessions or changed a crew account: no process uses a
        sign-in it kept from before it."""
        if self._pg:
            try:
                with self._autocommit.connect() as conn:
                    conn.exec_driver_sql(f"NOTIFY {CHANNEL}")
            except sa_exc.DBAPIError as err:  # the change stands; other processes' sign-ins
                log.warning(  # are read again within KEEP_S
                    "other workers were not told of a sign-in change: %s", type(err).__name__
                )
        if self._signins is not None:
            self._signins.changed()

    def _listener(self) -> Any:
        """A connection of its own to PostgreSQL, in autocommit, for LISTEN."""
        import psycopg

        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        kwargs.pop("context", None)
        # As the engine's connections, whose connect_args win over the URL's own options
        # (a URL may name connect_timeout or application_name: given once, not twice).
        options = {**kwargs, "connect_timeout": CONNECT_TIMEOUT_S, "application_name": CHANNEL}
        return psycopg.connect(*args, **options, autocommit=True)

    def close(self) -> None:
        if self._signins is not None:
            self._signins.close()
            self._signins = None
        if self._writing is not None:
            self._writing.close()
            self._writing = None
        for reader in list(self._open_readers):
            reader.conn.close()
        self._readers = threading.local()
        self.engine.dispose()

    @staticmethod
    def _insert_outbox(conn: Connection, outbox: Sequence[OutboxMessage]) -> None:
        if outbox:
            _execute(conn, INSERT_OUTBOX, [_to_row(m, rename={"to": "to_addr"}) for m in outbox])

    @staticmethod
    def _update_booking(conn: Connection, booking: Booking, expected_version: int) -> None:
        res = _execute(conn, UPDATE_BOOKING, _booking_update(booking, expected_version))
        if res.rowcount != 1:
            raise refusals.stale_booking(booking.event_id, booking.patron_id)
