"""Payments queue emails in their transaction; delivery retries, gives up, and is retried."""

from __future__ import annotations

import email
import io
from datetime import timedelta
from email.policy import default

import pypdf
import pytest

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.errors import Conflict, Forbidden, NotFound
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.notify.console import ConsoleSender
from shipcaptaincrew.notify.smtp import SmtpSender
from shipcaptaincrew.services import outbox, payments, views
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f
from tests.mailserver import SmtpServer
from tests.server import free_port
from tests.storage.test_receipt_records import remove_behind_its_back


@pytest.fixture
def setup(ctx):
    committed: list = []
    ctx.after_commit = committed.extend
    admin = f.crew(ctx, Role.ADMIN)
    event = f.event(ctx, admin)
    booking = f.booking(ctx, admin, event.id, name="Zoë O'Brien", email="zoe@example.com")
    return ctx, admin, event, booking, committed


def _pay(ctx, admin, event, booking, amount=4500, key=None):
    req = PaymentRequest(
        patron_id=booking.patron_id, amount_cents=amount, method=PaymentMethod.CASH
    )
    return payments.log_payment(ctx, by=admin, event_id=event.id, req=req, idempotency_key=key)


def test_a_payment_queues_one_receipt_and_a_replay_none(setup) -> None:
    ctx, admin, event, booking, committed = setup
    first = _pay(ctx, admin, event, booking, 2000, key="k1")
    again = _pay(ctx, admin, event, booking, 2000, key="k1")
    assert again.created is False
    [m] = ctx.store.list_outbox()
    assert committed == [m]
    assert (m.dedup_key, m.kind, m.to, m.status) == (
        f"payment:{first.payment.id}:receipt",
        ob.RECEIPT,
        "zoe@example.com",
        ob.QUEUED,
    )
    assert m.payload == {"payment_id": first.payment.id, "balance_cents": 2500, "waived_cents": 0}
    assert (m.event_id, m.patron_id, m.next_attempt_at) == (event.id, booking.patron_id, ctx.now())


def test_a_batch_queues_one_email_per_patron_and_a_void_a_correction(setup) -> None:
    ctx, admin, event, booking, committed = setup
    other = f.booking(ctx, admin, event.id, name="Ben", email="ben@example.com")
    reqs = [
        PaymentRequest(patron_id=b.patron_id, amount_cents=None, method=PaymentMethod.CARD)
        for b in (booking, other)
    ]
    logged = payments.log_batch(ctx, by=admin, event_id=event.id, requests=reqs)
    assert sorted(m.to for m in ctx.store.list_outbox()) == ["ben@example.com", "zoe@example.com"]
    payments.void_payment(ctx, by=admin, payment_id=logged[0].payment.id, reason="Wrong card")
    [void] = [m for m in ctx.store.list_outbox() if m.kind == ob.VOID]
    assert (void.kind, void.dedup_key, void.to) == (
        ob.VOID,
        f"payment:{logged[0].payment.id}:void",
        "zoe@example.com",
    )
    assert void.payload["balance_cents"] == 4500
    assert [m.kind for m in committed] == [ob.RECEIPT, ob.RECEIPT, ob.VOID]


def test_console_delivery_writes_an_eml_with_the_receipt(setup) -> None:
    ctx, admin, event, booking, _ = setup
    logged = _pay(ctx, admin, event, booking)
    sender = ConsoleSender(ctx.settings.var_dir / "outbox")
    report = outbox.deliver_due(ctx, sender)
    assert (report.claimed, report.sent) == (1, 1)
    assert outbox.deliver_due(ctx, sender).claimed == 0
    [m] = ctx.store.list_outbox()
    assert (m.status, m.attempts, m.sent_at, m.last_error) == (ob.SENT, 1, ctx.now(), None)
    [path] = (ctx.settings.var_dir / "outbox").glob("*.eml")
    assert path.name == f"{m.id}.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=default)
    assert (
        msg["Subject"] == f"Payment received: receipt {logged.payment.receipt_no} for Sunset Cruise"
    )
    [pdf] = list(msg.iter_attachments())
    text = pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert f"Receipt no. {logged.payment.receipt_no}" in text
    assert "Received from Zoë O'Brien" in text
    assert "Amount $45.00 (USD)" in text
    audit = ctx.store.list_audit(patron_id=booking.patron_id, limit=1)[0]
    assert (audit.action, audit.actor, audit.subject) == ("email.sent", "system:system", m.id)


def test_sending_a_receipt_reads_each_record_once(setup) -> None:
    """Claim (read and mark), the payment with its booking and its event (one statement),
    then the outcome and its audit entry: each once (the booking serves the receipt and the
    guest link)."""
    import sqlalchemy as sa

    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking)
    tables: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        words = statement.split()
        verb = words[0]
        table = (
            words[words.index("FROM") + 1]
            if verb == "SELECT"
            else words[2 if verb != "UPDATE" else 1]
        )
        tables.append(f"{verb} {table}")

    sa.event.listen(ctx.store.engine, "before_cursor_execute", note)
    try:
        report = outbox.deliver_due(ctx, ConsoleSender(ctx.settings.var_dir / "outbox"))
    finally:
        sa.event.remove(ctx.store.engine, "before_cursor_execute", note)
    assert report.sent == 1
    assert tables == [
        "SELECT outbox",  # claim: the due messages, then marked as being sent
        "UPDATE outbox",
        "SELECT payments",  # LEFT OUTER JOIN bookings, events
        "UPDATE outbox",  # the outcome, with its audit entry
        "INSERT audit",
    ]


