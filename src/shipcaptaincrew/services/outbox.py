"""Patron emails through the transactional outbox.

A use case that causes an email builds its OutboxMessage with ``payment_message``
and hands it to the store write that records the change, so the message exists
exactly when the change does. After the commit ``ctx.after_commit`` may deliver it
at once; ``deliver_due`` (``scc outbox run``, the scheduled Lambda, the web app's
background thread) delivers whatever is due, retrying with backoff and giving up
after ``MAX_ATTEMPTS`` with the last error kept.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from ..domain import outbox as ob
from ..domain.errors import Conflict, Forbidden, NotFound
from ..domain.models import (
    SYSTEM,
    Actor,
    ActorKind,
    Booking,
    CrewMember,
    OutboxMessage,
    Payment,
    Role,
    new_id,
)
from ..notify.base import Sender, SendError
from ..notify.messages import PayLinkEmail, PaymentEmail, compose, compose_pay_link
from . import audit, booking_mail
from .access import actor_of
from .context import Context
from .receipts import receipt_data, render
from .seats import seat_link_email
from .settlement_mail import build_settlement_email

log = logging.getLogger("shipcaptaincrew.outbox")


def payment_message(
    ctx: Context, *, payment: Payment, booking: Booking, kind: str
) -> OutboxMessage:
    """The receipt (or, for ``ob.VOID``, correction) email for a payment, due now.
    Writes nothing: pass it to the store write that records the payment."""
    now = ctx.now()
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=ob.dedup_key(payment.id, kind),
        kind=kind,
        to=booking.patron_email,
        payload={
            "payment_id": payment.id,
            "balance_cents": booking.balance_cents,
            "waived_cents": booking.waived_cents,
        },
        created_at=now,
        next_attempt_at=now,
        event_id=payment.event_id,
        patron_id=payment.patron_id,
    )


def build_email(ctx: Context, message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox message, from the current records: one builder per
    kind. Changes nothing."""
    builder = BUILDERS.get(message.kind)
    if builder is None:
        raise SendError(f"Unknown message kind {message.kind!r}", permanent=True)
    return builder(ctx, message)


def build_payment_email(ctx: Context, message: OutboxMessage) -> EmailMessage:
    """A receipt or its correction, from the payment as it is now. Changes nothing."""
    found = ctx.store.get_receipt_records(str(message.payload.get("payment_id")))
    if found is None:
        raise SendError("The payment of this message does not exist", permanent=True)
    payment, booking, event = found
    try:
        # read once: the receipt and the link (a missing booking or event is looked up
        # again by receipt_data, whose NotFound says which)
        data = receipt_data(ctx, payment, booking, event)
    except NotFound as err:
        raise SendError(err.message, permanent=True) from None
    token = booking.guest_token if booking else ""
    mail = PaymentEmail(
        receipt=dataclasses.replace(data, patron_email=message.to),
        balance_cents=int(message.payload.get("balance_cents", 0)),
        waived_cents=int(message.payload.get("waived_cents", 0)),
        guest_url=f"{ctx.settings.public_url}/g/{token}",
        mail_from=ctx.settings.mail_from,
        reply_to=ctx.settings.mail_reply_to,
        message_id=message.id,
        created_at=message.created_at,
        void=message.kind == ob.VOID,
    )
    return compose(mail, render(ctx, data))


def _pay_link(ctx: Context, message: OutboxMessage) -> EmailMessage:
    booking = ctx.store.get_booking(str(message.event_id), str(message.patron_id))
    event = ctx.store.get_event(str(message.event_id))
    if booking is None or event is None:
        raise SendError("The booking of this pay link does not exist", permanent=True)
    return compose_pay_link(
        PayLinkEmail(
            to=message.to,
            patron_name=booking.patron_name,
            org_name=ctx.settings.org_name,
            event_title=event.title,
            balance_cents=int(message.payload.get("balance_cents", 0)),
            currency=booking.currency,
            guest_url=f"{ctx.settings.public_url}/g/{booking.guest_token}",
            mail_from=ctx.settings.mail_from,
            reply_to=ctx.settings.mail_reply_to,
            message_id=message.id,
            created_at=message.created_at,
        )
    )


BUILDERS: dict[str, Callable[[Context, OutboxMessage], EmailMessage]] = {
    ob.RECEIPT: build_payment_email,
    ob.VOID: build_payment_email,
    ob.SEAT_LINK: seat_link_email,
    ob.PAY_LINK: _pay_link,
    **{kind: booking_mail.build_booking_email for kind in ob.BOOKING_KINDS},
    ob.SETTLED: build_settlement_email,
}


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    lost: int = 0  # our lease ran out and another worker took the message over


