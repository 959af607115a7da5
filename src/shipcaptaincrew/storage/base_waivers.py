"""The Store protocol's waiver part: templates, signatures and waiver kiosks."""

from __future__ import annotations

from typing import Protocol

from ..domain.kiosk import Kiosk
from ..domain.models import AuditEntry, Booking
from ..domain.waivers import WaiverSignature, WaiverTemplate


class WaiverStore(Protocol):
    # waivers
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        """Store one version of a template and the audit entry, atomically. Used both for a
        new template (version 1) and for an edit (the next version: the caller reads the
        latest and stores ``latest.version + 1``). Stored versions are never changed or
        removed. ``DuplicateKey`` (and nothing written) when this (id, version) is already
        stored, e.g. two editors saving the same next version at once."""

    def get_waiver_template(
        self, template_id: str, version: int | None = None
    ) -> WaiverTemplate | None:
        """That version of the template, or its highest version when ``version`` is None;
        None when the template (or that version) does not exist."""

    def list_waiver_templates(self) -> list[WaiverTemplate]:
        """The highest version of every template, ordered by name, then id."""

    def list_waiver_template_versions(self, template_id: str) -> list[WaiverTemplate]:
        """Every version of one template, oldest (version 1) first; [] when unknown."""

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        """Store the signature, the booking that now points at it (``booking`` is the new
        state, stored with its version bumped as in ``update_booking``) and the audit entry
        in one transaction. ``StaleWrite`` when the stored booking's version is not
        ``expected_version``; ``DuplicateKey`` when a signature with this id exists. Either
        error leaves nothing written. Signatures are never changed or removed. A seat's
        signature (``signature.seat``) is stored the same way, the booking carrying the
        seat it signed in ``Booking.seats``."""

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        """The signature with this id (PNG bytes included), or None."""

    # waiver kiosks (a shared tablet limited to signing one event's waivers)
    def add_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> None:
        """Store a new kiosk and the audit entry, atomically. ``NotFound`` (nothing written)
        when its event does not exist; ``DuplicateKey`` when this kiosk id is stored."""

    def get_kiosk_by_token(self, token_hash: str) -> Kiosk | None:
        """The kiosk whose token has this SHA-256 (revoked and expired ones included)."""

    def list_kiosks(self, event_id: str) -> list[Kiosk]:
        """The event's kiosks (revoked and expired included), by ``started_at``, then id."""

    def revoke_kiosk(self, kiosk: Kiosk, audit: AuditEntry) -> bool:
        """Store ``kiosk``'s ``revoked_at``/``revoked_by`` with the audit entry, atomically,
        only if the stored kiosk is not revoked yet; otherwise write nothing and return
        False (also when there is no such kiosk on its event)."""
