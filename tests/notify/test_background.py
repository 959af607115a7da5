"""Email delivery from a process of its own (``scc serve``): the real ``scc outbox follow``
on a SQLite file, fed the ids of just-committed messages, started again when it has died,
ending when its input closes."""

from __future__ import annotations

import os

import pytest

from shipcaptaincrew.bootstrap import build_delivery_process
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.services import payments
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f


def test_the_delivery_process_sends_what_it_is_handed_and_ends_with_its_input(
    ctx, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("SCC_")]:
        monkeypatch.delenv(key)
    # the process reads the same settings as the test's store, from the environment
    monkeypatch.setenv("SCC_VAR_DIR", str(ctx.settings.var_dir))
    monkeypatch.setenv("SCC_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("SCC_SECRET_KEY", "test-secret-key-0123456789abcdef")
    monkeypatch.setenv("SCC_PUBLIC_URL", ctx.settings.public_url)
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin)
    booking = f.booking(ctx, admin, event.id)
    mail = build_delivery_process()
    mail.start()
    # a process that has died is replaced when the next messages are handed over
    mail._proc.kill()  # type: ignore[union-attr]
    mail._proc.wait()  # type: ignore[union-attr]
    logged = payments.log_payment(
        ctx,
        by=admin,
        event_id=event.id,
        req=PaymentRequest(booking.patron_id, 3000, PaymentMethod.CASH),
    )
    [queued] = ctx.store.list_outbox()
    mail([queued])
    mail.close(timeout=60)
    [sent] = ctx.store.list_outbox()
    assert (sent.id, sent.status, sent.attempts) == (queued.id, "sent", 1)
    [eml] = (ctx.settings.var_dir / "outbox").glob("*.eml")
    assert f"receipt {logged.payment.receipt_no} for Sunset Cruise" in eml.read_text()
