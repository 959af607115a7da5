"""Patron emails as MIME messages: Jinja2 templates (plain text and HTML) plus the receipt
PDF or, for booking emails, an .ics calendar entry (icalendar).

Pure: data in, ``EmailMessage`` out. HTML templates autoescape, so text a patron
typed (a name with markup in it) arrives as text. Header values are folded to
one line, so nothing typed can add a header. Jinja2 and the templates load on the
first email, not on import: a Lambda cold start that serves a request never needs them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import Policy, default
from email.utils import format_datetime, formataddr
from email.utils import parseaddr as _parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from ..domain.money import format_money
from ..receipts.pdf import ReceiptData

if TYPE_CHECKING:
    from jinja2 import Environment


@functools.cache
def _env() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


class _FoldedOnce(BaseHeader):
    """A header that keeps what it folds to: folding reads only the header (never changed
    in place) and the policy's line length, line ending and ``utf8``, and a header shared
    between messages (``_Headers``) is otherwise folded again for every message sent."""

    def fold(self, *, policy: Policy) -> str:
        key = (policy.max_line_length, policy.linesep, getattr(policy, "utf8", False))
        folds: dict[tuple[object, ...], str] = self.__dict__.setdefault("_folds", {})
        folded = folds.get(key)
        if folded is None:
            folded = folds[key] = super().fold(policy=policy)
        return folded


class _Headers(HeaderRegistry):
    """The standard library's header registry, made cheaper for a process that composes
    many messages of one shape: each header class is made once (the standard registry
    makes a new class for every header it parses), and the headers that repeat from
    message to message (MIME-Version, the content types and encodings, From, Reply-To)
    are parsed once and shared. Header objects are never changed in place (a message
    replaces a header to change it), so sharing one is safe."""

    def __init__(self) -> None:
        super().__init__(base_class=_FoldedOnce)
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed = functools.lru_cache(maxsize=128)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: str) -> BaseHeader:
        return self._parsed(name, value)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=64)
def parseaddr(text: str) -> tuple[str, str]:
    """``email.utils.parseaddr``, kept: the sender and reply-to addresses are the same
    settings in every message."""
    return _parseaddr(text)


# The default policy (what EmailMessage() uses) with that registry: the same headers, bytes.
POLICY = default.clone(header_factory=_Headers())


@dataclass(frozen=True)
class PaymentEmail:
    """What a payment confirmation or correction says."""

    receipt: ReceiptData
    balance_cents: int
    guest_url: str
    mail_from: str
    reply_to: str
    message_id: str  # the outbox message id: the same message always has the same Message-ID
    created_at: datetime
    void: bool = False
    waived_cents: int = 0  # what a comp waived


def _line(text: str) -> str:
    return " ".join(text.split())


def subject(mail: PaymentEmail) -> str:
    r = mail.receipt
    if mail.void:
        return _line(f"Correction: payment voided, receipt {r.receipt_no} for {r.event_title}")
    if r.amount_cents < 0:
        return _line(f"Refund: receipt {r.receipt_no} for {r.event_title}")
    return _line(f"Payment received: receipt {r.receipt_no} for {r.event_title}")


def compose(mail: PaymentEmail, pdf: bytes) -> EmailMessage:
    r = mail.receipt
    tz = ZoneInfo(r.timezone)
    values = {
        "org_name": r.org_name,
        "patron_name": r.patron_name,
        "event_title": r.event_title,
        "event_date": r.event_starts_at.astimezone(tz).strftime("%A %d %B %Y, %H:%M"),
        "amount": format_money(abs(r.amount_cents), r.currency),
        "method": r.method,
        "reference": r.reference,
        "receipt_no": r.receipt_no,
        "balance": format_money(mail.balance_cents, r.currency),
        "balance_cents": mail.balance_cents,
        "waived": format_money(mail.waived_cents, r.currency),
        "waived_cents": mail.waived_cents,
        "guest_url": mail.guest_url,
        "reply_to": parseaddr(mail.reply_to)[1],
        "void_reason": r.void_reason or "",
    }
    name = "void" if mail.void else "refund" if r.amount_cents < 0 else "receipt"
    msg = _envelope(mail, subject(mail), r.patron_name, r.patron_email, name, values)
    suffix = "-void" if mail.void else ""
    msg.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=f"receipt-{r.receipt_no}{suffix}.pdf"
    )
    return _fix_boundaries(msg, mail.message_id)


class _Envelope(Protocol):
    @property
    def mail_from(self) -> str: ...
    @property
    def reply_to(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


def _envelope(
    mail: _Envelope,
    subject: str,
    name: str,
    email: str,
    template: str,
    values: dict[str, Any],
    *,
    html: bool = True,
) -> EmailMessage:
    """The headers and the text (and, with ``html``, HTML) bodies from ``template``.txt/.html."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    msg["From"] = mail.mail_from
    msg["To"] = formataddr((_line(name), email))
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(mail.mail_from)[1].rpartition("@")[2] or "shipcaptaincrew.invalid"
    msg["Message-ID"] = f"<{mail.message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_env().get_template(f"{template}.txt").render(values))
    if html:
        msg.add_alternative(_env().get_template(f"{template}.html").render(values), subtype="html")
    return msg


