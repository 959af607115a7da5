"""The waiver part of ``SqlStore``: templates (versioned) and signatures."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..domain import refusals
from ..domain.models import AuditEntry, Booking
from ..domain.waivers import WaiverSignature, WaiverTemplate
from . import schema as t
from .sql_base import SqlBase, _from_row, _to_row


class SqlWaivers(SqlBase):
    def add_waiver_template(self, template: WaiverTemplate, audit: AuditEntry) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.waiver_templates.insert().values(_to_row(template)))
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.template_version_taken(template.id, template.version) from None

    def get_waiver_template(
        self, template_id: str, version: int | None = None
    ) -> WaiverTemplate | None:
        wt = t.waiver_templates
        q = sa.select(wt).where(wt.c.id == template_id)
        q = q.where(wt.c.version == version) if version is not None else q
        row = self._one(q.order_by(wt.c.version.desc()).limit(1))
        return _from_row(WaiverTemplate, row) if row else None

    def list_waiver_templates(self) -> list[WaiverTemplate]:
        wt = t.waiver_templates
        latest = (
            sa.select(wt.c.id, sa.func.max(wt.c.version).label("version"))
            .group_by(wt.c.id)
            .subquery()
        )
        q = (
            sa.select(wt)
            .join(latest, sa.and_(wt.c.id == latest.c.id, wt.c.version == latest.c.version))
            .order_by(wt.c.name, wt.c.id)
        )
        return [_from_row(WaiverTemplate, r) for r in self._all(q)]

    def list_waiver_template_versions(self, template_id: str) -> list[WaiverTemplate]:
        wt = t.waiver_templates
        q = sa.select(wt).where(wt.c.id == template_id).order_by(wt.c.version)
        return [_from_row(WaiverTemplate, r) for r in self._all(q)]

    def add_waiver_signature(
        self,
        signature: WaiverSignature,
        booking: Booking,
        expected_version: int,
        audit: AuditEntry,
    ) -> None:
        try:
            with self._write() as conn:
                conn.execute(t.waiver_signatures.insert().values(_to_row(signature)))
                self._update_booking(conn, booking, expected_version)
                self._insert_audit(conn, [audit])
        except IntegrityError:
            raise refusals.signature_taken(signature.id) from None

    def get_waiver_signature(self, signature_id: str) -> WaiverSignature | None:
        ws = t.waiver_signatures
        row = self._one(sa.select(ws).where(ws.c.id == signature_id))
        if row is None:
            return None
        sig = _from_row(WaiverSignature, row)
        return dataclasses.replace(sig, signature_png=bytes(sig.signature_png))
