"""Reading the previous system's roster items: one DynamoDB item per event, its participant
records nested inside (attendance, waiver and the optional ``payment_cleared``).

Pure: DynamoDB JSON (typed, as ``aws dynamodb scan`` or an export writes it) or plain JSON
in, ``LegacyEvent`` records out, or ``Invalid`` with the reason an item cannot be read.
Which attribute holds what is a ``LegacyMapping``; each field lists the names to try, first
match wins, so the defaults (the previous system's names first) fit most deployments.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from .errors import Invalid

NO_EMAIL_DOMAIN = (
    "no-email.example"  # RFC 2606 reserved name: never delivers, plainly a placeholder
)
TYPE_CODES = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})
YES = {"true", "yes", "y", "1", "x", "checked_in", "checked-in", "checked in", "checkedin",
       "present", "attended", "arrived", "boarded", "aboard", "here", "signed", "on_file",
       "on file", "received", "paid", "cleared", "complete", "completed", "confirmed",
       "done"}  # fmt: skip
NO = {"false", "no", "n", "0", "", "-", "none", "null", "n/a", "na", "absent", "no_show",
      "no-show", "not_checked_in", "not checked in", "not-checked-in", "registered", "booked",
      "expected", "waiting", "missing", "unsigned", "not_signed", "not signed", "required",
      "pending", "unpaid", "not_paid", "not paid", "due", "open", "outstanding"}  # fmt: skip
FLAG_KEYS = ("checked_in", "checkedIn", "present", "attended", "signed", "on_file", "cleared",
             "paid", "status", "state", "value")  # fmt: skip


@dataclass(frozen=True)
class LegacyMapping:
    """Attribute names (alternatives, first present wins) for each field of an item."""

    event_id: tuple[str, ...] = ("event_id", "eventId", "id")
    title: tuple[str, ...] = ("title", "name", "event_name", "eventName")
    starts_at: tuple[str, ...] = ("starts_at", "start", "date", "event_date", "startsAt",
                                  "start_time", "startTime", "datetime")  # fmt: skip
    start_time: tuple[str, ...] = ("time", "start_time", "startTime")  # beside a bare date
    ends_at: tuple[str, ...] = ("ends_at", "end", "end_time", "endsAt", "endTime")
    location: tuple[str, ...] = ("location", "place", "venue", "meeting_point")
    price_cents: tuple[str, ...] = ("price_cents", "priceCents")  # whole cents
    price: tuple[str, ...] = ("price", "price_per_person", "pricePerPerson", "ticket_price",
                              "cost")  # fmt: skip  # dollars (major units): 45.50
    currency: tuple[str, ...] = ("currency",)
    capacity: tuple[str, ...] = ("capacity", "max_participants", "maxParticipants")
    participants: tuple[str, ...] = ("participants", "roster", "patrons", "attendees")
    participant_id: tuple[str, ...] = ("patron_id", "participant_id", "patronId",
                                       "participantId", "id")  # fmt: skip
    name: tuple[str, ...] = ("name", "patron_name", "full_name", "patronName", "fullName")
    email: tuple[str, ...] = ("email", "patron_email", "email_address", "emailAddress")
    phone: tuple[str, ...] = ("phone", "phone_number", "phoneNumber", "mobile")
    party_size: tuple[str, ...] = ("party_size", "party", "partySize", "seats", "quantity")
    attendance: tuple[str, ...] = ("attendance", "checked_in", "attended", "checkedIn",
                                   "present")  # fmt: skip
    waiver: tuple[str, ...] = ("waiver", "waiver_signed", "waiver_on_file", "waiverSigned",
                               "waiver_status")  # fmt: skip
    payment: tuple[str, ...] = ("payment_cleared", "paymentCleared", "paid", "payment_status",
                                "payment")  # fmt: skip
    timezone: str = ""  # for times without an offset; "" = the configured SCC_TIMEZONE


# Names in the mapping file's ``participant`` table -> LegacyMapping fields.
PARTICIPANT_FIELDS = {"id": "participant_id", "name": "name", "email": "email",
                      "phone": "phone", "party_size": "party_size", "attendance": "attendance",
                      "waiver": "waiver", "payment": "payment"}  # fmt: skip
EVENT_FIELDS = ("event_id", "title", "starts_at", "start_time", "ends_at", "location",
                "price_cents", "price", "currency", "capacity", "participants")  # fmt: skip


def _names(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(f"The mapping's {key} must be an attribute name or a list of names.")
    return tuple(value)


def mapping_from_dict(data: Mapping[str, Any]) -> LegacyMapping:
    """A mapping from a parsed TOML/JSON file: event fields and ``timezone`` at the top, the
    participant fields in a ``participant`` table. Each field is an attribute name or a list
    of names to try in order; fields left out keep their defaults. Invalid on anything else."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "timezone":
            if not isinstance(value, str):
                raise Invalid("The mapping's timezone must be a name such as America/New_York.")
            changes[key] = value
        elif key == "participant":
            if not isinstance(value, Mapping):
                raise Invalid("The mapping's participant entry must be a table of names.")
            for sub, names in value.items():
                if sub not in PARTICIPANT_FIELDS:
                    raise Invalid(
                        f"Unknown participant field {sub!r} in the mapping.",
                        {"allowed": list(PARTICIPANT_FIELDS)},
                    )
                changes[PARTICIPANT_FIELDS[sub]] = _names(f"participant.{sub}", names)
        elif key in EVENT_FIELDS:
            changes[key] = _names(key, value)
        else:
            raise Invalid(
                f"Unknown field {key!r} in the mapping.",
                {"allowed": [*EVENT_FIELDS, "timezone", "participant"]},
            )
    return replace(LegacyMapping(), **changes)


