"""The refusals that stores and services raise, each worded once.

A store detects the condition (a unique key taken, a version moved on); what the user
is told, and with which details, is decided here.
"""

from __future__ import annotations

from .errors import Conflict, DuplicateKey, NotFound, StaleWrite


def no_such_event(event_id: str) -> NotFound:
    return NotFound("No such event.", {"event_id": event_id})


def patron_already_booked(patron_id: str, email: str) -> DuplicateKey:
    return DuplicateKey(
        "This patron is already on the event.", {"patron_id": patron_id, "email": email}
    )


def crew_email_taken(email: str) -> DuplicateKey:
    return DuplicateKey("A crew member with this email exists.", {"email": email})


def event_id_taken(event_id: str) -> DuplicateKey:
    return DuplicateKey("An event with this id exists.", {"event_id": event_id})


def idempotency_key_taken(keys: list[str | None]) -> DuplicateKey:
    return DuplicateKey("A payment with this idempotency key exists.", {"idempotency_keys": keys})


def outbox_key_taken(dedup_key: str) -> DuplicateKey:
    return DuplicateKey("An outbox message with this key exists.", {"key": dedup_key})


def template_version_taken(template_id: str, version: int) -> DuplicateKey:
    return DuplicateKey(
        "This template version exists already; reload and retry.",
        {"template_id": template_id, "version": version},
    )


def signature_taken(signature_id: str) -> DuplicateKey:
    return DuplicateKey("This signature exists already.", {"signature_id": signature_id})


def provider_transaction_taken(txn_id: str) -> DuplicateKey:
    return DuplicateKey("This provider transaction is recorded already.", {"id": txn_id})


def cashup_closed(event_id: str) -> DuplicateKey:
    return DuplicateKey("This event's cash-up is closed already.", {"event_id": event_id})


def cashup_changed(event_id: str) -> StaleWrite:
    return StaleWrite("The cash-up was closed meanwhile.", {"event_id": event_id})


def stale_event(event_id: str) -> StaleWrite:
    return StaleWrite(
        "The event was changed by someone else; reload and retry.", {"event_id": event_id}
    )


def stale_booking(event_id: str, patron_id: str) -> StaleWrite:
    return StaleWrite(
        "The booking was changed by someone else; reload and retry.",
        {"event_id": event_id, "patron_id": patron_id},
    )


def payment_already_voided(payment_id: str) -> StaleWrite:
    return StaleWrite("The payment was voided by someone else.", {"payment_id": payment_id})


def busy() -> StaleWrite:
    return StaleWrite("The record is busy; reload and retry.")


def no_such_crew(crew_id: str) -> NotFound:
    return NotFound("No such crew member.", {"crew_id": crew_id})


def kiosk_taken(kiosk_id: str) -> DuplicateKey:
    return DuplicateKey("This kiosk is already stored.", {"kiosk_id": kiosk_id})


def link_sent_recently(again_at: str) -> Conflict:
    return Conflict(
        f"The guest link was just sent; it can be sent again at {again_at}.",
        {"retry_at": again_at},
    )
