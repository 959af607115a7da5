"""``scc import-legacy`` from a table in the previous system's shape (moto's DynamoDB) and
from a scan file, into a real SQLite store."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from typer.testing import CliRunner

from shipcaptaincrew.bootstrap import build_store
from shipcaptaincrew.cli import app
from shipcaptaincrew.config import Settings
from shipcaptaincrew.domain.legacy import SourceError
from shipcaptaincrew.domain.models import PaymentMethod, new_id
from shipcaptaincrew.storage.legacy_table import scan_items
from tests.moto_server import MotoServer


def _participant(pid: str, name: str, **attrs: dict) -> dict:
    return {"M": {"patron_id": {"S": pid}, "name": {"S": name}, **attrs}}


# One item per event, participants nested: numbers as DynamoDB numbers, optional fields
# missing here and there (email, party_size, payment_cleared), one item that is malformed.
ITEMS = [
    {
        "event_id": {"S": "2026-07-04-sunset"},
        "title": {"S": "Sunset cruise"},
        "date": {"S": "2026-07-04T18:00:00-04:00"},
        "location": {"S": "Pier 3"},
        "price": {"N": "45"},
        "participants": {"L": [
            _participant("p1", "Ann Lee", email={"S": "ann@example.com"},
                         party_size={"N": "2"}, attendance={"BOOL": True},
                         waiver={"M": {"signed": {"BOOL": True},
                                       "signed_at": {"S": "2026-07-01T10:00:00Z"}}},
                         payment_cleared={"BOOL": True}),
            _participant("p2", "Bo Chen", email={"S": "bo@example.com"},
                         attendance={"BOOL": False}, waiver={"BOOL": False}),
            _participant("p3", "Cy Walk-in", attendance={"BOOL": True}),
        ]},
    },
    {
        "event_id": {"S": "2026-07-05-harbour"},
        "title": {"S": "Harbour tour"},
        "date": {"S": "2026-07-05T10:00:00-04:00"},
        "price": {"N": "20.5"},
        "participants": {"L": [
            _participant("p1", "Ann Lee", email={"S": "ANN@example.com"},
                         payment_cleared={"BOOL": True}, party_size={"N": "1"}),
        ]},
    },
    {"event_id": {"S": "2026-07-06-broken"}, "title": {"S": "Broken"},
     "price": {"N": "10"}, "participants": {"S": "see spreadsheet"},
     "date": {"S": "2026-07-06"}},
]  # fmt: skip


@pytest.fixture
def legacy_table(moto: MotoServer) -> Iterator[str]:
    name = new_id("roster")
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto.endpoint)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in ITEMS:
        client.put_item(TableName=name, Item=item)
    yield name
    client.delete_table(TableName=name)


def _table_items(moto: MotoServer, name: str) -> list[dict]:
    items = list(scan_items(name, region="us-east-1", endpoint_url=moto.endpoint))
    return sorted(items, key=lambda i: i["event_id"]["S"])


@pytest.fixture
def scc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for key in [k for k in os.environ if k.startswith("SCC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SCC_TIMEZONE", "America/New_York")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        return result.output

    run("init-db")
    return run


def _store_counts() -> tuple[int, int, int, int]:
    store = build_store(Settings.from_env())
    events = store.list_events()
    bookings = sum(len(store.list_bookings(e.id)) for e in events)
    payments = [p for e in events for p in store.list_payments(e.id)]
    audit = store.list_audit(limit=1000)
    store.close()
    return len(events), bookings, len(payments), len(audit)


def test_import_from_a_table_dry_run_then_twice(scc, moto: MotoServer, legacy_table: str) -> None:
    source = ["--table", legacy_table, "--region", "us-east-1", "--endpoint-url", moto.endpoint]
    original = _table_items(moto, legacy_table)

    out = scc("import-legacy", *source, "--dry-run", code=2)
    assert _store_counts() == (0, 0, 0, 0)
    assert out.splitlines()[0] == "Dry run: nothing is written."
    assert (
        "  2026-07-04-sunset: would create event 'Sunset cruise' (2026-07-04) with "
        "3 bookings, 2 check-ins, 1 waivers, 1 payments"
    ) in out
    assert "  item 3: participants is neither a list nor a map: 'see spreadsheet'" in out
    assert "2026-07-04-sunset/p3 (Cy Walk-in): 2026-07-04-sunset.p3@no-email.example" in out
    assert out.splitlines()[-1] == (
        "Would create 2 events, 4 bookings, 2 check-ins, 1 paper waivers and 2 imported "
        "payments ($110.50); 0 events were imported before."
    )

    out = scc("import-legacy", *source, code=2)
    assert out.splitlines()[-1] == (
        "Created 2 events, 4 bookings, 2 check-ins, 1 paper waivers and 2 imported "
        "payments ($110.50); 0 events were imported before."
    )
    assert _store_counts() == (2, 4, 2, 11)
    store = build_store(Settings.from_env())
    events = {e.legacy_id: e for e in store.list_events()}
    sunset = store.list_bookings(events["2026-07-04-sunset"].id)
    harbour = store.list_bookings(events["2026-07-05-harbour"].id)
    assert [(b.legacy_id, b.checked_in, b.waiver_signed, b.payment_cleared) for b in sunset] == [
        ("p1", True, True, True),
        ("p2", False, False, False),
        ("p3", True, False, False),
    ]
    assert harbour[0].patron_id == sunset[0].patron_id  # one patron, matched by email
    assert harbour[0].amount_paid_cents == 2050
    assert {p.method for e in events.values() for p in store.list_payments(e.id)} == {
        PaymentMethod.IMPORTED
    }
    assert {a.actor for a in store.list_audit(limit=1000)} == {"system:importer"}
    store.close()

    out = scc("import-legacy", *source, code=2)
    assert "nothing new" in out
    assert out.splitlines()[-1] == (
        "Created 0 events, 0 bookings, 0 check-ins, 0 paper waivers and 0 imported "
        "payments ($0.00); 2 events were imported before."
    )
    assert _store_counts() == (2, 4, 2, 11)
    assert _table_items(moto, legacy_table) == original  # the legacy table is only read


def test_scan_follows_every_page(moto: MotoServer, legacy_table: str) -> None:
    items = list(
        scan_items(legacy_table, region="us-east-1", endpoint_url=moto.endpoint, page_size=1)
    )
    assert sorted(i["event_id"]["S"] for i in items) == sorted(i["event_id"]["S"] for i in ITEMS)


def test_a_missing_table_is_one_clear_line(scc, moto: MotoServer) -> None:
    out = scc("import-legacy", "--table", "nope", "--region", "us-east-1",
              "--endpoint-url", moto.endpoint, code=2)  # fmt: skip
    assert out.strip() == "No DynamoDB table 'nope' in us-east-1."
    with pytest.raises(SourceError):
        list(scan_items("nope", region="us-east-1", endpoint_url=moto.endpoint))


def test_import_from_scan_output_and_a_gzipped_export(scc, tmp_path: Path) -> None:
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"Items": ITEMS[:1], "Count": 1}))
    out = scc("import-legacy", "--file", str(scan))
    assert "Created 1 events, 3 bookings" in out
    export = tmp_path / "export.json.gz"
    lines = [json.dumps({"Item": i}) for i in ITEMS[:2]] + ["{oops"]
    export.write_bytes(gzip.compress("\n".join(lines).encode()))
    out = scc("import-legacy", "--file", str(export), code=2)
    assert "  line 3: not JSON (Expecting property name enclosed in double quotes)" in out
    assert "Created 1 events, 1 bookings" in out
    assert _store_counts()[:3] == (2, 4, 2)


def test_a_mapping_file_names_other_attributes(scc, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'event_id = "trip"\nstarts_at = "when"\nprice_cents = "fare"\n'
        'timezone = "Europe/London"\n'
        '[participant]\nid = "guest"\npayment = "settled"\nattendance = "aboard"\n'
    )
    item = {"trip": {"S": "T-1"}, "title": {"S": "Thames"}, "when": {"S": "2026-08-01T09:00"},
            "fare": {"N": "1500"}, "participants": {"L": [{"M": {
                "guest": {"N": "7"}, "name": {"S": "Em"}, "email": {"S": "em@example.org"},
                "settled": {"S": "yes"}, "aboard": {"S": "no"}}}]}}  # fmt: skip
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"Items": [item]}))
    out = scc("import-legacy", "--file", str(scan), "--mapping", str(mapping))
    assert "T-1: created event 'Thames' (2026-08-01) with 1 bookings, 0 check-ins" in out
    store = build_store(Settings.from_env())
    [event] = store.list_events()
    assert event.starts_at.isoformat() == "2026-08-01T08:00:00+00:00"
    [booking] = store.list_bookings(event.id)
    assert (booking.legacy_id, booking.amount_paid_cents, booking.checked_in) == ("7", 1500, False)
    store.close()


MISSING = "Cannot read missing.json: [Errno 2] No such file or directory: 'missing.json'"
NOT_JSON = "The mapping broken.json is not valid JSON: Expecting value: line 1 column 1 (char 0)"


@pytest.mark.parametrize(
    "args,message",
    [
        ((), "Give either --table NAME or --file PATH."),
        (("--file", "missing.json"), MISSING),
        (("--file", "x.json", "--mapping", "bad.toml"), "bad.toml: Unknown field 'colour' in "
         "the mapping."),
        (("--file", "x.json", "--mapping", "broken.json"), NOT_JSON),
        (("--file", "x.json", "--mapping", "tz.toml"), "Unknown timezone 'Mars/Olympus' in "
         "the mapping."),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_line(scc, tmp_path: Path, args: tuple, message: str) -> None:
    (tmp_path / "x.json").write_text('{"Items": []}')
    (tmp_path / "bad.toml").write_text('colour = "red"\n')
    (tmp_path / "broken.json").write_text("")
    (tmp_path / "tz.toml").write_text('timezone = "Mars/Olympus"\n')
    assert scc("import-legacy", *args, code=2).strip() == message


def test_missing_credentials_are_one_line(scc, tmp_path: Path, monkeypatch) -> None:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # it keeps credentials it found
    out = scc("import-legacy", "--table", "roster", "--region", "us-east-1", code=2)
    assert out.strip() == (
        "No AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
    )
    assert _store_counts() == (0, 0, 0, 0)


def test_a_store_without_its_schema_is_one_line(scc, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SCC_VAR_DIR", str(tmp_path / "empty"))
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"Items": ITEMS[:1]}))
    out = scc("import-legacy", "--file", str(scan), "--dry-run", code=2)
    assert out.strip() == (
        "The store failed (OperationalError: (sqlite3.OperationalError) no such table: events)."
        " Has `scc init-db` been run? (--debug for details)"
    )


def test_send_booking_emails_queues_one_per_new_booking(scc, tmp_path: Path) -> None:
    scan = tmp_path / "scan.json"
    scan.write_text(json.dumps({"Items": ITEMS[:1], "Count": 1}))
    out = scc("import-legacy", "--file", str(scan), "--send-booking-emails")
    assert "Created 1 events, 3 bookings" in out
    store = build_store(Settings.from_env())
    [event] = store.list_events()
    booked = {
        b.patron_email for b in store.list_bookings(event.id) if "@no-email" not in b.patron_email
    }
    mails = store.list_outbox()
    store.close()
    assert {m.kind for m in mails} == {"booking_confirmed"}
    assert sorted(m.to for m in mails) == sorted(booked)