# -- DynamoDB JSON ----------------------------------------------------------------------------
def _number(text: str) -> int | Decimal:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() and "e" not in text.lower() else value


def plain(value: Any) -> Any:
    """One DynamoDB attribute value (``{"N": "45"}``) as plain Python (numbers exact)."""
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in TYPE_CODES:
        raise Invalid(f"not a DynamoDB attribute value: {json.dumps(value)[:80]}")
    [(code, inner)] = value.items()
    if code in ("S", "SS"):
        return inner
    if code == "N":
        return _number(inner)
    if code == "NS":
        return [_number(n) for n in inner]
    if code == "BOOL":
        return bool(inner)
    if code == "NULL":
        return None
    if code == "M":
        return {k: plain(v) for k, v in inner.items()}
    if code == "L":
        return [plain(v) for v in inner]
    return base64.b64decode(inner) if code == "B" else [base64.b64decode(b) for b in inner]


def _is_typed(item: dict[str, Any]) -> bool:
    return all(
        isinstance(v, dict) and len(v) == 1 and next(iter(v)) in TYPE_CODES for v in item.values()
    )


def plain_item(item: Any) -> dict[str, Any]:
    """An item in DynamoDB JSON (or already plain JSON) as a plain dict."""
    if not isinstance(item, dict) or not item:
        raise Invalid("not an item (expected a JSON object of attributes)")
    if _is_typed(item):
        return {k: plain(v) for k, v in item.items()}
    return item


def items_from_text(text: str) -> Iterator[tuple[str, dict[str, Any] | Invalid]]:
    """The items of ``aws dynamodb scan --output json`` output (one document with ``Items``),
    of a JSON array of items, or of a DynamoDB export / JSON lines (one ``{"Item": {...}}``
    or item per line), each with where it came from; a line that is not JSON comes back as
    ``Invalid``."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            doc = None
        items = doc.get("Items") if isinstance(doc, dict) else doc
        if isinstance(items, list):  # scan output, or a JSON array of items
            for n, item in enumerate(items, 1):
                yield f"item {n}", item
            return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except json.JSONDecodeError as err:
            yield f"line {n}", Invalid(f"not JSON ({err.msg})")
            continue
        yield f"line {n}", doc["Item"] if isinstance(doc, dict) and "Item" in doc else doc


class SourceError(Exception):
    """The previous system's table cannot be read: one line for the operator."""