def test_retries_back_off_then_give_up_and_an_admin_retry_delivers(setup, clock) -> None:
    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking)
    port = free_port()
    sender = SmtpSender(host="127.0.0.1", port=port, security="none", timeout=5)
    waits = []
    for attempt in range(1, ob.MAX_ATTEMPTS + 1):
        report = outbox.deliver_due(ctx, sender)
        assert report.claimed == 1
        [m] = ctx.store.list_outbox()
        assert m.attempts == attempt
        assert m.last_error.startswith(f"SMTP 127.0.0.1:{port}: ConnectionRefusedError")
        if m.status == ob.QUEUED:
            waits.append((m.next_attempt_at - clock.now).total_seconds())
            assert outbox.deliver_due(ctx, sender).claimed == 0  # not due yet
            clock.now = m.next_attempt_at
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert (m.status, m.attempts) == (ob.FAILED, ob.MAX_ATTEMPTS)
    assert views.receipt_email_status(ctx, event_id=event.id) == {booking.patron_id: "failed"}
    clock.advance(days=1)
    assert outbox.deliver_due(ctx, sender).claimed == 0

    queued = outbox.retry(ctx, by=None, message_id=m.id)
    assert (queued.status, queued.attempts, queued.next_attempt_at) == (ob.QUEUED, 0, clock.now)
    server = SmtpServer(port=port).start()
    try:
        assert (
            outbox.deliver_due(ctx, SmtpSender(host="127.0.0.1", port=port, security="none")).sent
            == 1
        )
        assert len(server.wait_for(1)) == 1
    finally:
        server.stop()
    assert views.receipt_email_status(ctx, event_id=event.id) == {booking.patron_id: "sent"}
    with pytest.raises(Conflict, match="This message is sent"):
        outbox.retry(ctx, by=None, message_id=m.id)
    with pytest.raises(NotFound):
        outbox.retry(ctx, by=None, message_id="msg_missing")


def test_only_admins_list_the_outbox(setup) -> None:
    ctx, admin, *_ = setup
    assert outbox.list_messages(ctx, by=admin) == []
    with pytest.raises(Forbidden):
        outbox.list_messages(ctx, by=f.crew(ctx, Role.CAPTAIN))


def test_a_missing_payment_fails_the_message_for_good(setup) -> None:
    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking)
    [m] = ctx.store.claim_outbox(now=ctx.now(), lease_until=ctx.now(), limit=1)
    broken = m.__class__(**{**m.__dict__, "payload": {"payment_id": "pay_gone"}})
    done, action = outbox._attempt(ctx, ConsoleSender(ctx.settings.var_dir), broken)
    assert (done.status, action) == (ob.FAILED, "email.failed")
    assert done.last_error == "The payment of this message does not exist"
    assert timedelta(0) == done.next_attempt_at - ctx.now()


def test_a_receipt_whose_booking_or_event_is_gone_fails_the_message_for_good(setup) -> None:
    """The booking's NotFound, then (the event gone too) the event's, as their getters say."""
    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking)
    [m] = ctx.store.claim_outbox(now=ctx.now(), lease_until=ctx.now(), limit=1)
    sender = ConsoleSender(ctx.settings.var_dir)
    remove_behind_its_back(ctx.store, event.id, booking.patron_id)
    done, action = outbox._attempt(ctx, sender, m)
    assert (done.status, action, done.last_error) == (
        ob.FAILED,
        "email.failed",
        "This patron is not on the event.",
    )
    remove_behind_its_back(ctx.store, event.id)
    done, action = outbox._attempt(ctx, sender, m)
    assert (done.status, action, done.last_error) == (ob.FAILED, "email.failed", "No such event.")


def test_a_comp_receipt_says_what_was_waived(setup) -> None:
    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking, 1500)
    req = PaymentRequest(
        patron_id=booking.patron_id, amount_cents=0, method=PaymentMethod.COMP, note="crew guest"
    )
    comp = payments.log_payment(ctx, by=admin, event_id=event.id, req=req)
    assert (comp.booking.balance_cents, comp.booking.waived_cents) == (0, 3000)
    sender = ConsoleSender(ctx.settings.var_dir / "outbox")
    assert outbox.deliver_due(ctx, sender).sent == 2
    msgs = [
        email.message_from_bytes(p.read_bytes(), policy=default)
        for p in (ctx.settings.var_dir / "outbox").glob("*.eml")
    ]
    texts = {m["Subject"]: m.get_body(preferencelist=("plain",)).get_content() for m in msgs}
    comp_text = texts[f"Payment received: receipt {comp.payment.receipt_no} for Sunset Cruise"]
    assert "Waived:     $30.00 (nothing more to pay)" in comp_text
    assert "Still to pay" not in comp_text
    first_text = texts["Payment received: receipt 1 for Sunset Cruise"]
    assert "Still to pay: $30.00" in first_text


class _RefuseRecipients:
    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        return f"550 5.1.1 <{address}>: Recipient address rejected"


def test_a_refused_recipient_never_reaches_the_log(setup) -> None:
    import logging

    from aiosmtpd.controller import Controller

    ctx, admin, event, booking, _ = setup
    _pay(ctx, admin, event, booking)
    port = free_port()
    controller = Controller(_RefuseRecipients(), hostname="127.0.0.1", port=port)
    controller.start()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("shipcaptaincrew")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        sender = SmtpSender(host="127.0.0.1", port=port, security="none", timeout=5)
        report = outbox.deliver_due(ctx, sender)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        controller.stop()
    assert (report.claimed, report.failed) == (1, 1)
    [m] = ctx.store.list_outbox()
    assert booking.patron_email in m.last_error  # admins see why, in the outbox
    logged = "\n".join(r.getMessage() for r in records)
    assert f"outbox message {m.id} failed after 1 attempts" in logged
    assert booking.patron_email not in logged
    assert "Zo" not in logged  # nor the patron's name
