"""The boarding gate through the API: boarding someone unpaid or without a waiver anyway
needs a reason, and the audit trail records it with what was missing."""

from __future__ import annotations

from shipcaptaincrew.domain.models import Role


def test_board_anyway_needs_a_reason_and_is_audited_with_what_was_missing(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Lee")["patron_id"]
    url = f"/api/events/{event['id']}/{pid}/attendance"
    blank = api.post(url, {"checked_in": True, "board_anyway": "   "}, role=Role.CREW)
    assert blank.status_code == 422
    assert blank.json()["error"]["message"] == (
        "Boarding anyway needs a reason (for example: paying by invoice)."
    )
    assert api.get(f"/api/events/{event['id']}/roster").json()["counts"]["checked_in"] == 0

    ok = api.post(url, {"checked_in": True, "board_anyway": " pays by invoice "}, role=Role.CREW)
    assert ok.status_code == 200, ok.text
    assert ok.json()["checked_in"] is True
    entries = api.get(f"/api/audit?patron_id={pid}").json()["entries"]
    [entry] = [e for e in entries if e["action"] == "attendance.checked_in"]
    assert entry["actor_name"] == "Crew Person"
    assert (entry["data"]["board_anyway"], entry["data"]["missing"]) == (
        "pays by invoice",
        ["payment", "waiver"],
    )
