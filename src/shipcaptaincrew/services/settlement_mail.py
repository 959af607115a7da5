"""A settlement plan's email to each party, through the outbox.

The message is written with the step it reports (dedup key per plan and party, so a party
never gets two) and built at delivery from the plan and the bookings as they are then.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from ..domain import outbox as ob
from ..domain import settlements as rules
from ..domain.models import Booking, OutboxMessage, new_id
from ..notify import messages as mail
from ..notify.base import SendError
from .context import Context


def settlement_key(plan_id: str, patron_id: str, choice: str = "") -> str:
    """One email per party of a plan, and one more when the patron's own choice (a refund
    instead of credit, cancelling a shifted booking) is carried out."""
    return f"settlement:{plan_id}:{patron_id}" + (f":{choice}" if choice else "")


def settlement_message(
    ctx: Context, *, plan: rules.Plan, booking: Booking, choice: str = ""
) -> OutboxMessage:
    """The party's email of ``plan``, due now. Writes nothing."""
    now = ctx.now()
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=settlement_key(plan.id, booking.patron_id, choice),
        kind=ob.SETTLED,
        to=booking.patron_email,
        payload={"plan_id": plan.id},
        created_at=now,
        next_attempt_at=now,
        event_id=plan.event_id,
        patron_id=booking.patron_id,
    )


def run_message(ctx: Context, *, plan: rules.Plan, delay: timedelta) -> OutboxMessage:
    """The task that finishes ``plan`` if its first run stops: due after ``delay`` (the
    first run happens in the request that confirmed it). Writes nothing."""
    now = ctx.now()
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=f"settlement:{plan.id}:run",
        kind=ob.SETTLEMENT_RUN,
        to="",
        payload={"plan_id": plan.id},
        created_at=now,
        next_attempt_at=now + delay,
        event_id=plan.event_id,
    )


def _when(ctx: Context, at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(ctx.settings.timezone))
    return local.strftime("%A %d %B %Y, %H:%M ") + (local.tzname() or "")


def build_settlement_email(ctx: Context, message: OutboxMessage) -> EmailMessage:
    """The MIME message for a party's settlement email. Changes nothing."""
    event_id, patron_id = message.event_id or "", message.patron_id or ""
    plan = ctx.store.get_plan(event_id, str(message.payload.get("plan_id")))
    booking = ctx.store.get_booking(event_id, patron_id)
    event = ctx.store.get_event(event_id)
    step = plan.step(patron_id) if plan else None
    if plan is None or step is None or booking is None or event is None:
        raise SendError("The plan of this message does not exist", permanent=True)
    out = step.outcome
    token = booking.guest_token  # its page shows what happened and the choices left
    new_date = (
        _when(ctx, plan.new_starts_at)
        if plan.kind == rules.SHIFT
        else _when(ctx, datetime.fromisoformat(out["moved_to_starts_at"]))
        if "moved_to_starts_at" in out
        else ""
    )
    expires = out.get("credit_expires_at")
    amounts = {
        k: int(out.get(k) or 0)
        for k in ("credited", "refunded", "requested_cents", "carried", "amount_due")
    }
    return mail.compose_settlement(
        mail.SettlementEmail(
            to=message.to,
            patron_name=booking.patron_name,
            org_name=ctx.settings.org_name,
            plan_kind=plan.kind,
            action=step.action,
            event_title=event.title,
            event_date=_when(ctx, plan.old_starts_at or event.starts_at),
            reason=plan.reason,
            message=plan.message,
            new_title=str(out.get("moved_to_title", "")),
            new_date=new_date,
            amounts=amounts,
            currency=booking.currency,
            credit_expires=_when(ctx, datetime.fromisoformat(expires)) if expires else "",
            guest_url=f"{ctx.settings.public_url}/g/{token}",
            can_ask_refund=plan.allow_refund_request and step.action == rules.CREDIT,
            mail_from=ctx.settings.mail_from,
            reply_to=ctx.settings.mail_reply_to,
            message_id=message.id,
            created_at=message.created_at,
        )
    )
