"""Creating, editing and listing events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from ..domain import bookings as rules
from ..domain import headcount
from ..domain.errors import Invalid, NotFound
from ..domain.models import CrewMember, Event, EventStatus, new_id
from ..domain.money import check_amount, check_currency
from ..domain.text import clean_line
from . import audit
from .access import actor_of, require_manager
from .booking_mail import event_cancelled_message
from .context import Context
from .views import BookingView, EventView, receipt_email_status

MAX_TITLE = 200
EDITABLE = (
    "title",
    "starts_at",
    "ends_at",
    "location",
    "capacity",
    "price_cents",
    "currency",
    "status",
    "waiver_template_id",
    "timezone",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def _check_template(ctx: Context, template_id: str | None) -> None:
    """An event's waiver template must exist (None: the event has no online waiver)."""
    if template_id is not None and ctx.store.get_waiver_template(template_id) is None:
        raise Invalid("No such waiver template.", {"waiver_template_id": template_id})


def _utc(value: datetime, field: str) -> datetime:
    """Times are kept in UTC; one without an offset, or outside the years events can
    have, is refused."""
    rules.check_time_range(value, field)
    if value.tzinfo is None:
        raise Invalid("Times need a UTC offset, e.g. 2026-07-01T09:00:00-04:00.")
    return value.astimezone(UTC)


def get_event(ctx: Context, *, event_id: str) -> Event:
    """The event, or NotFound. Changes nothing."""
    event = ctx.store.get_event(event_id)
    if event is None:
        raise NotFound("No such event.", {"event_id": event_id})
    return event


def create_event(
    ctx: Context,
    *,
    by: CrewMember,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str,
    capacity: int | None,
    price_cents: int,
    currency: str | None,
    waiver_template_id: str | None = None,
    legacy_id: str | None = None,
    timezone: str | None = None,
) -> EventView:
    """Create a scheduled event (admins and captains). Writes an audit entry. ``legacy_id``
    is the event's id in the system it is imported from (kept on the record)."""
    require_manager(by)
    _check_template(ctx, waiver_template_id)
    rules.check_timezone(timezone)
    rules.check_event_times(starts_at, ends_at)
    rules.check_capacity(capacity)
    check_amount(price_cents, allow_zero=True, field="price_cents")
    currency = check_currency(currency or ctx.settings.currency)
    title = clean_line(title, "title", limit=MAX_TITLE)
    location = clean_line(location, "location", limit=MAX_TITLE, required=False)
    now = ctx.now()
    starts_at = _utc(starts_at, "starts_at")
    ends_at = _utc(ends_at, "ends_at") if ends_at else None
    event = Event(
        id=new_id("evt"),
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        capacity=capacity,
        price_cents=price_cents,
        currency=currency,
        status=EventStatus.SCHEDULED,
        created_at=now,
        updated_at=now,
        waiver_template_id=waiver_template_id,
        legacy_id=legacy_id,
        timezone=timezone,
    )
    data = {k: _jsonable(getattr(event, k)) for k in EDITABLE}
    if legacy_id is not None:
        data["legacy_id"] = legacy_id
    ctx.store.add_event(
        event,
        audit.entry(
            ctx,
            actor=actor_of(by),
            action="event.created",
            subject=event.id,
            event_id=event.id,
            data=data,
        ),
    )
    return EventView(event, rules.count([]))


def update_event(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    changes: dict[str, Any],
    close_reason: str = "",
) -> EventView:
    """Change an event's fields (admins and captains). Writes an audit entry with the
    before and after of each changed field. A price change applies to new bookings;
    existing bookings keep the amount they were booked at. Cancelling the event queues, in
    the same write, the message that emails each booked and waitlisted patron once. Marking
    it done while persons are still out (headcount) needs ``close_reason``, which the audit
    entry keeps."""
    require_manager(by)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid("These fields cannot be changed.", {"fields": sorted(unknown)})
    event = get_event(ctx, event_id=event_id)
    for name in ("starts_at", "ends_at"):
        if changes.get(name) is not None:
            changes[name] = _utc(changes[name], name)
    if "currency" in changes:
        changes["currency"] = check_currency(changes["currency"])
    if "status" in changes:
        changes["status"] = EventStatus(changes["status"])
    for name in ("title", "location"):
        if name in changes:
            changes[name] = clean_line(
                str(changes[name]), name, limit=MAX_TITLE, required=name == "title"
            )
    if "price_cents" in changes:
        check_amount(changes["price_cents"], allow_zero=True, field="price_cents")
    if "capacity" in changes:
        rules.check_capacity(changes["capacity"])
    if "waiver_template_id" in changes:
        _check_template(ctx, changes["waiver_template_id"])
    if "timezone" in changes:
        rules.check_timezone(changes["timezone"])
    updated = dataclasses.replace(event, **changes, updated_at=ctx.now())
    rules.check_event_times(updated.starts_at, updated.ends_at)
    diff = {
        k: {"from": _jsonable(getattr(event, k)), "to": _jsonable(getattr(updated, k))}
        for k in changes
        if getattr(event, k) != getattr(updated, k)
    }
    if not diff:
        return event_view(ctx, event_id=event_id)
    cancelled = updated.status == EventStatus.CANCELLED != event.status
    mails = [event_cancelled_message(ctx, event)] if cancelled else []
    if updated.status == EventStatus.DONE and event.status != EventStatus.DONE:
        out = headcount.totals(ctx.store.list_bookings(event_id))[2]
        if out:
            diff["still_out"] = {"count": out, "reason": headcount.close_reason(out, close_reason)}
    ctx.store.update_event(
        updated,
        event.version,
        audit.entry(
            ctx,
            actor=actor_of(by),
            action="event.updated",
            subject=event.id,
            event_id=event.id,
            data=diff,
        ),
        mails,
    )
    ctx.after_commit(mails)
    updated = dataclasses.replace(updated, version=event.version + 1)
    return EventView(updated, rules.count(ctx.store.list_bookings(event_id)))


def event_view(ctx: Context, *, event_id: str) -> EventView:
    """The event with its roster counts, or NotFound. Changes nothing."""
    event = get_event(ctx, event_id=event_id)
    return EventView(event, rules.count(ctx.store.list_bookings(event_id)))


def list_events(ctx: Context, *, with_roster: bool = False) -> list[EventView]:
    """Every event with its roster counts, today's and upcoming first, in two reads; with
    ``with_roster`` also each event's bookings (as the roster shows them, with their receipt
    email status: one more read per event). Changes nothing."""
    now = ctx.now()
    events = ctx.store.list_events()
    upcoming = [
        e for e in events if (e.ends_at or e.starts_at) >= now or e.starts_at.date() == now.date()
    ]
    past = [e for e in events if e not in upcoming]
    ordered = upcoming + sorted(past, key=lambda e: e.starts_at, reverse=True)
    bookings = ctx.store.list_bookings_for_events([e.id for e in ordered])
    if not with_roster:
        return [EventView(e, rules.count(bookings[e.id])) for e in ordered]
    views = []
    for e in ordered:
        emails = receipt_email_status(ctx, event_id=e.id)
        roster = [BookingView(b, emails.get(b.patron_id)) for b in bookings[e.id]]
        views.append(EventView(e, rules.count(bookings[e.id]), roster))
    return views
