"""Patron emails as MIME messages: Jinja2 templates (plain text and HTML) plus the PDF.

Pure: data in, ``EmailMessage`` out. HTML templates autoescape, so text a patron
typed (a name with markup in it) arrives as text. Header values are folded to
one line, so nothing typed can add a header. Jinja2 and the templates load on the
first email, not on import: a Lambda cold start that serves a request never needs them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING
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
    text = _env().get_template(f"{name}.txt").render(values)
    html = _env().get_template(f"{name}.html").render(values)

    msg = EmailMessage()
    msg["Subject"] = subject(mail)
    msg["From"] = mail.mail_from
    msg["To"] = formataddr((_line(r.patron_name), r.patron_email))
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(mail.mail_from)[1].rpartition("@")[2] or "shipcaptaincrew.invalid"
    msg["Message-ID"] = f"<{mail.message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    suffix = "-void" if mail.void else ""
    msg.add_attachment(
        pdf, maintype="application", subtype="pdf", filename=f"receipt-{r.receipt_no}{suffix}.pdf"
    )
    # Fixed boundaries: the same message always flattens to the same bytes, whichever
    # sender sends it. "=_" never occurs in base64 or quoted-printable bodies.
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_{mail.message_id}_{i}")
    return msg


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
    msg = EmailMessage()
    msg["Subject"] = _line(f"Please sign your waiver for {mail.event_title}")
    msg["From"] = mail.mail_from
    msg["To"] = formataddr((_line(mail.to_name), mail.to_email))
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(mail.mail_from)[1].rpartition("@")[2] or "shipcaptaincrew.invalid"
    msg["Message-ID"] = f"<{mail.message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_env().get_template("seat_link.txt").render(values))
    return msg


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
    msg = EmailMessage()
    msg["Subject"] = _line(f"Pay online for {mail.event_title}")
    msg["From"] = mail.mail_from
    msg["To"] = formataddr((_line(mail.patron_name), mail.to))
    if mail.reply_to:
        msg["Reply-To"] = mail.reply_to
    msg["Date"] = format_datetime(mail.created_at)
    domain = parseaddr(mail.mail_from)[1].rpartition("@")[2] or "shipcaptaincrew.invalid"
    msg["Message-ID"] = f"<{mail.message_id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_env().get_template("pay_link.txt").render(values))
    msg.add_alternative(_env().get_template("pay_link.html").render(values), subtype="html")
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_{mail.message_id}_{i}")
    return msg
