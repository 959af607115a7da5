"""The real server (``scc serve``) with the console backend, as in ``make run``: it answers
over HTTP, and a logged payment becomes a .eml file under var/outbox/ with the receipt
attached; ``scc outbox`` lists it and refuses to send it twice. One server for the module."""

from __future__ import annotations

import email
import io
import subprocess
import time
from collections.abc import Iterator
from email.policy import default

import pypdf
import pytest

from tests.server import LiveServer, running

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running(tmp_path_factory.mktemp("live")) as server:
        yield server


def test_health_and_login(live_server) -> None:
    client = live_server.login()
    assert client.get("/api/health").json() == {"status": "ok"}
    me = client.get("/api/me").json()
    assert me["crew"]["email"] == "admin@example.org"
    assert me["crew"]["role"] == "admin"


def _wait_for_eml(folder, count: int = 1, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml")) if folder.exists() else []
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError("no .eml file was written")


def test_payment_in_make_run_writes_an_eml_with_the_receipt(live_server) -> None:
    client = live_server.login()
    event = client.post(
        "/api/events",
        json={
            "title": "Harbour Tour",
            "starts_at": "2030-07-01T18:00:00+00:00",
            "price_cents": 3000,
            "currency": "USD",
        },
    ).json()
    patron = client.post(
        f"/api/events/{event['id']}/roster",
        json={"name": "Isla O'Brien", "email": "isla@example.com"},
    ).json()
    r = client.post(
        f"/api/events/{event['id']}/{patron['patron_id']}/payment",
        json={"amount_cents": 3000, "method": "cash"},
    )
    assert r.status_code == 201
    receipt_no = r.json()["payment"]["receipt_no"]
    files = _wait_for_eml(live_server.var_dir / "outbox", count=2)
    mails = {p: email.message_from_bytes(p.read_bytes(), policy=default) for p in files}
    [(booked_path, booked)] = [(p, m) for p, m in mails.items() if "booked" in m["Subject"]]
    assert booked["Subject"] == "You're booked: Harbour Tour, Mon 01 Jul 18:00"
    assert [a.get_filename() for a in booked.iter_attachments()] == ["event.ics"]
    [(path, msg)] = [(p, m) for p, m in mails.items() if p != booked_path]
    assert msg["To"] == "Isla O'Brien <isla@example.com>"
    assert msg["Subject"] == f"Payment received: receipt {receipt_no} for Harbour Tour"
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_filename() == f"receipt-{receipt_no}.pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert "Amount $30.00 (USD)" in text

    listing = live_server.scc("outbox", "list").stdout
    [line] = [x for x in listing.splitlines() if "payment_receipt" in x]
    message_id, status, attempts = line.split()[:3]
    assert (status, attempts) == ("sent", "1")
    assert path.name == f"{message_id}.eml"
    [booked_line] = [x for x in listing.splitlines() if "booking_confirmed" in x]
    assert booked_line.split()[1:3] == ["sent", "1"]
    assert live_server.scc("outbox", "run").stdout == "0 sent, 0 to retry, 0 failed\n"
    with pytest.raises(subprocess.CalledProcessError) as caught:
        live_server.scc("outbox", "retry", message_id)
    assert "This message is sent" in caught.value.stderr
