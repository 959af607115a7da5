"""The store contract with every read compiled for the driver at once, on SQLite and on
PostgreSQL (skipped when SCC_TEST_POSTGRES_URL is unset): a store otherwise compiles a
statement the second time it meets it, so most reads of a short test would go through
SQLAlchemy."""

import pytest

from shipcaptaincrew.storage.sql import EVENT, SqlStore
from shipcaptaincrew.storage.sql_base import _Plain
from shipcaptaincrew.storage.sql_outbox import LATEST_ROWS_PACKED, LATEST_STATUS
from tests import factories as f
from tests.storage.contract import StoreContract

# How each driver takes an event's id: in order (sqlite3) or by name (psycopg).
EVENT_ID_BIND = {"sqlite": ("?", False), "postgresql": ("%(event_id)s", True)}


@pytest.fixture(params=["sqlite_store", "pg_store"])
def sql_store(request: pytest.FixtureRequest) -> SqlStore:
    store: SqlStore = request.getfixturevalue(request.param)
    return store


class TestPlainReads(StoreContract):
    @pytest.fixture
    def store(self, sql_store: SqlStore) -> SqlStore:
        sql_store.plain_at_first_sight = True
        return sql_store


def test_a_read_met_a_second_time_runs_on_the_driver_with_the_same_answer(
    sql_store: SqlStore,
) -> None:
    event = f.event_record(capacity=10)
    sql_store.add_event(event, f.audit_entry("event.created", event.id))
    through_sqlalchemy = sql_store.get_event(event.id)
    assert sql_store._plain[EVENT] is False  # noqa: SLF001 - met once
    through_the_driver = sql_store.get_event(event.id)
    plain = sql_store._plain[EVENT]  # noqa: SLF001
    bind, named = EVENT_ID_BIND[sql_store.engine.dialect.name]
    assert isinstance(plain, _Plain) and plain.named is named
    assert f"events.id = {bind}" in plain.sql
    assert through_the_driver == through_sqlalchemy == event
    assert sql_store.get_event("nope") is None


def test_a_list_bound_to_in_gets_one_placeholder_per_item(sqlite_store: SqlStore) -> None:
    sqlite_store.plain_at_first_sight = True
    for kinds in (["receipt"], ["receipt", "void"], []):
        assert sqlite_store.latest_outbox_status("e1", kinds) == {}, kinds
    plain = sqlite_store._plain[LATEST_ROWS_PACKED]  # noqa: SLF001
    assert isinstance(plain, _Plain)
    assert sorted(plain.sized) == [(1,), (2,)]  # the empty list is not read packed
    assert "IN (?, ?)" in plain.sized[(2,)]


def test_a_list_bound_to_in_is_one_array_on_postgresql(pg_store: SqlStore) -> None:
    """On PostgreSQL a list's IN runs on the driver as ``= ANY`` of one array, with the
    answer SQLAlchemy gives; a NOT IN, or a list whose values need converting, stays
    SQLAlchemy's."""
    import sqlalchemy as sa

    from shipcaptaincrew.domain import outbox as ob
    from shipcaptaincrew.storage import schema as t
    from shipcaptaincrew.storage.sql_base import _plain
    from tests.storage.contract_outbox_latest import _booked, _msg, _write

    event = f.event_record()
    pg_store.add_event(event, f.audit_entry())
    ann, bob = _booked(pg_store, event), _booked(pg_store, event)
    _write(pg_store, ann, [_msg(ann, 10), _msg(ann, 20, ob.VOID)])
    _write(pg_store, bob, [_msg(bob, 5), _msg(bob, 9, "reminder")])
    asked = ([ob.RECEIPT], [ob.RECEIPT, ob.VOID], ["reminder", ob.VOID, ob.RECEIPT])
    through_sqlalchemy = [pg_store.latest_outbox_status(event.id, kinds) for kinds in asked]
    pg_store.plain_at_first_sight = True
    through_the_driver = [pg_store.latest_outbox_status(event.id, kinds) for kinds in asked]
    plain = pg_store._plain[LATEST_STATUS]  # noqa: SLF001
    assert isinstance(plain, _Plain)
    assert "outbox.kind = ANY(%(kinds)s)" in plain.sql and "POSTCOMPILE" not in plain.sql
    assert through_the_driver == through_sqlalchemy
    assert through_sqlalchemy == [
        {ann.patron_id: ob.QUEUED, bob.patron_id: ob.QUEUED},
        {ann.patron_id: ob.QUEUED, bob.patron_id: ob.QUEUED},
        {ann.patron_id: ob.QUEUED, bob.patron_id: ob.QUEUED},
    ]
    dialect = pg_store.engine.dialect
    o = t.outbox.c
    not_in = sa.select(o.id).where(o.kind.not_in(sa.bindparam("kinds", expanding=True)))
    assert _plain(not_in, dialect) is None
    converted = sa.select(o.id).where(o.created_at.in_(sa.bindparam("at", expanding=True)))
    assert _plain(converted, dialect) is None  # UTCDateTime converts each value


