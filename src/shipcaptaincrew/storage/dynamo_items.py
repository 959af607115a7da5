"""DynamoDB item plumbing for ``dynamodb.py``: the table definition, key builders and
the record codec. Pure Python (no boto3): records become a JSON ``doc`` attribute plus
the few top-level attributes that keys, indexes and conditions need."""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import time
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from ..domain.models import OutboxMessage, Seat, field_names, field_order
from ..domain.seats import seats_from_json, seats_to_json
from .records import enum_parser, maker

T = TypeVar("T")

# The table, exactly as deploy/aws/template.yaml declares it (a test compares them).
KEY_SCHEMA = [
    {"AttributeName": "PK", "KeyType": "HASH"},
    {"AttributeName": "SK", "KeyType": "RANGE"},
]
ATTRIBUTES = [
    {"AttributeName": name, "AttributeType": "S"}
    for name in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")
]
INDEXES = [
    {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }
    for name in ("GSI1", "GSI2")
]
TTL_ATTRIBUTE = "expires"
TRANSACTION_LIMIT = 100


def S(value: str) -> dict[str, str]:
    return {"S": value}


def N(value: int) -> dict[str, str]:
    return {"N": str(value)}


def sort_time(at: datetime) -> str:
    """A fixed-width UTC form that sorts lexicographically in time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# A message's ``head``: what its latest status is read from without its doc (a roster's
# receipt-email column), in one attribute: botocore parses each attribute of each item in
# Python, and five of them cost more than the doc's JSON.
OUTBOX_HEAD_SEP = "|"


def outbox_head(m: OutboxMessage) -> tuple[str, str, str, str, str]:
    """Its id, status, kind, creation (``sort_time``) and patron id ('' for none); none of
    them holds the separator."""
    return (m.id, m.status, m.kind, sort_time(m.created_at), m.patron_id or "")


def epoch(at: datetime) -> int:
    return int(at.timestamp())


_seq_lock = threading.Lock()
_last_seq = 0


def next_seq() -> str:
    """A write-ordered sort key for audit entries: nanoseconds, unique within a process."""
    global _last_seq
    with _seq_lock:
        _last_seq = max(time.time_ns(), _last_seq + 1)
        return f"{_last_seq:020d}"


# -- keys -------------------------------------------------------------------------------------
def event_key(event_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S("EVENT")}


def booking_key(event_id: str, patron_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S(f"BOOKING#{patron_id}")}


def payment_key(event_id: str, patron_id: str, payment_id: str) -> dict[str, Any]:
    return {"PK": S(f"EVENT#{event_id}"), "SK": S(f"PAYMENT#{patron_id}#{payment_id}")}


def unique_key(kind: str, value: str) -> dict[str, Any]:
    """The item that holds a unique value (crew email, patron email, idempotency key)."""
    return {"PK": S(f"{kind}#{value}"), "SK": S("UNIQUE")}


def single_key(kind: str, ident: str) -> dict[str, Any]:
    return {"PK": S(f"{kind}#{ident}"), "SK": S(kind)}


CREW_PK = "CREW"
WAIVER_PK = "WAIVER"


def waiver_sk(template_id: str, version: int) -> str:
    return f"{template_id}#V{version:06d}"


AUDIT_PK = "AUDIT"
COUNTER_KEY = {"PK": S("COUNTER"), "SK": S("receipt")}


# -- codec ------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and all(isinstance(v, Seat) for v in value):
        return seats_to_json(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def encode(record: Any) -> dict[str, str]:
    """The record as a ``doc`` attribute (JSON)."""
    doc = {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}
    return {"S": json.dumps(doc, sort_keys=True, separators=(",", ":"))}


@cache
def _converters(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for name, hint in hints.items():
        args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        target = args[0]
        if typing.get_origin(hint) is tuple:
            out[name] = seats_from_json
        elif target is datetime:
            out[name] = datetime.fromisoformat
        elif target is bytes:
            out[name] = base64.b64decode
        elif isinstance(target, type) and issubclass(target, Enum):
            out[name] = enum_parser(target)
    return out


@cache
def _made_by(cls: type) -> tuple[tuple[str, ...], Callable[[list[Any]], Any]]:
    """A record class's field names in order, and its maker (``records.maker``)."""
    order = field_order(cls)
    return order, maker(cls, order)


def decode(cls: type[T], item: dict[str, Any], **override: Any) -> T:
    """The record stored in ``item``'s doc, with ``override`` (e.g. the live version). A doc
    with every field (as ``encode`` writes them) is made in one step; one written before a
    field existed gets that field's default from the class."""
    raw = json.loads(item["doc"]["S"])
    conv = _converters(cls)  # type: ignore[arg-type]
    names = field_names(cls)  # type: ignore[arg-type]
    order, make = _made_by(cls)  # type: ignore[arg-type]
    values = {}
    for name, value in raw.items():
        if name in names:
            values[name] = conv[name](value) if value is not None and name in conv else value
    values.update(override)
    if len(values) == len(order) and names.issuperset(override):
        return make([values[n] for n in order])  # type: ignore[no-any-return]
    return cls(**values)