def _fix_boundaries(msg: EmailMessage, message_id: str) -> EmailMessage:
    """Fixed boundaries: the same message always flattens to the same bytes, whichever
    sender sends it. "=_" never occurs in base64 or quoted-printable bodies, so the
    boundaries are the same in every message (``=_scc_0``, ``=_scc_1``): their
    Content-Type headers then repeat from message to message and are parsed and folded
    once (``_Headers``), where a boundary of each message's own cost two parses of about
    0.1 ms. A text sent as it is (7bit) that holds "=_" (typed by someone) gets
    boundaries from the message id instead, which nobody knows before it is sent."""
    parts = list(msg.walk())
    shared = not any("=_" in p.get_payload() for p in parts if not p.is_multipart())
    name = "=_scc_{}" if shared else f"=_{message_id}_{{}}"
    for i, part in enumerate(p for p in parts if p.is_multipart()):
        part.set_boundary(name.format(i))
    return msg


# Booking emails: what each kind says first (the templates add the details).
BOOKED = "booked"
WAITLISTED = "waitlisted"
CANCELLED = "cancelled"
EVENT_CANCELLED = "event_cancelled"
LINK = "link"
REMINDER = "reminder"
_SUBJECTS = {
    BOOKED: "You're booked: {title}, {date}",
    WAITLISTED: "You're on the waitlist: {title}, {date}",
    CANCELLED: "Booking cancelled: {title}, {date}",
    EVENT_CANCELLED: "Event cancelled: {title}, {date}",
    LINK: "Your booking: {title}, {date}",
    REMINDER: "Reminder: {title}, {date}",
}
KINDS = tuple(_SUBJECTS)
# Kinds that carry the event in the patron's calendar (a cancellation removes it).
_CALENDAR = (BOOKED, LINK, REMINDER, CANCELLED, EVENT_CANCELLED)


@dataclass(frozen=True)
class BookingEmail:
    """What a booking, waitlist, cancellation, guest link or reminder email says."""

    kind: str  # one of KINDS
    org_name: str
    patron_name: str
    patron_email: str
    event_id: str
    event_title: str
    starts_at: datetime  # UTC
    ends_at: datetime | None
    location: str
    timezone: str  # SCC_TIMEZONE
    party_size: int
    amount_due_cents: int
    balance_cents: int
    currency: str
    guest_url: str
    waiver_needed: bool
    mail_from: str
    reply_to: str
    message_id: str
    created_at: datetime
    missing: tuple[str, ...] = ()  # a reminder: "waiver", "balance"
    event_timezone: str | None = None  # the event's own, when it has one


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return local.strftime("%A %d %B %Y, %H:%M ") + (local.tzname() or tz)


def ics(mail: BookingEmail) -> bytes:
    """The event as an iCalendar entry (UTC times). A cancellation cancels the same UID."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    cancelled = mail.kind in (CANCELLED, EVENT_CANCELLED)
    cal = Calendar()
    cal.add("prodid", "-//ShipCaptainCrew//Booking//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = CalendarEvent()
    domain = parseaddr(mail.mail_from)[1].rpartition("@")[2] or "shipcaptaincrew.invalid"
    event.add("uid", f"{mail.event_id}@{domain}")
    event.add("dtstamp", mail.created_at)
    event.add("dtstart", mail.starts_at)
    event.add("dtend", mail.ends_at or mail.starts_at + timedelta(hours=2))
    event.add("summary", _line(mail.event_title))
    if mail.location:
        event.add("location", _line(mail.location))
    event.add("description", f"Your booking: {mail.guest_url}")
    event.add("url", mail.guest_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", 1 if cancelled else 0)
    cal.add_component(event)
    return cal.to_ical()


def booking_subject(mail: BookingEmail) -> str:
    date = mail.starts_at.astimezone(ZoneInfo(mail.timezone)).strftime("%a %d %b %H:%M")
    return _line(_SUBJECTS[mail.kind].format(title=mail.event_title, date=date))


def compose_booking(mail: BookingEmail) -> EmailMessage:
    values = {
        "kind": mail.kind,
        "org_name": mail.org_name,
        "patron_name": mail.patron_name,
        "event_title": mail.event_title,
        "event_date": _when(mail.starts_at, mail.timezone),
        "event_local": (
            _when(mail.starts_at, mail.event_timezone)
            if mail.event_timezone and mail.event_timezone != mail.timezone
            else ""
        ),
        "location": mail.location,
        "party_size": mail.party_size,
        "amount_due": format_money(mail.amount_due_cents, mail.currency),
        "balance": format_money(mail.balance_cents, mail.currency),
        "balance_cents": mail.balance_cents,
        "guest_url": mail.guest_url,
        "waiver_needed": mail.waiver_needed,
        "missing": mail.missing,
        "reply_to": parseaddr(mail.reply_to)[1],
    }
    msg = _envelope(
        mail, booking_subject(mail), mail.patron_name, mail.patron_email, "booking", values
    )
    if mail.kind in _CALENDAR:
        msg.add_attachment(
            ics(mail).decode(),
            subtype="calendar",
            filename="event.ics",
            params={"method": "CANCEL" if mail.kind in (CANCELLED, EVENT_CANCELLED) else "PUBLISH"},
        )
    return _fix_boundaries(msg, mail.message_id)


@dataclass(frozen=True)
class SeatLinkEmail:
    """One person's own waiver signing link, sent when the booker asks for it."""

    org_name: str
    to_name: str
    to_email: str
    booker_name: str
    event_title: str
    event_date: str  # already formatted in the organisation's time zone
    link: str
    mail_from: str
    reply_to: str
    message_id: str
    created_at: datetime