def test_a_record_loaded_in_one_step_is_the_one_its_class_makes() -> None:
    import dataclasses

    from shipcaptaincrew.domain.models import Booking
    from shipcaptaincrew.storage.records import maker

    booking = dataclasses.replace(
        f.booking_record(f.event_record(), f.patron_record()), aboard=1, version=3
    )
    names = [field.name for field in dataclasses.fields(Booking)]
    made = maker(Booking, names)([getattr(booking, n) for n in names])
    assert (type(made), made, vars(made)) == (Booking, booking, vars(booking))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.aboard = 0  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class Checked:
        cents: int

        def __post_init__(self) -> None:
            if self.cents < 0:
                raise ValueError("negative")

    with pytest.raises(ValueError, match="negative"):  # its own __init__ still runs
        maker(Checked, ["cents"])([-1])


def test_a_stored_enum_value_is_read_as_its_class_reads_it() -> None:
    import enum

    from shipcaptaincrew.domain.models import BookingStatus
    from shipcaptaincrew.storage.records import enum_parser

    status = enum_parser(BookingStatus)
    assert [status(m.value) for m in BookingStatus] == list(BookingStatus)
    assert status("waitlisted") is BookingStatus.WAITLISTED
    with pytest.raises(ValueError, match="'boarded' is not a valid BookingStatus"):
        status("boarded")
    with pytest.raises(ValueError, match=r"\['booked'\] is not a valid BookingStatus"):
        status(["booked"])  # unhashable: left to the class too

    class Size(enum.Enum):  # a class that finds values of its own (``_missing_``)
        SMALL = "s"

        @classmethod
        def _missing_(cls, value: object) -> "Size | None":
            return cls.SMALL if value == "S" else None

    assert enum_parser(Size)("S") is Size.SMALL


def test_packed_rows_are_put_in_the_order_sqlite_gives_them() -> None:
    """A packed list's rows are sorted in Python on their stored values: the same order as
    SQLite's ORDER BY, ascending and descending, NULLs, ties and names beyond ASCII."""
    import itertools
    import json
    import sqlite3

    import sqlalchemy as sa

    from shipcaptaincrew.storage.sql_base import _packed_sort

    table = sa.Table(
        "things",
        sa.MetaData(),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("at", sa.String, nullable=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    names = ["Zoë", "zoe", "Zoe", "Ångström", "Émile", "émile", "bob", "Bob", "李", "😀", ""]
    rows = [
        (name, at, n)
        for (name, at), n in zip(
            itertools.product(names, [None, "2026-07-01 10:00:00", "2026-06-30 23:59:59"]),
            itertools.cycle([3, 1, 2, 1]),
            strict=False,
        )
    ]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE things (name TEXT NOT NULL, at TEXT, n INTEGER NOT NULL)")
    conn.executemany("INSERT INTO things VALUES (?, ?, ?)", rows)
    c = table.c
    orders = {
        "name, n": [c.name, c.n],
        "at, name, n": [c.at, c.name, c.n],
        "at DESC, name, n": [c.at.desc(), c.name, c.n],
        "n DESC, at, name": [c.n.desc(), c.at, c.name],
        "name DESC, at DESC, n": [c.name.desc(), c.at.desc(), c.n],
    }
    [[packed]] = conn.execute("SELECT json_group_array(json_array(name, at, n)) FROM things")
    for sql, order_by in orders.items():
        expected = [list(r) for r in conn.execute(f"SELECT * FROM things ORDER BY {sql}")]
        got = json.loads(packed)
        _packed_sort(("name", "at", "n"), order_by)(got)
        assert got == expected, sql


def test_a_null_skips_only_the_processors_that_give_it_back_as_it_is() -> None:
    """A read on the driver passes a NULL to no result processor that turns NULL into NULL
    (asked once, when the statement is compiled), and still to one that does not."""
    import sqlite3

    import sqlalchemy as sa

    from shipcaptaincrew.storage.sql_base import _plain

    calls: list[object] = []

    class Marked(sa.types.TypeDecorator[str]):
        impl = sa.Text
        cache_ok = True

        def process_result_value(self, value: object, dialect: object) -> str | None:
            calls.append(value)
            return None if value is None else f"<{value}>"

    class Defaulted(sa.types.TypeDecorator[str]):
        impl = sa.Text
        cache_ok = True

        def process_result_value(self, value: object, dialect: object) -> str:
            return "none" if value is None else str(value)

    things = sa.Table("things", sa.MetaData(), sa.Column("a", Marked), sa.Column("b", Defaulted))
    query = sa.select(things).where(things.c.a.is_not(sa.bindparam("x")))
    plain = _plain(query, sa.create_engine("sqlite://").dialect)
    assert plain is not None
    assert calls == [None]  # asked once
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE things (a TEXT, b TEXT)")
    conn.executemany("INSERT INTO things VALUES (?, ?)", [(None, None), ("x", "y")])
    calls.clear()
    assert sorted(plain.tuples(conn, {"x": "z"}), key=str) == [["<x>", "y"], [None, "none"]]
    assert calls == ["x"]
