"""The scc command line on a real SQLite file."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

from shipcaptaincrew.cli import app


@pytest.fixture
def scc(tmp_path, monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("SCC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0, **env: str):
        result = runner.invoke(app, list(args), env=env or None)
        assert result.exit_code == code, result.output
        return result.output

    run("init-db")
    return run


def test_create_user_then_duplicate(scc) -> None:
    out = scc(
        "create-user",
        "--email",
        "Boss@Example.org",
        "--name",
        "Boss",
        "--role",
        "admin",
        SCC_NEW_USER_PASSWORD="long-enough-pw",
    )
    assert out.startswith("Created admin boss@example.org (crw_")
    out = scc(
        "create-user",
        "--email",
        "boss@example.org",
        "--name",
        "B",
        "--role",
        "crew",
        SCC_NEW_USER_PASSWORD="long-enough-pw",
        code=1,
    )
    assert "A crew member with this email exists." in out
    out = scc(
        "create-user",
        "--email",
        "x@example.org",
        "--name",
        "X",
        SCC_NEW_USER_PASSWORD="short",
        code=1,
    )
    assert "Password must be at least 12 characters." in out


def test_demo_import_and_export(scc, tmp_path) -> None:
    out = scc("demo")
    assert "Demo data loaded." in out
    assert "Demo admin: admin@demo.shipcaptaincrew.test  password: harbour-demo-2026" in out
    assert "Demo data already present." in scc("demo")
    from shipcaptaincrew.bootstrap import build_store
    from shipcaptaincrew.config import Settings

    store = build_store(Settings.from_env())
    events = store.list_events()
    assert len(events) == 3
    assert sum(len(store.list_bookings(e.id)) for e in events) == 40
    event = events[-1]
    before = len(store.list_bookings(event.id))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "name,email,phone,party_size\n"
        "Ann Lee,ann@example.com,555,2\n"
        "No Email,,555,1\n"
        "Bad Party,bad@example.com,,two\n"
        "Ann Again,ANN@example.com,,1\n"
        "Bo Chen,bo@example.com,,\n"
    )
    out = scc("import-roster", event.id, str(roster), code=1)
    assert "0 booked, 2 waitlisted, 3 rejected." in out  # the demo event is full
    assert "line 3: That email address does not look right." in out
    assert "line 4: party_size 'two' is not a whole number" in out
    assert "line 5: This patron is already on the event." in out
    assert len(store.list_bookings(event.id)) == before + 2

    out = scc("export", "--out", str(tmp_path / "exp"))
    assert "roster rows" in out
    with (tmp_path / "exp" / "roster.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 42
    assert {"Ann Lee", "Bo Chen"} <= {r["name"] for r in rows}
    with (tmp_path / "exp" / "payments.csv").open() as fh:
        payments = list(csv.DictReader(fh))
    assert payments
    assert sorted(int(p["receipt_no"]) for p in payments) == list(range(1, len(payments) + 1))
    assert all(int(p["amount_cents"]) > 0 for p in payments)
    out = scc("demo", "--remove")
    assert out == "Removed the demo: 3 accounts, 3 events, 42 patrons.\n"
    assert (store.list_events(), store.list_crew()) == ([], [])
    assert scc("demo", "--remove") == "Removed the demo: 0 accounts, 0 events, 0 patrons.\n"