def compose_seat_link(mail: SeatLinkEmail) -> EmailMessage:
    """A plain-text email with the person's signing link."""
    values = {k: getattr(mail, k) for k in ("org_name", "to_name", "booker_name", "link")}
    values |= {"event_title": mail.event_title, "event_date": mail.event_date}
    subject = _line(f"Please sign your waiver for {mail.event_title}")
    return _envelope(mail, subject, mail.to_name, mail.to_email, "seat_link", values, html=False)


@dataclass(frozen=True)
class PayLinkEmail:
    """Crew sent the patron the link to pay their balance online."""

    to: str
    patron_name: str
    org_name: str
    event_title: str
    balance_cents: int
    currency: str
    guest_url: str
    mail_from: str
    reply_to: str
    message_id: str
    created_at: datetime


def compose_pay_link(mail: PayLinkEmail) -> EmailMessage:
    values = {
        "patron_name": mail.patron_name,
        "org_name": mail.org_name,
        "event_title": mail.event_title,
        "balance": format_money(mail.balance_cents, mail.currency),
        "guest_url": mail.guest_url,
        "reply_to": parseaddr(mail.reply_to)[1],
    }
    subject = _line(f"Pay online for {mail.event_title}")
    msg = _envelope(mail, subject, mail.patron_name, mail.to, "pay_link", values)
    return _fix_boundaries(msg, mail.message_id)


@dataclass(frozen=True)
class SettlementEmail:
    """What a cancelled, shifted or rebooked departure means for one party: the one email
    the party gets when its step of the plan is done."""

    to: str
    patron_name: str
    org_name: str
    plan_kind: str  # cancel, shift, rebook
    action: str  # move, credit, refund, keep
    event_title: str
    event_date: str  # formatted in the organisation's time zone
    reason: str
    message: str  # the operator's words to patrons
    new_title: str  # move: the departure now booked
    new_date: str  # move and shift: its time
    amounts: dict[str, int]  # credited, refunded, requested_cents, carried, amount_due
    currency: str
    credit_expires: str  # formatted, "" when no credit was issued
    guest_url: str  # the booking the party now holds (or the cancelled one)
    can_ask_refund: bool
    mail_from: str
    reply_to: str
    message_id: str
    created_at: datetime


def compose_settlement(mail: SettlementEmail) -> EmailMessage:
    """A plain-text email saying what happened to the booking and the money."""
    values: dict[str, Any] = {
        k: getattr(mail, k)
        for k in (
            "patron_name",
            "org_name",
            "plan_kind",
            "action",
            "event_title",
            "event_date",
            "reason",
            "message",
            "new_title",
            "new_date",
            "credit_expires",
            "guest_url",
            "can_ask_refund",
        )
    }
    values["money"] = {k: format_money(v, mail.currency) for k, v in mail.amounts.items()}
    values["cents"] = mail.amounts
    values["reply_to"] = parseaddr(mail.reply_to)[1]
    if mail.plan_kind == "shift":
        subject = f"New time: {mail.event_title}, {mail.new_date}"
    elif mail.action == "move":
        subject = f"Moved: {mail.event_title} to {mail.new_title}, {mail.new_date}"
    else:
        subject = f"Cancelled: {mail.event_title}, {mail.event_date}"
    msg = _envelope(
        mail, _line(subject), mail.patron_name, mail.to, "settlement", values, html=False
    )
    return _fix_boundaries(msg, mail.message_id)
