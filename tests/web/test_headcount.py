"""Headcount through the API: persons aboard and back per party (a party can split), the
captain's passenger list (JSON and PDF), and closing an event while someone is out."""

from __future__ import annotations

import io

import pypdf

from shipcaptaincrew.domain.models import Role


def _board(api, event_id, pid, aboard, returned):
    return api.post(
        f"/api/events/{event_id}/{pid}/headcount",
        {"aboard": aboard, "returned": returned},
        role=Role.CREW,
    )


def _seat(api, event_id, name, party):
    pid = api.patron(event_id, name, party_size=party)["patron_id"]
    r = api.post(f"/api/events/{event_id}/{pid}/attendance", {"checked_in": True})
    assert r.status_code == 200, r.text
    return pid


def test_aboard_7_returned_5_lists_the_2_still_out(api) -> None:
    event = api.event(capacity=20)
    eid = event["id"]
    lee = _seat(api, eid, "Ann Lee", 4)
    ng = _seat(api, eid, "Cy Ng", 3)
    ek = api.patron(eid, "Bo Ek", party_size=2)["patron_id"]  # never checked in
    refused = _board(api, eid, ek, 1, 0)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "Check the patron in before they go aboard."
    too_many = _board(api, eid, lee, 5, 0)
    assert too_many.status_code == 422
    back_before_out = _board(api, eid, lee, 2, 3)
    assert back_before_out.status_code == 422

    r = _board(api, eid, lee, 4, 4)
    assert (r.status_code, r.json()["aboard"], r.json()["returned"]) == (200, 4, 4)
    assert _board(api, eid, ng, 3, 1).status_code == 200  # the party split: 2 still out

    listed = api.get(f"/api/events/{eid}/passengers", role=Role.CREW).json()
    assert (listed["aboard"], listed["returned"], listed["still_out"]) == (7, 5, 2)
    assert listed["generated_at"] == "2026-07-01T12:00:00Z"
    assert [(p["name"], p["party_size"], p["still_out"]) for p in listed["passengers"]] == [
        ("Ann Lee", 4, 0),
        ("Cy Ng", 3, 2),
    ]
    pdf = api.get(f"/api/events/{eid}/passengers.pdf", role=Role.CREW)
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Aboard 7 · Returned 5 · Still out 2" in text
    lines = [line for line in text.splitlines() if line.startswith(("Ann Lee", "Cy Ng"))]
    assert lines[0].startswith("Cy Ng")  # still out first
    assert "Made Wed 01 Jul 2026, 12:00 UTC" in text

    entries = api.get(f"/api/audit?patron_id={ng}").json()["entries"]
    [changed] = [e for e in entries if e["action"] == "headcount.changed"]
    assert changed["data"]["aboard"] == 3 and changed["data"]["previous"] == {
        "aboard": 0,
        "returned": 0,
    }


def test_closing_with_people_out_needs_a_captains_reason(api) -> None:
    event = api.event()
    eid = event["id"]
    pid = _seat(api, eid, "Ann Lee", 2)
    assert _board(api, eid, pid, 2, 0).status_code == 200
    crew = api.post(f"/api/events/{eid}/close", {"reason": "all fine"}, role=Role.CREW)
    assert crew.status_code == 403
    blank = api.post(f"/api/events/{eid}/close", {}, role=Role.CAPTAIN)
    assert blank.status_code == 409
    assert blank.json()["error"]["message"] == (
        "2 persons are still out: a captain closes the event with a reason."
    )
    patch = api.patch(f"/api/events/{eid}", {"status": "done"})
    assert patch.status_code == 409
    assert api.get(f"/api/events/{eid}").json()["status"] == "scheduled"
    closed = api.post(
        f"/api/events/{eid}/close", {"reason": "two stayed on the island"}, role=Role.CAPTAIN
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "done"
    entries = api.get(f"/api/audit?event_id={eid}&limit=1").json()["entries"]
    assert entries[0]["data"]["still_out"] == {"count": 2, "reason": "two stayed on the island"}
