"""CSV export: cells a spreadsheet would run as formulas are quoted, files are private."""

from __future__ import annotations

import csv
import os
import stat

import pytest

from shipcaptaincrew.domain.errors import NotFound
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.services.exports import export_csv, safe_cell
from shipcaptaincrew.services.payments import PaymentRequest, log_payment
from tests import factories as f


@pytest.mark.parametrize(
    "raw,written",
    [
        ('=HYPERLINK("http://x.example","y")', '\'=HYPERLINK("http://x.example","y")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a\x00b", "ab"),
        ("\x00=1", "'=1"),
        ("Ann Lee", "Ann Lee"),
        ("a=b", "a=b"),
        ("", ""),
        (4500, 4500),
        (True, True),
    ],
)
def test_safe_cell(raw, written) -> None:
    assert safe_cell(raw) == written


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_export_quotes_formula_cells_and_writes_private_files(ctx, tmp_path) -> None:
    admin = f.crew(ctx, Role.ADMIN)
    event = f.event(ctx, admin, title="=1+1")
    b = f.booking(ctx, admin, event.id, name="@SUM(A1:A9)", email="sum@example.com")
    req = PaymentRequest(
        patron_id=b.patron_id,
        amount_cents=4500,
        method=PaymentMethod.CASH,
        reference="+cmd|' /C calc'!A0",
        note="-2+3",
    )
    log_payment(ctx, by=admin, event_id=event.id, req=req)
    old = os.umask(0o002)
    try:
        counts = export_csv(ctx, folder=tmp_path / "out" / "books")
    finally:
        os.umask(old)
    assert counts == {"payments": 1, "bookings": 1}

    [row] = _read(tmp_path / "out" / "books" / "roster.csv")
    assert (row["event_title"], row["name"], row["email"]) == (
        "'=1+1",
        "'@SUM(A1:A9)",
        "sum@example.com",
    )
    [pay] = _read(tmp_path / "out" / "books" / "payments.csv")
    assert (pay["reference"], pay["note"], pay["amount_cents"]) == (
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "4500",
    )
    modes = {
        p.name: stat.S_IMODE(p.stat().st_mode)
        for p in [tmp_path / "out" / "books", *(tmp_path / "out" / "books").iterdir()]
    }
    assert modes == {"books": 0o700, "roster.csv": 0o600, "payments.csv": 0o600}


def test_export_of_an_unknown_event_writes_nothing(ctx, tmp_path) -> None:
    with pytest.raises(NotFound) as err:
        export_csv(ctx, folder=tmp_path / "out", event_id="evt_nope")
    assert err.value.message == "There is no event evt_nope."
    assert not (tmp_path / "out").exists()
