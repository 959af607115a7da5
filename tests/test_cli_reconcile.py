"""``scc reconcile import``: a Stripe export and a PayPal activity download with planted
differences against the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shipcaptaincrew.cli import app
from shipcaptaincrew.config import Settings
from shipcaptaincrew.domain.models import PAYPAL, STRIPE, PaymentMethod, Role
from shipcaptaincrew.domain.reconcile import StatementRow, parse_statement
from shipcaptaincrew.services import payments
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.services.payments import PaymentRequest
from shipcaptaincrew.storage.sql import SqlStore
from tests import factories as f

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("SCC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(app, ["init-db"]).exit_code == 0
    settings = Settings.from_env()
    ctx = Context(store=SqlStore(settings.database_url), settings=settings)
    admin = f.crew_fast(ctx, Role.ADMIN, "admin@example.org")
    event = f.event(ctx, admin, price_cents=4500)
    for i, (who, ref, cents) in enumerate(
        [
            (STRIPE, "pi_1", 4500),
            (STRIPE, "pi_2", 4500),
            (STRIPE, "pi_3", 4500),
            (PAYPAL, "CAP-1", 4500),
        ]
    ):
        booking = f.booking(ctx, admin, event.id)
        req = PaymentRequest(booking.patron_id, cents, PaymentMethod(who.id), reference=ref)
        payments.log_payment(ctx, by=who, event_id=event.id, req=req, idempotency_key=f"k{i}")
    return runner, tmp_path


def test_a_stripe_export_reports_each_planted_difference(setup) -> None:
    runner, tmp_path = setup
    path = FIXTURES / "stripe_payments.csv"  # a Dashboard payments export, with a BOM
    result = runner.invoke(app, ["reconcile", "import", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "1 matched, 1 missing on our side, 1 missing on theirs, 1 amount differences."
    )
    assert lines[1] == "  missing on our side: stripe pi_extra $12.50"
    assert lines[2].startswith("  missing on theirs: stripe pi_3 $45.00 (event evt_")
    assert lines[3] == "  amount differs: stripe pi_2 theirs $40.00, ours $45.00"
    assert len(lines) == 4


def test_a_paypal_download_and_a_file_that_is_neither(setup) -> None:
    runner, tmp_path = setup
    path = FIXTURES / "paypal_activity.csv"
    result = runner.invoke(app, ["reconcile", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "1 matched, 1 missing on our side, 0 missing on theirs, 0 amount differences.",
        "  missing on our side: paypal REF-1 -$10.00",
    ]
    other = tmp_path / "other.csv"
    other.write_text("name,email\nPat,pat@example.com\n")
    bad = runner.invoke(app, ["reconcile", "import", str(other)])
    assert bad.exit_code == 2
    assert "other.csv: This is neither a Stripe export" in bad.output


def test_stripe_balance_report_rows_and_refunds() -> None:
    text = (
        "balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,"
        "source_id,payment_intent_id\n"
        "txn_1,2026-07-01,usd,45.00,-1.61,43.39,charge,ch_1,pi_1\n"
        "txn_2,2026-07-02,usd,-15.00,0.00,-15.00,refund,re_1,pi_1\n"
        "txn_3,2026-07-03,usd,-43.39,0.00,-43.39,payout,po_1,\n"
    )
    assert parse_statement(text) == [
        StatementRow("stripe", "pi_1", 4500, "USD"),
        StatementRow("stripe", "re_1", -1500, "USD"),
    ]
