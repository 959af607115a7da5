"""On PostgreSQL, a booking's change written in one statement: the booking's update (its
version checked) and the rows that go with it (audit entries, outbox messages, a payment with
the next receipt number) as data-modifying CTEs, each insert selecting from the booking's
update, so that nothing is written when the booking has moved on (the statement is atomic on
its own). One round trip in autocommit instead of BEGIN, one statement each and COMMIT: a
check-in's write costs about a third of the CPU in the driver (``SqlBase._write`` stays for
every other write, SQLite's included)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import schema as t
from .sql_base import (
    NEXT_RECEIPT_NO,
    UPDATE_BOOKING,
    _Plain,
    _plain_write,
)

INSERT_PAYMENT = t.payments.insert()
_BIND = re.compile(r"%\((\w+)\)s")
_VALUE = re.compile(r"%\(\w+\)s(::[A-Z][A-Z ]*(\(\d+\))?)?")  # a bound value, cast


class OneWrite:
    """The statement for one shape of write: the booking's update with these columns, then
    inserts of these tables with these columns (``receipt``: the first insert is the
    payment, numbered by the receipt counter). It answers how many bookings it updated (1,
    or 0 when the booking moved on) and the receipt number given (None without one). Its
    SQL takes PostgreSQL's own placeholders (``$1``...) for a raw cursor: psycopg parses a
    statement's ``%(name)s`` placeholders again on every execution when the statement is
    longer than it keeps parsed (4,096 characters; a payment's is longer)."""

    __slots__ = ("names", "parts", "receipt", "sql")

    def __init__(
        self,
        dialect: Any,
        booking_keys: Sequence[str],
        inserts: Sequence[tuple[Any, Sequence[str]]],
        *,
        receipt: bool,
    ) -> None:
        self.receipt = receipt
        # (prefix, compiled statement) of each part, for its arguments
        self.parts: list[tuple[str, _Plain]] = []
        update = self._part(dialect, UPDATE_BOOKING, booking_keys, "b_")
        ctes = [f"b AS ({update} RETURNING 1)"]
        if receipt:
            counter = self._part(dialect, NEXT_RECEIPT_NO, (), "n_")
            at = counter.rindex(" RETURNING ")
            guarded = f"{counter[:at]} AND EXISTS (SELECT 1 FROM b){counter[at:]}"  # noqa: S608
            ctes.append(f"n AS ({guarded})")
        for i, (stmt, keys) in enumerate(inserts):
            prefix = f"i{i}_"
            head, sep, values = self._part(dialect, stmt, keys, prefix).partition(" VALUES (")
            # SQLAlchemy asks for an autoincrement key back (the audit's seq): not needed.
            values = values.split(") RETURNING ", 1)[0].removesuffix(")")
            if not sep or not all(_VALUE.fullmatch(v) for v in values.split(", ")):
                raise ValueError(f"not a one-row insert: {stmt}")
            chosen = values
            source = "b"
            if receipt and i == 0:
                numbered = re.sub(rf"%\({prefix}receipt_no\)s(::\w+)?", "n.value", chosen)
                if numbered == chosen:
                    raise ValueError("the payment's insert names no receipt_no")
                chosen, source = numbered, "n"
            # SQL compiled from the statements, fixed names: every value is bound.
            ctes.append(f"i{i} AS ({head} SELECT {chosen} FROM {source})")  # noqa: S608
        last = "(SELECT value FROM n)" if receipt else "NULL"
        named = f"WITH {', '.join(ctes)} SELECT (SELECT count(*) FROM b), {last}"  # noqa: S608
        self.names: list[str] = []  # the bind of $1, $2...
        numbers: dict[str, int] = {}

        def placeholder(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in numbers:
                self.names.append(name)
                numbers[name] = len(self.names)
            return f"${numbers[name]}"

        self.sql = _BIND.sub(placeholder, named)

    def _part(self, dialect: Any, stmt: Any, keys: Sequence[str], prefix: str) -> str:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        if not _plain_write(compiled) or "%%" in compiled.string:
            raise ValueError(f"not a plain statement: {stmt}")
        self.parts.append((prefix, _Plain(compiled)))
        return _BIND.sub(lambda m: f"%({prefix}{m.group(1)})s", compiled.string)

    def args(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """The driver's arguments, in placeholder order: ``rows`` in the order of the
        parts (the booking, the counter when numbered, then each insert)."""
        out: dict[str, Any] = {}
        for (prefix, plain), row in zip(self.parts, rows, strict=True):
            for name, value in plain.args(row)[1].items():
                out[prefix + name] = value
        return [out[name] for name in self.names]


_SHAPES: dict[tuple[Any, ...], OneWrite] = {}


def one_write(
    dialect: Any,
    booking: Mapping[str, Any],
    inserts: Sequence[tuple[Any, Mapping[str, Any]]],
    *,
    receipt: bool = False,
) -> tuple[str, list[Any]]:
    """The SQL (``$n`` placeholders, for psycopg's ``RawCursor``) and arguments writing
    ``booking`` (an ``UPDATE_BOOKING`` row) and ``inserts`` (statement, row) in one
    statement, built once per shape."""
    key = (
        tuple(booking),
        tuple((stmt, tuple(row)) for stmt, row in inserts),
        receipt,
    )
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES[key] = OneWrite(
            dialect, tuple(booking), [(s, tuple(r)) for s, r in inserts], receipt=receipt
        )
    rows = [booking, *([{}] if receipt else []), *(row for _, row in inserts)]
    return shape.sql, shape.args(rows)
