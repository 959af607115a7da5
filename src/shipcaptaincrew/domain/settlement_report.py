"""What a cancelled, shifted or rebooked departure's report says: per party what was done
with its booking and money, whether its email went out, and what is still open. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import settlements as rules
from .money import format_money


@dataclass(frozen=True)
class ReportRow:
    patron_id: str
    patron_name: str
    party_size: int
    was: str
    action: str
    state: str
    moved_to: str  # the departure's title
    credited_cents: int
    refunded_cents: int  # recorded as handed back
    requested_cents: int  # asked of the provider
    confirmed_cents: int  # of that, confirmed by the provider's webhook
    carried_cents: int  # paid on the new booking from the party's own money
    email: str  # queued, sent, failed, or "" when none was written
    choice: str
    open_items: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    moved: int = 0
    credited: int = 0
    refunded: int = 0
    kept: int = 0
    credited_cents: int = 0
    refunded_cents: int = 0
    requested_cents: int = 0
    emails_sent: int = 0
    open_items: int = 0


def rows(
    plan: rules.Plan,
    *,
    confirmed: Mapping[str, int],
    emails: Mapping[str, str],
    currency: str,
    handed: Mapping[str, int] | None = None,
) -> list[ReportRow]:
    """One row per party. ``confirmed``: cents refunded of each payment (by payment id);
    ``emails``: the status of each party's settlement email, by patron id; ``handed``:
    cents recorded as handed back on each party's booking (by patron id), all told."""
    out = []
    for s in plan.steps:
        o = s.outcome
        requested = {pid: int(v["cents"]) for pid, v in o.get("requested", {}).items()}
        got = sum(min(confirmed.get(pid, 0), cents) for pid, cents in requested.items())
        items = []
        if s.state == rules.FAILED:
            items.append(f"not done: {s.error}")
        elif s.state == rules.PENDING:
            items.append("not done yet" + (f" ({s.error})" if s.error else ""))
        if got < sum(requested.values()):
            left = format_money(sum(requested.values()) - got, currency)
            items.append(f"refund of {left} not confirmed by the provider")
        if s.state == rules.DONE and emails.get(s.patron_id) != "sent":
            items.append(f"email {emails.get(s.patron_id) or 'missing'}")
        if s.action == rules.MOVE and s.state == rules.DONE and not s.choice:
            items.append("patron has not confirmed the move")
        owed = int(o.get("owed_cents") or 0)
        since = max((handed or {}).get(s.patron_id, 0) - int(o.get("refunded") or 0), 0)
        if s.choice in rules.PATRON_CHOICES and owed > since:
            items.append(f"hand back {format_money(owed - since, currency)}")
        out.append(
            ReportRow(
                patron_id=s.patron_id,
                patron_name=s.patron_name,
                party_size=s.party_size,
                was=s.was,
                action=s.action,
                state=s.state,
                moved_to=str(o.get("moved_to_title", "")),
                credited_cents=int(o.get("credited") or 0),
                refunded_cents=int(o.get("refunded") or 0),
                requested_cents=sum(requested.values()),
                confirmed_cents=got,
                carried_cents=int(o.get("carried") or 0),
                email=emails.get(s.patron_id, ""),
                choice=s.choice,
                open_items=tuple(items),
            )
        )
    return out


def totals(report: Sequence[ReportRow]) -> Totals:
    done = [r for r in report if r.state == rules.DONE]
    return Totals(
        moved=sum(r.action == rules.MOVE for r in done),
        credited=sum(r.action == rules.CREDIT for r in done),
        refunded=sum(r.action == rules.REFUND for r in done),
        kept=sum(r.action == rules.KEEP for r in done),
        credited_cents=sum(r.credited_cents for r in report),
        refunded_cents=sum(r.refunded_cents for r in report),
        requested_cents=sum(r.requested_cents for r in report),
        emails_sent=sum(r.email == "sent" for r in report),
        open_items=sum(len(r.open_items) for r in report),
    )
