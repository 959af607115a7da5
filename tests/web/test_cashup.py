"""The crew's cash-up: three crew members, a planted shortfall, the close and a recount
after it, CSV and PDF."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader

from shipcaptaincrew.domain.models import Role
from tests.web.conftest import Api


def _day(api: Api) -> str:
    event = api.event()
    eid = event["id"]
    takings = [
        (Role.CREW, "Ann", 4500, "cash"),
        (Role.CREW, "Ben", 4500, "cash"),
        (Role.CREW, "Cy", 2000, "card"),
        (Role.CAPTAIN, "Dee", 4500, "cash"),
        (Role.CAPTAIN, "Eve", 3000, "check"),
        (Role.ADMIN, "Fay", 4500, "cash"),
    ]
    for role, name, cents, method in takings:
        pid = api.patron(eid, name)["patron_id"]
        r = api.post(
            f"/api/events/{eid}/{pid}/payment", {"amount_cents": cents, "method": method}, role
        )
        assert r.status_code == 201, r.text
        if name == "Fay":  # the admin handed 10.00 back
            refund = api.post(
                f"/api/payments/{r.json()['payment']['id']}/refund",
                {"amount_cents": 1000, "reason": "came alone"},
            )
            assert refund.status_code == 201, refund.text
    return eid


def _rows(body: dict) -> list[tuple]:
    return [
        (
            r["crew_name"],
            r["method"],
            r["expected_cents"],
            r["counted_cents"],
            r["difference_cents"],
        )
        for r in body["rows"]
    ]


def test_three_crew_count_up_with_a_shortfall_then_close(api: Api) -> None:
    eid = _day(api)
    base = f"/api/events/{eid}/cashup"
    crew_id = api.get("/api/me", role=Role.CREW).json()["crew"]["id"]
    captain_id = api.get("/api/me", role=Role.CAPTAIN).json()["crew"]["id"]

    def count(role: Role, method: str, cents: int, note: str = "", **kw: str):
        return api.post(
            f"{base}/counts", {"method": method, "counted_cents": cents, "note": note, **kw}, role
        )

    assert count(Role.CREW, "cash", 8500, "5 short, looked everywhere").status_code == 201
    assert count(Role.CREW, "card", 2000).status_code == 201
    other = count(Role.CREW, "cash", 4500, crew_id=captain_id)
    assert other.status_code == 403
    assert count(Role.CAPTAIN, "cash", 4500).status_code == 201
    assert count(Role.CAPTAIN, "check", 3000).status_code == 201
    assert (
        count(
            Role.CAPTAIN, "cash", 3500, crew_id=api.get("/api/me").json()["crew"]["id"]
        ).status_code
        == 201
    )
    assert count(Role.CREW, "stripe", 1).status_code == 422

    mine = api.get(base, role=Role.CREW).json()
    assert _rows(mine) == [
        ("Crew Person", "card", 2000, 2000, 0),
        ("Crew Person", "cash", 9000, 8500, -500),
    ]
    everyone = api.get(base, role=Role.CAPTAIN).json()
    assert _rows(everyone) == [
        ("Admin Person", "cash", 3500, 3500, 0),
        ("Captain Person", "cash", 4500, 4500, 0),
        ("Captain Person", "check", 3000, 3000, 0),
        ("Crew Person", "card", 2000, 2000, 0),
        ("Crew Person", "cash", 9000, 8500, -500),
    ]
    assert everyone["closed"] is None
    before = api.get(f"{base}.pdf", role=Role.CAPTAIN)
    text = PdfReader(io.BytesIO(before.content)).pages[0].extract_text()
    assert "Not closed yet" in text and "-$5.00" in text and "5 short" in text

    assert api.post(f"{base}/close", role=Role.CREW).status_code == 403
    closed = api.post(f"{base}/close", role=Role.CAPTAIN)
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed"]["closed_by"] == captain_id
    again = api.post(f"{base}/close", role=Role.ADMIN)
    assert (again.status_code, again.json()["error"]["message"]) == (
        409,
        "This event's cash-up is closed already.",
    )
    # the crew member finds the 5.00: a correction after closing, the closed count kept
    assert count(Role.CREW, "cash", 9000, "found it in the float").status_code == 201
    [cash] = [r for r in api.get(base, role=Role.CREW).json()["rows"] if r["method"] == "cash"]
    assert (cash["counted_cents"], cash["difference_cents"], cash["after_close"]) == (
        9000,
        0,
        True,
    )
    assert (cash["closed_count_cents"], cash["note"]) == (8500, "found it in the float")
    assert cash["crew_id"] == crew_id

    assert api.get(f"{base}.csv", role=Role.CREW).status_code == 403
    sheet = api.get(f"{base}.csv", role=Role.CAPTAIN)
    assert sheet.status_code == 200
    rows = list(csv.reader(io.StringIO(sheet.text)))
    assert rows[0][:6] == [
        "crew_id",
        "crew_name",
        "method",
        "expected_cents",
        "counted_cents",
        "difference_cents",
    ]
    assert [(r[1], r[2], r[4], r[5], r[9], r[10]) for r in rows[1:]] == [
        ("Admin Person", "cash", "3500", "0", "", "3500"),
        ("Captain Person", "cash", "4500", "0", "", "4500"),
        ("Captain Person", "check", "3000", "0", "", "3000"),
        ("Crew Person", "card", "2000", "0", "", "2000"),
        ("Crew Person", "cash", "9000", "0", "yes", "8500"),
    ]
    pdf = api.get(f"{base}.pdf", role=Role.ADMIN)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Closed by Captain Person" in text
    assert "AFTER CLOSING (was $85.00 at close)" in text
    audit = [e.action for e in api.ctx.store.list_audit(event_id=eid)]
    assert audit.count("cashup.counted") == 6 and audit.count("cashup.closed") == 1
