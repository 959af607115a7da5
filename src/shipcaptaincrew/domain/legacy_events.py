"""One previous-system item (a plain dict, see legacy.py) -> a ``LegacyEvent`` to import.

An item that cannot be read raises ``Invalid`` with the reason; a participant that cannot be
read is left out of the event and its reason kept in ``LegacyEvent.skipped``, so one bad
record does not hold back the rest of the roster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from .bookings import check_capacity, check_event_times, check_party_size
from .errors import Invalid
from .legacy import FLAG_KEYS, NO, NO_EMAIL_DOMAIN, YES, LegacyMapping
from .money import check_amount, check_currency

MAX_ID = 200


@dataclass(frozen=True)
class LegacyParticipant:
    legacy_id: str
    name: str
    email: str  # a placeholder under NO_EMAIL_DOMAIN when the record had none
    phone: str
    party_size: int
    checked_in: bool
    waiver: bool
    paid: bool

    @property
    def has_email(self) -> bool:
        return not self.email.endswith("@" + NO_EMAIL_DOMAIN)


@dataclass(frozen=True)
class LegacyEvent:
    legacy_id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    price_cents: int
    currency: str | None  # None: the configured currency
    capacity: int | None
    participants: tuple[LegacyParticipant, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (participant, reason)


def _get(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _text(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise Invalid(f"{what} is not text: {value!r}")
    return str(value).strip()


def _ident(value: Any, what: str) -> str:
    ident = _text(value, what)
    if not ident or len(ident) > MAX_ID:
        raise Invalid(f"{what} must be 1 to {MAX_ID} characters")
    return ident


def _whole(value: Any, what: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value != int(value):
        raise Invalid(f"{what} {value!r} is not a whole number")
    return int(value)


def flag(value: Any, what: str, *, reference: bool = False) -> bool:
    """Yes/no from the shapes records use: a boolean, 0/1, a word ("yes", "signed",
    "checked_in", "paid"), a time it happened, a list of signatures, or a map holding one
    of those (``{"checked_in": true, "at": ...}``). Missing means no. With ``reference``
    (a waiver), any other text or map is a reference to the signed document: yes."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int | Decimal):
        return value != 0
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        for key in FLAG_KEYS:
            if key in value:
                return flag(value[key], what, reference=reference)
        stamps = [v for k, v in value.items() if k in ("at", "time", "timestamp", "date")]
        stamps += [v for k, v in value.items() if k.endswith(("_at", "At"))]
        if reference and not stamps:
            stamps = list(value.values())
        return any(v not in (None, "", False) for v in stamps)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
        try:
            datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return True
        except ValueError:
            if reference:
                return True
    raise Invalid(f"{what} {value!r} is neither yes nor no")


