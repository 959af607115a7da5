"""A payment email as the outbox composes it, for sender and template tests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from shipcaptaincrew.notify.messages import PaymentEmail, compose
from shipcaptaincrew.receipts.pdf import ReceiptData, render_receipt

RECEIPT = ReceiptData(
    org_name="Harbour Co.",
    receipt_no=7,
    patron_name="Zoë O'Brien",
    patron_email="zoe@example.com",
    event_title="Sunset Cruise",
    event_starts_at=datetime(2026, 7, 1, 18, 30, tzinfo=UTC),
    amount_cents=4500,
    currency="USD",
    method="card",
    reference="T-1001",
    logged_by="Jordan Blake",
    logged_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
)


def payment_email(**receipt: Any) -> PaymentEmail:
    return PaymentEmail(
        receipt=dataclasses.replace(RECEIPT, **receipt),
        balance_cents=0,
        guest_url="https://boats.example/g/tok123",
        mail_from="Harbour Co <boats@harbour.example>",
        reply_to="Harbour Office <office@harbour.example>",
        message_id="msg_0123456789abcdef",
        created_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    )


def composed(**receipt: Any) -> EmailMessage:
    mail = payment_email(**receipt)
    return compose(mail, render_receipt(mail.receipt))
