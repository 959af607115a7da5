"""The Store on DynamoDB: one table, every write one conditional TransactWriteItems.

Selected by ``SCC_DATABASE_URL=dynamodb://TABLE?region=eu-west-1&endpoint_url=...``.

Key design (all keys are strings; ``doc`` holds the record as JSON; GSI1 and GSI2 are
overloaded indexes on ``GSI1PK/GSI1SK`` and ``GSI2PK/GSI2SK``)::

    item             PK                    SK                       GSI1PK -> GSI1SK
    event            EVENT#{event_id}      EVENT                    EVENTS -> {starts_utc}#{id}
    booking          EVENT#{event_id}      BOOKING#{patron_id}      TOKEN#{guest_token} -> BOOKING
    payment          EVENT#{event_id}      PAYMENT#{patron}#{id}    PAYMENT#{id} -> PAYMENT
    patron           PATRON#{patron_id}    PATRON
    crew member      CREW                  CREW#{crew_id}
    unique value     {KIND}#{value}        UNIQUE   (ref_pk/ref_sk point at the owning item;
                     KIND: CREWEMAIL, PATRONEMAIL, IDEMPOTENCY, OUTBOXKEY)
    session          SESSION#{hash}        SESSION                  SESSIONS#{crew_id} ->
                                                                      {created_utc}#{hash}
                                                                    (TTL attribute ``expires``)
    guess counter    LOGINTRY#{scope}      {key}#{window:012d}      (``n``: places taken; TTL)
    audit entry      AUDIT                 {write_ns}#{id}          AUDIT#EVENT#{id} -> SK
                                                                    GSI2: AUDIT#PATRON#{id} -> SK
    outbox message   OUTBOX                MSG#{id}                 OUTBOX#{status} -> {due}#{id}
                                                                    GSI2: OUTBOX#EVENT#{id} -> id
                     (top-level ``head``: id|status|kind|created|patron, its status read
                     without its doc; a message stored before heads existed has none)
    receipt counter  COUNTER               receipt  (attribute ``n``: last number issued)
    kiosk            EVENT#{event_id}      KIOSK#{kiosk_id}         KIOSK#{token_hash} -> KIOSK
                     (top-level ``live`` while not revoked: the revoke's condition)
    reminder mark    EVENT#{event_id}      REMINDED#{minutes:06d}   (a reminder window handled)
    provider txn     PTXN#{parent_ref}     TXN#{id}                 PTXNS -> {received}#{id}
    cash count       EVENT#{event_id}      CASHCOUNT#{entered}#{id}
    cash-up close    EVENT#{event_id}      CASHCLOSE   (each count's transaction checks it)
    credit entry     PATRON#{patron_id}    CREDIT#{seq:08d}
    credit ledger    PATRON#{patron_id}    CREDITS     (every entry again, for BatchGetItem)
    settlement plan  EVENT#{event_id}      PLAN#{plan_id}

A booking's seats (``Booking.seats``) are part of its ``doc``: a seat is signed in the same
transaction as its signature item, with the booking's version as the condition.

Sign-in guesses: each counter is one item per (scope, key, window); a guess is an ``ADD n 1``
conditioned on ``n < limit`` for every counter in one transaction, so parallel guesses never
pass the limit. A member's sessions are listed through GSI1 (eventually consistent; sessions
written before the index attributes existed are not listed, and expire).

Access paths: a roster is one Query (``PK=EVENT#id, SK begins_with BOOKING#``); a booking's
payments are one Query under the same partition, read strongly consistent because the
services settle a booking from its payment history. Lookups by guest token and payment id go
through GSI1 for the key, then a consistent GetItem. Unique values (emails, idempotency keys,
outbox dedup keys) are their own items written with ``attribute_not_exists`` in the same
transaction as their owner, so they hold under concurrent Lambdas. Nothing on a request path
scans. Lists through a GSI (events, audit by event/patron) are eventually consistent. The
reminder sweep finds events by start time with a range Query of GSI1 (``EVENTS``, sort key
between two times) and reads the marks of each of those events under its own partition
(``SK begins_with REMINDED#``), never their bookings until a window opens.

Concurrency: bookings and events carry ``version`` (the expected version is a condition).
An event item keeps ``places`` (the party sizes of its booked bookings) and each booking keeps
``held`` (its share of it), so ``add_booking`` decides booked vs waitlisted with a condition on
``places`` and a booking whose status or party size changes moves ``places`` in the same
transaction. Receipt numbers: the counter is read (by ``get_payment_state``, which logging a
payment reads first, else by the write), then set with ``n = :read`` in the payment
transaction; a concurrent payment cancels it and it is retried from a fresh read, so numbers
are sequential and never reused. Logging a payment is two reads (``get_payment_state``) and
one ``TransactWriteItems``.

A refund is a payment item (negative amount, ``refund_of``): it takes the booking's version
condition like any payment, so two refunds racing on one booking cannot both land.

Limit: a transaction holds at most 100 items. A payment takes 3 (booking, payment, audit
entry), 4 with an idempotency key, plus the counter and outbox messages: a batch larger than
that (about 24 payments) is refused with ``Invalid`` rather than split, because a split batch
would no longer be all-or-nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..domain import bookings as rules
from ..domain import outbox as ob
from ..domain import refusals
from ..domain.errors import Invalid
from ..domain.models import (
    AuditEntry,
    Booking,
    CrewMember,
    Event,
    OutboxMessage,
    Patron,
    Payment,
    Session,
)
from .base import PaymentWrite
from .dynamo_accounts import DynamoAccounts, session_item
from .dynamo_base import Check, _raiser
from .dynamo_cashup import DynamoCashup
from .dynamo_items import (
    COUNTER_KEY,
    CREW_PK,
    N,
    S,
    booking_key,
    encode,
    event_key,
    payment_key,
    single_key,
    sort_time,
)
from .dynamo_kiosks import DynamoKiosks
from .dynamo_mail import DynamoMail
from .dynamo_outbox import DynamoOutbox
from .dynamo_payment_state import DynamoPaymentState
from .dynamo_providers import DynamoProviders
from .dynamo_settlements import DynamoSettlements
from .dynamo_waivers import DynamoWaivers


class DynamoStore(
    DynamoAccounts,
    DynamoOutbox,
    DynamoMail,
    DynamoWaivers,
    DynamoKiosks,
    DynamoProviders,
    DynamoCashup,
    DynamoSettlements,
    DynamoPaymentState,
):
    """Plumbing in ``dynamo_base.py``, reads in ``dynamo_reads.py`` and (logging a payment,
    a receipt) ``dynamo_payment_state.py``; account, outbox, booking email and reminder,
    waiver, kiosk, provider and cash-up writes in ``dynamo_accounts.py``, ``dynamo_outbox.py``,
    ``dynamo_mail.py``, ``dynamo_waivers.py``, ``dynamo_kiosks.py``, ``dynamo_providers.py``
    and ``dynamo_cashup.py``; credits and settlement plans in ``dynamo_settlements.py``."""

    @classmethod
    def from_url(cls, url: str) -> DynamoStore:
        """``dynamodb://TABLE?region=...&endpoint_url=...``"""
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.netloc:
            raise Invalid("The DynamoDB URL needs a table name: dynamodb://TABLE")
        return cls(parts.netloc, region=query.get("region"), endpoint_url=query.get("endpoint_url"))

    # -- crew and sessions ----------------------------------------------------------------------
    def add_crew(self, member: CrewMember, audit: AuditEntry) -> None:
        item = {"PK": S(CREW_PK), "SK": S(f"CREW#{member.id}"), "doc": encode(member)}
        dup = refusals.crew_email_taken(member.email)
        self._commit(
            lambda _held: [
                (self._put_new(item), _raiser(dup)),
                (self._unique("CREWEMAIL", member.email, item), _raiser(dup)),
                (self._audit_put(audit), None),
            ]
        )

    def add_session(self, session: Session, audit: AuditEntry) -> None:
        item = session_item(session)
        self._commit(
            lambda _h: [(self._op("Put", Item=item), None), (self._audit_put(audit), None)]
        )

    def delete_session(self, token_hash: str, audit: AuditEntry) -> None:
        delete = self._op("Delete", Key=single_key("SESSION", token_hash))
        self._commit(lambda _h: [(delete, None), (self._audit_put(audit), None)])

    # -- events -----------------------------------------------------------------------------
    def add_event(self, event: Event, audit: AuditEntry) -> None:
        item = {
            **event_key(event.id),
            "GSI1PK": S("EVENTS"),
            "GSI1SK": S(f"{sort_time(event.starts_at)}#{event.id}"),
            "version": N(event.version),
            "places": N(0),
            "doc": encode(event),
        }
        dup = refusals.event_id_taken(event.id)
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def update_event(
        self,
        event: Event,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        event_op = self._event_op(event, expected_version)  # conditional on the version
        self._commit(
            lambda _h: [event_op, (self._audit_put(audit), None), *self._outbox_puts(outbox)]
        )

    # -- patrons and bookings -------------------------------------------------------------------
    def add_booking(
        self,
        *,
        patron: Patron,
        new_patron: bool,
        booking: Booking,
        capacity: int | None,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> Booking:
        result: list[Booking] = []
        dup = refusals.patron_already_booked(patron.id, patron.email)
        missing = refusals.no_such_event(booking.event_id)

        def event_check() -> None:
            if self._get(event_key(booking.event_id)) is None:
                raise missing

        def build(_held: dict[Any, int]) -> list[tuple[dict, Check | None]]:
            places = self._places_booked(booking.event_id)
            stored, entry = rules.admit(booking, audit, capacity=capacity, places_booked=places)
            result[:] = [stored]
            held = rules.places_held(stored)
            # The decision holds only while places is what was read.
            guard = self._op(
                "Update" if held else "ConditionCheck",
                "places = :read",
                Key=event_key(booking.event_id),
                ExpressionAttributeValues={":read": N(places)} | ({":n": N(held)} if held else {}),
                **({"UpdateExpression": "SET places = places + :n"} if held else {}),
            )
            b_item = {
                **booking_key(booking.event_id, booking.patron_id),
                "GSI1PK": S(f"TOKEN#{booking.guest_token}"),
                "GSI1SK": S("BOOKING"),
                "version": N(stored.version),
                "held": N(held),
                "doc": encode(stored),
            }
            ops: list[tuple[dict, Check | None]] = [
                (guard, event_check),
                (self._put_new(b_item), _raiser(dup)),
                (self._audit_put(entry), None),
                *self._outbox_puts([ob.admitted(m, stored) for m in outbox]),
            ]
            if new_patron:
                p_item = {**single_key("PATRON", patron.id), "doc": encode(patron)}
                ops.append((self._put_new(p_item), _raiser(dup)))
                ops.append((self._unique("PATRONEMAIL", patron.email, p_item), _raiser(dup)))
            return ops

        self._commit(build)
        return result[0]

    def update_booking(
        self,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        self._commit(
            lambda held: [
                *self._booking_update(booking, expected_version, held),
                (self._audit_put(audit), None),
                *self._outbox_puts(outbox),
            ]
        )

    def promote_booking(
        self,
        booking: Booking,
        expected_version: int,
        capacity: int | None,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        ref = (booking.event_id, booking.patron_id)

        def build(held: dict[Any, int]) -> list[tuple[dict, Check | None]]:
            places = self._places_booked(booking.event_id)
            rules.check_room(booking, capacity=capacity, places_booked=places)
            held.setdefault(ref, 0)  # a waitlisted booking holds no places
            [(update, check), *_moves] = self._booking_update(booking, expected_version, held)
            # The places move carries the capacity decision: it holds only while places
            # is what was read (otherwise the transaction is rebuilt from a fresh read).
            grow = self._op(
                "Update",
                "places = :read",
                Key=event_key(booking.event_id),
                UpdateExpression="SET places = places + :n",
                ExpressionAttributeValues={
                    ":read": N(places),
                    ":n": N(rules.places_held(booking) - held[ref]),
                },
            )
            return [
                (update, check),
                (grow, None),
                (self._audit_put(audit), None),
                *self._outbox_puts(outbox),
            ]

        self._commit(build)

    # -- payments ---------------------------------------------------------------------------
    def add_payments(
        self,
        writes: Sequence[PaymentWrite],
        audit: Sequence[AuditEntry],
        outbox: Sequence[OutboxMessage] = (),
    ) -> list[Payment]:
        result: list[Payment] = []
        keys = [w.payment.idempotency_key for w in writes]
        dup = refusals.idempotency_key_taken(keys)

        guess = [self._receipt_hint]  # None: read the counter

        def build(held: dict[Any, int]) -> list[tuple[dict, Check | None]]:
            last = guess[0]
            if last is None:
                counter = self._get(COUNTER_KEY)
                last = int(counter["n"]["N"]) if counter else 0
            ops: list[tuple[dict, Check | None]] = []
            result.clear()
            for i, w in enumerate(writes, start=1):
                payment = dataclasses.replace(w.payment, receipt_no=last + i)
                result.append(payment)
                item = {
                    **payment_key(payment.event_id, payment.patron_id, payment.id),
                    "GSI1PK": S(f"PAYMENT#{payment.id}"),
                    "GSI1SK": S("PAYMENT"),
                    "doc": encode(payment),
                }
                ops += self._booking_update(w.booking, w.expected_version, held)
                ops.append((self._put_new(item), _raiser(dup)))
                if payment.idempotency_key:
                    ops.append(
                        (self._unique("IDEMPOTENCY", payment.idempotency_key, item), _raiser(dup))
                    )
            ops += [(self._audit_put(e), None) for e in audit]
            ops += self._outbox_puts(outbox)
            # Last: a lost race for the counter only retries once nothing else failed.
            ops.append((self._counter(last, last + len(writes)), None))
            guess[:] = [None]  # a retry reads the counter
            return ops

        self._commit(build)
        self._receipt_hint = result[-1].receipt_no if result else None
        return list(result)

    def _counter(self, last: int, new: int) -> dict[str, Any]:
        return self._op(
            "Update",
            "attribute_not_exists(n)" if last == 0 else "n = :last",
            Key=COUNTER_KEY,
            UpdateExpression="SET n = :new",
            ExpressionAttributeValues={":new": N(new)} | ({":last": N(last)} if last else {}),
        )

    def void_payment(
        self,
        payment: Payment,
        write: PaymentWrite,
        audit: AuditEntry,
        outbox: Sequence[OutboxMessage] = (),
    ) -> None:
        voided = write.payment
        update = self._op(
            "Update",
            "attribute_exists(PK) AND attribute_not_exists(voided_at)",
            Key=payment_key(payment.event_id, payment.patron_id, payment.id),
            UpdateExpression="SET #doc = :doc, voided_at = :at",
            ExpressionAttributeNames={"#doc": "doc"},
            ExpressionAttributeValues={
                ":doc": encode(voided),
                ":at": S(sort_time(voided.voided_at or payment.logged_at)),
            },
        )
        stale = refusals.payment_already_voided(payment.id)
        self._commit(
            lambda held: [
                (update, _raiser(stale)),
                *self._booking_update(write.booking, write.expected_version, held),
                (self._audit_put(audit), None),
                *self._outbox_puts(outbox),
            ]
        )

    # -- audit ------------------------------------------------------------------------------
    def add_audit(self, entry: AuditEntry) -> None:
        self._client.transact_write_items(TransactItems=[self._audit_put(entry)])