def _attempt(ctx: Context, sender: Sender, m: OutboxMessage) -> tuple[OutboxMessage, str]:
    """Try one claimed message; return its new state and the audit action. A fan-out
    message is not sent: delivering it queues the emails it stands for."""
    try:
        if m.kind == ob.EVENT_CANCELLED_ALL:
            booking_mail.expand(ctx, m)
        elif m.kind == ob.SETTLEMENT_RUN:
            from .settlements import resume

            resume(ctx, m)
        else:
            sender.send(build_email(ctx, m))
    except SendError as err:
        error, permanent = str(err), err.permanent
    except Exception as err:  # a bug must not stop the other messages; keep it visible
        # The error text can name the recipient: the log gets its type (the traceback only
        # at debug level); the message's last_error keeps the text for admins.
        log.error("building or sending outbox message %s failed: %s", m.id, type(err).__name__)
        log.debug("outbox message %s", m.id, exc_info=True)
        error, permanent = ob.short_error(f"{type(err).__name__}: {err}"), False
    else:
        now = ctx.now()
        return dataclasses.replace(m, status=ob.SENT, sent_at=now, last_error=None), "email.sent"
    now = ctx.now()
    retry_at = None if permanent else ob.next_attempt(m.attempts, now)
    if retry_at is None:
        return dataclasses.replace(m, status=ob.FAILED, last_error=error), "email.failed"
    queued = dataclasses.replace(m, status=ob.QUEUED, next_attempt_at=retry_at, last_error=error)
    return queued, "email.deferred"


def deliver_due(
    ctx: Context,
    sender: Sender,
    *,
    now: datetime | None = None,
    limit: int = 100,
    ids: Sequence[str] | None = None,
) -> DeliveryReport:
    """Claim up to ``limit`` due messages (only ``ids`` when given) and send each one.
    Each outcome is stored with an audit entry by the system: ``email.sent``,
    ``email.deferred`` (retry later with backoff) or ``email.failed`` (gave up)."""
    now = now or ctx.now()
    claimed = ctx.store.claim_outbox(now=now, lease_until=now + ob.LEASE, limit=limit, ids=ids)
    report = DeliveryReport(claimed=len(claimed))
    try:
        for m in claimed:
            done, action = _attempt(ctx, sender, m)
            entry = audit.entry(
                ctx,
                actor=SYSTEM,
                action=action,
                subject=m.id,
                event_id=m.event_id,
                patron_id=m.patron_id,
                data={"kind": m.kind, "attempts": m.attempts, "error": done.last_error},
            )
            if not ctx.store.finish_outbox(done, entry):
                report.lost += 1
                log.warning("outbox message %s was taken over by another worker", m.id)
            elif done.status == ob.SENT:
                report.sent += 1
            elif done.status == ob.FAILED:
                report.failed += 1
                log.warning(
                    "outbox message %s failed after %d attempts (its last error is in "
                    "GET /api/outbox)",
                    m.id,
                    m.attempts,
                )
            else:
                report.retrying += 1
    finally:
        sender.close()
    return report


def require_admin(crew: CrewMember) -> None:
    if crew.role != Role.ADMIN:
        raise Forbidden("Only an admin can see the outbox.", {"role": crew.role.value})


def list_messages(
    ctx: Context, *, by: CrewMember, status: str | None = None, limit: int = 200
) -> list[OutboxMessage]:
    """The outbox, newest first (admins). Changes nothing."""
    require_admin(by)
    return ctx.store.list_outbox(status=status, limit=limit)


CLI = Actor(ActorKind.SYSTEM, "cli", "Command line")


def retry(ctx: Context, *, by: CrewMember | None, message_id: str) -> OutboxMessage:
    """Queue a failed (or waiting) message for delivery now with a fresh set of attempts
    (admins; ``by`` None is the operator at the command line). A sent message is never sent
    again (Conflict). Writes an audit entry."""
    if by is not None:
        require_admin(by)
    actor = actor_of(by) if by is not None else CLI
    entry = audit.entry(ctx, actor=actor, action="email.requeued", subject=message_id, data={})
    message = ctx.store.get_outbox(message_id)
    if message is None:
        raise NotFound("No such outbox message.", {"message_id": message_id})
    entry = dataclasses.replace(entry, event_id=message.event_id, patron_id=message.patron_id)
    queued = ctx.store.requeue_outbox(message_id, now=ctx.now(), audit=entry)
    if queued is None:
        raise Conflict(
            f"This message is {ob.crew_status(message.status)}; only failed or queued "
            "messages can be retried.",
            {"message_id": message_id, "status": message.status},
        )
    return queued
