"""Outbox throughput and receipt render time.

Queues N receipt emails through the real payment use case on a fresh SQLite file,
then delivers them with ``deliver_due`` to a local aiosmtpd server and prints
messages per second; the same for N booking emails (text, HTML and an .ics, built from
the booking at delivery); also prints the time to render one receipt PDF (DejaVu Sans
embedded).

    .venv/bin/python bench/outbox.py [--messages 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from shipcaptaincrew.config import Settings
from shipcaptaincrew.domain.models import SYSTEM, PaymentMethod, Role
from shipcaptaincrew.notify.smtp import SmtpSender
from shipcaptaincrew.receipts.pdf import ReceiptData, render_receipt
from shipcaptaincrew.services import auth, events, outbox, payments, roster
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.services.payments import PaymentRequest
from shipcaptaincrew.storage.sql import SqlStore


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def queue(ctx: Context, n: int, *, receipts: bool = True) -> None:
    """``n`` bookings, each with its receipt email (``receipts``) or its booking email."""
    admin = auth.create_crew(
        ctx,
        actor=SYSTEM,
        name="Bench",
        email="b@example.org",
        role=Role.ADMIN,
        password="bench-password-123",
    )
    from datetime import timedelta

    event = events.create_event(
        ctx,
        by=admin,
        title="Bench Cruise",
        starts_at=ctx.now() + timedelta(days=1),
        ends_at=None,
        location="Pier",
        capacity=None,
        price_cents=4500,
        currency="USD",
    ).event
    for i in range(n):
        b = roster.add_patron(
            ctx,
            by=admin,
            event_id=event.id,
            name=f"Patron {i}" if receipts else f"Łukasz Żółć {i}",
            email=f"p{i}@example.com",
            email_patron=not receipts,
        )
        if not receipts:
            continue
        payments.log_payment(
            ctx,
            by=admin,
            event_id=event.id,
            req=PaymentRequest(patron_id=b.patron_id, amount_cents=4500, method=PaymentMethod.CASH),
        )


def bench_delivery(n: int, *, receipts: bool = True) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SCC_VAR_DIR": tmp, "SCC_SECRET_KEY": "bench-secret-key-0123456789"}
        settings = Settings.from_env(env)
        store = SqlStore(settings.database_url)
        Path(tmp).mkdir(exist_ok=True)
        store.init_schema()
        ctx = Context(store=store, settings=settings)
        queue(ctx, n, receipts=receipts)
        handler = Counter()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            sender = SmtpSender(host="127.0.0.1", port=port, security="none")
            start = time.perf_counter()
            while outbox.deliver_due(ctx, sender, limit=100).claimed:
                pass
            elapsed = time.perf_counter() - start
        finally:
            controller.stop()
            store.close()
        assert handler.count == n, (handler.count, n)
        return n / elapsed


def bench_receipt(rounds: int = 200) -> float:
    from datetime import UTC, datetime

    data = ReceiptData(
        org_name="Harbour Co.",
        receipt_no=1234,
        patron_name="Zoë O'Brien",
        patron_email="zoe@example.com",
        event_title="Sunset Cruise",
        event_starts_at=datetime(2026, 7, 1, 18, tzinfo=UTC),
        amount_cents=4500,
        currency="USD",
        method="card",
        reference="T-1",
        logged_by="Jordan",
        logged_at=datetime.now(UTC),
    )
    render_receipt(data)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        render_receipt(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    rate = bench_delivery(args.messages)
    print(
        f"outbox: {args.messages} receipt emails (PDF attached) delivered to local SMTP "
        f"at {rate:.0f} messages/s"
    )
    rate = bench_delivery(args.messages, receipts=False)
    print(
        f"outbox: {args.messages} booking emails (.ics attached) delivered to local SMTP "
        f"at {rate:.0f} messages/s"
    )
    print(f"receipt PDF: {bench_receipt():.2f} ms median per render")


if __name__ == "__main__":
    main()
