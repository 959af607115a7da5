"""Headcount through the API: persons aboard and back per party (a party can split), the
captain's passenger list (JSON, printable page and PDF), and closing an event while someone
is out."""

from __future__ import annotations

import io
import re

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


SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _text(html: str) -> str:
    """An element's text: notes joined by "; ", other tags dropped, spaces collapsed."""
    html = html.replace('</span><span class="note">', "; ")
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _by_id(html: str, tag: str, id_: str) -> str:
    return re.search(rf'<{tag} [^>]*id="{id_}"[^>]*>(.*?)</{tag}>', html, re.S).group(1)


def _name_seats(api, guest_url: str, people: dict[str, str]) -> None:
    token = guest_url.rsplit("/", 1)[1]
    page = api.client.get(f"/g/{token}").text
    form = {"form_token": re.search(r'name="form_token" value="([^"]*)"', page).group(1)}
    r = api.client.post(
        f"/g/{token}/seats", data={**form, **people}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert r.status_code == 303, r.text


def test_printable_passenger_list_names_those_out_with_their_notes(api) -> None:
    eid = api.event(capacity=20)["id"]
    r = api.post(
        f"/api/events/{eid}/roster",
        {"name": "Ann Lee", "email": "ann@example.org", "phone": "+1 555 0100", "party_size": 4},
    )
    lee = r.json()["patron_id"]
    assert api.post(f"/api/events/{eid}/{lee}/waiver", {"kind": "paper"}).status_code == 200
    assert api.post(f"/api/events/{eid}/{lee}/attendance", {"checked_in": True}).status_code == 200
    ng = _seat(api, eid, "Cy Ng", 3)
    roster = api.get(f"/api/events/{eid}/roster").json()["roster"]
    guest_url = next(b["guest_url"] for b in roster if b["patron_id"] == ng)
    _name_seats(api, guest_url, {"name_1": "Cy Ng", "name_2": "Dee Ng", "minor_2": "on"})
    _seat(api, eid, "Bo Ek", 2)  # checked in, never aboard: not on the list
    assert _board(api, eid, lee, 4, 4).status_code == 200
    assert _board(api, eid, ng, 3, 1).status_code == 200

    page = api.get(f"/api/events/{eid}/passengers.html", role=Role.CREW)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert "<style" not in html and not re.search(r"<script(?! src=)", html)
    assert re.findall(r'(?:href|src)="(/g/assets/[^"]+)"', html) == [
        "/g/assets/passengers.css",
        "/g/assets/passengers.js",
    ]
    assert _text(_by_id(html, "p", "made")) == "Made Wed 01 Jul 2026, 12:00 UTC"
    assert '<time datetime="2026-07-01T12:00:00+00:00">' in html
    assert _text(_by_id(html, "p", "totals")) == "Aboard 7 · Returned 5 · Still out 2"
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", _by_id(html, "ul", "still-out"))] == [
        "Cy Ng: 2 of 3 out"
    ]
    rows = re.findall(r"<tr(?: [^>]*)?>(.*?)</tr>", _by_id(html, "table", "parties"), re.S)
    cells = [[_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in rows]
    assert cells == [
        ["Name", "Phone", "Party", "Aboard", "Back", "Out", "Notes"],
        ["Cy Ng", "-", "3", "3", "1", "2",
         "People: Cy Ng, Dee Ng (minor); No waiver for 3 of 3; No phone on file"],
        ["Ann Lee", "+1 555 0100", "4", "4", "4", "0", ""],
    ]  # fmt: skip
    assert f'href="/api/events/{eid}/passengers.pdf"' in html

    listed = api.get(f"/api/events/{eid}/passengers", role=Role.CREW).json()
    assert [(p["name"], p["notes"]) for p in listed["passengers"]] == [
        ("Ann Lee", []),
        ("Cy Ng", ["People: Cy Ng, Dee Ng (minor)", "No waiver for 3 of 3", "No phone on file"]),
    ]
    pdf = api.get(f"/api/events/{eid}/passengers.pdf", role=Role.CREW)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "People: Cy Ng, Dee Ng (minor); No waiver for 3 of 3; No phone on file" in text


def test_passenger_page_needs_a_signed_in_crew_member(api) -> None:
    eid = api.event()["id"]
    path = f"/api/events/{eid}/passengers.html"
    anonymous = api.client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"
    assert api.client.get(path, headers={"Cookie": "scc_session=not-a-token"}).status_code == 401
    # The console's link opens it with the session cookie, as it opens the PDF.
    cookie = {"Cookie": f"scc_session={api.tokens[Role.CREW]}"}
    r = api.client.get(path, headers=cookie)
    assert r.status_code == 200
    assert _text(_by_id(r.text, "p", "still-out")) == "Nobody is still out."
    assert _text(_by_id(r.text, "p", "parties")) == "Nobody has gone aboard yet."
    missing = api.get("/api/events/evt_nope/passengers.html")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
