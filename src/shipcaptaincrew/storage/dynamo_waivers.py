"""The waiver writes of ``DynamoStore``: template versions and signatures."""

from __future__ import annotations

from ..domain import refusals
from ..domain.models import AuditEntry, Booking
from ..domain.waivers import WaiverSignature, WaiverTemplate
from .dynamo_base import DynamoBase, _raiser
from .dynamo_items import WAIVER_PK, S, encode, single_key, waiver_sk


class DynamoWaivers(DynamoBase):
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        item = {
            "PK": S(WAIVER_PK),
            "SK": S(waiver_sk(template.id, template.version)),
            "doc": encode(template),
        }
        dup = refusals.template_version_taken(template.id, template.version)
        self._commit(
            lambda _h: [(self._put_new(item), _raiser(dup)), (self._audit_put(audit), None)]
        )

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        item = {**single_key("SIGNATURE", signature.id), "doc": encode(signature)}
        dup = refusals.signature_taken(signature.id)
        self._commit(
            lambda held: [
                (self._put_new(item), _raiser(dup)),
                *self._booking_update(booking, expected_version, held),
                (self._audit_put(audit), None),
            ]
        )