def when(value: Any, what: str, tz: tzinfo) -> datetime:
    """A time: ISO 8601 (an offset or ``Z``; without one it is in ``tz``), a date (midnight
    in ``tz``) or Unix seconds/milliseconds. Returned in UTC."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        seconds = float(value) / 1000 if value > 100_000_000_000 else float(value)
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return datetime.combine(date.fromisoformat(text), time(), tz).astimezone(UTC)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"{what} {value!r} is not a date or time") from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)
    raise Invalid(f"{what} {value!r} is not a date or time")


def _clock(value: Any) -> time | None:
    """A time of day: 18:00, 18:00:00, 6:00 PM, 6pm; None when it is not one."""
    text = str(value).strip().upper().replace(".", "")
    try:
        return time.fromisoformat(text)
    except ValueError:
        pass
    for pattern in ("%I:%M %p", "%I:%M%p", "%I %p", "%I%p"):
        try:
            return datetime.strptime(text, pattern).time()  # noqa: DTZ007 - a time of day
        except ValueError:
            continue
    return None


def _start(raw: Any, raw_time: Any, tz: tzinfo) -> datetime:
    """The start; a bare date takes its time of day from the start-time attribute."""
    is_date = isinstance(raw, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip())
    if not is_date or raw_time is None or raw_time == raw:
        return when(raw, "start", tz)
    clock = _clock(raw_time)
    if clock is None:
        return when(raw_time, "start", tz)  # a full date and time after all
    day = date.fromisoformat(raw.strip())
    return datetime.combine(day, clock, tz).astimezone(UTC)


def _cents(record: dict[str, Any], m: LegacyMapping) -> int:
    raw = _get(record, m.price_cents)
    if raw is not None:
        cents = _whole(raw, "price_cents")
    else:
        raw = _get(record, m.price)
        if raw is None:
            raise Invalid(f"no price (looked for {', '.join(m.price_cents + m.price)})")
        try:
            amount = Decimal(str(raw).strip().lstrip("$€£").replace(",", ""))
        except InvalidOperation:
            raise Invalid(f"price {raw!r} is not an amount") from None
        if isinstance(raw, bool) or amount * 100 != int(amount * 100):
            raise Invalid(f"price {raw!r} is not an amount in whole cents")
        cents = int(amount * 100)
    check_amount(cents, allow_zero=True, field="price")
    return cents


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "x"


def participant(
    record: Any, m: LegacyMapping, *, event_id: str, key: str | None
) -> LegacyParticipant:
    """One participant record (``key``: its key when the roster is a map keyed by id)."""
    if not isinstance(record, dict):
        raise Invalid(f"not a participant record: {record!r}"[:120])
    raw_email = _get(record, m.email)
    email = _text(raw_email, "email").lower() if raw_email is not None else ""
    raw_id = _get(record, m.participant_id) or key or email
    if not raw_id:
        raise Invalid(f"no participant id (looked for {', '.join(m.participant_id)})")
    legacy_id = _ident(raw_id, "participant id")
    parts = [record.get(k) for k in ("first_name", "firstName", "last_name", "lastName")]
    full = " ".join(_text(x, "name") for x in parts if x not in (None, ""))
    name = _text(_get(record, m.name) or full or email, "name")
    if not name:
        raise Invalid(f"no name (looked for {', '.join(m.name)})")
    if "@" not in email or " " in email or email.startswith("@") or email.endswith("@"):
        email = f"{_slug(event_id)}.{_slug(legacy_id)}@{NO_EMAIL_DOMAIN}"
    raw_size = _get(record, m.party_size)
    party_size = 1 if raw_size is None else _whole(raw_size, "party size")
    check_party_size(party_size)
    phone = _get(record, m.phone)
    return LegacyParticipant(
        legacy_id=legacy_id,
        name=name[:200],
        email=email,
        phone="" if phone is None else _text(phone, "phone")[:40],
        party_size=party_size,
        checked_in=flag(_get(record, m.attendance), "attendance"),
        waiver=flag(_get(record, m.waiver), "waiver", reference=True),
        paid=flag(_get(record, m.payment), "payment"),
    )


def _roster(raw: Any) -> list[tuple[str | None, Any]]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [(None, r) for r in raw]
    if isinstance(raw, dict):
        return [(str(k), r) for k, r in raw.items()]
    raise Invalid(f"participants is neither a list nor a map: {raw!r}"[:120])


def legacy_event(item: dict[str, Any], m: LegacyMapping, tz: tzinfo) -> LegacyEvent:
    """The event in one item, with every participant record that can be read."""
    raw_id = _get(item, m.event_id)
    if raw_id is None:
        raise Invalid(f"no event id (looked for {', '.join(m.event_id)})")
    event_id = _ident(raw_id, "event id")
    raw_start = _get(item, m.starts_at)
    if raw_start is None:
        raise Invalid(f"no start time (looked for {', '.join(m.starts_at)})")
    starts_at = _start(raw_start, _get(item, m.start_time), tz)
    raw_end = _get(item, m.ends_at)
    ends_at = when(raw_end, "end", tz) if raw_end is not None else None
    check_event_times(starts_at, ends_at)
    raw_currency = _get(item, m.currency)
    currency = check_currency(_text(raw_currency, "currency")) if raw_currency else None
    raw_capacity = _get(item, m.capacity)
    capacity = None if raw_capacity is None else _whole(raw_capacity, "capacity")
    check_capacity(capacity)
    price = _cents(item, m)
    people: list[LegacyParticipant] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for n, (key, record) in enumerate(_roster(_get(item, m.participants)), 1):
        label = f"participant {n}"
        try:
            p = participant(record, m, event_id=event_id, key=key)
        except Invalid as err:
            skipped.append((label, err.message))
            continue
        if p.legacy_id in seen:
            skipped.append((f"{label} ({p.legacy_id})", "appears twice in this event"))
            continue
        seen.add(p.legacy_id)
        people.append(p)
    title = _get(item, m.title)
    return LegacyEvent(
        legacy_id=event_id,
        title=(_text(title, "title") if title is not None else "")[:200] or f"Event {event_id}",
        starts_at=starts_at,
        ends_at=ends_at,
        location=_text(_get(item, m.location) or "", "location")[:300],
        price_cents=price,
        currency=currency,
        capacity=capacity,
        participants=tuple(people),
        skipped=tuple(skipped),
    )
