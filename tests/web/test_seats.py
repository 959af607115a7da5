"""A waiver per person: the booker names the party's seats and gets each its own signing
link; crew record a paper waiver per seat; the roster counts signed seats and a booking is
ready only when every seat is signed. Both backends (see the ``api`` fixture)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests import waiver_factories as w

SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', html))


def _sign_form(html: str, name: str) -> dict[str, str]:
    f = _fields(html)
    keep = ("form_token", "template_id", "template_version", "template_sha256", "seat")
    return {
        **{k: f[k] for k in keep},
        "signer_name": name,
        "signature": w.png_data_url(),
        "agree": "on",
    }


def _roster_entry(api, event_id: str) -> dict:
    return api.get(f"/api/events/{event_id}/roster").json()["roster"][0]


def test_paper_waiver_per_seat_counts_towards_ready(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Seaworth", party_size=3)["patron_id"]
    api.post(f"/api/events/{event['id']}/{pid}/payment", {"amount_cents": 13500, "method": "cash"})
    api.post(f"/api/events/{event['id']}/{pid}/attendance", {"checked_in": True})
    entry = _roster_entry(api, event["id"])
    assert (entry["waivers_signed"], entry["waiver_signed"], entry["ready"]) == (0, False, False)
    paper = f"/api/events/{event['id']}/{pid}/seats"
    r = api.post(f"{paper}/2/paper")
    assert r.status_code == 200, r.text
    assert (r.json()["waivers_signed"], r.json()["ready"]) == (1, False)
    assert r.json()["seats"] == [
        {"no": 2, "name": "", "minor": False, "signed": True, "waiver_kind": "paper"}
    ]
    again = api.post(f"{paper}/2/paper")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "A waiver is already on file for this person."
    assert api.post(f"{paper}/4/paper").status_code == 404
    assert api.post(f"{paper}/0/paper").status_code == 422
    assert api.post(f"/api/events/{event['id']}/pat_nope/seats/1/paper").status_code == 404
    api.post(f"{paper}/1/paper")
    done = api.post(f"{paper}/3/paper").json()
    assert (done["waivers_signed"], done["waiver_signed"], done["waiver_kind"], done["ready"]) == (
        3,
        True,
        "paper",
        True,
    )
    counts = api.get(f"/api/events/{event['id']}/roster").json()["counts"]
    assert (counts["waivers"], counts["ready"]) == (1, 1)
    actions = [a["action"] for a in api.get(f"/api/audit?patron_id={pid}").json()["entries"]]
    assert actions[:3] == ["waiver.paper_confirmed"] * 3


def test_whole_booking_paper_waiver_still_covers_the_party(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Seaworth", party_size=4)["patron_id"]
    r = api.post(f"/api/events/{event['id']}/{pid}/waiver", {})
    assert r.status_code == 200, r.text
    entry = _roster_entry(api, event["id"])
    assert (entry["waivers_signed"], entry["waiver_signed"]) == (4, True)
    assert entry["seats"] == []  # no one named: every seat is covered by the booking's waiver
    assert api.post(f"/api/events/{event['id']}/{pid}/seats/1/paper").status_code == 409


def test_booker_names_seats_and_sends_a_seat_its_own_link(api) -> None:
    t = api.post("/api/waiver-templates", {"name": "Boat", "text": w.WAIVER_TEXT}).json()
    event = api.event(waiver_template_id=t["id"])
    booking = api.patron(event["id"], "Ann Seaworth", party_size=2)
    token = booking["guest_url"].rsplit("/", 1)[1]
    page = api.client.get(f"/g/{token}")
    assert page.status_code == 200 and "0 of 2 signed" in page.text
    form = {
        "form_token": _fields(page.text)["form_token"],
        "name_1": "Ann Seaworth",
        "name_2": "Bea Seaworth",
        "minor_2": "on",
    }
    r = api.client.post(f"/g/{token}/seats", data=form, headers=SAME_ORIGIN, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/g/{token}#seats")
    bad = api.client.post(
        f"/g/{token}/seats", data={**form, "name_1": "x" * 201}, headers=SAME_ORIGIN
    )
    assert bad.status_code == 400 and "Please type a name of 1 to 200 characters." in bad.text
    r = api.client.post(
        f"/g/{token}/seats/2/link",
        data={"form_token": form["form_token"]},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/g/{token}#seat-2")
    page = api.client.get(f"/g/{token}").text
    link = re.search(r'id="link-2" value="http://testserver(/g/seat/[^"]+)"', page).group(1)
    assert link.startswith(f"/g/seat/{event['id']}/{booking['patron_id']}/2/")
    secret = link.rsplit("/", 1)[1]
    assert len(secret) == 32
    # the link signs seat 2 only: another seat number or secret is a plain 404
    assert api.client.get(link.replace("/2/", "/1/")).status_code == 404
    assert api.client.get(link[:-4] + "AAAA").status_code == 404
    seat_page = api.client.get(link)
    assert seat_page.status_code == 200
    assert "For Bea Seaworth" in seat_page.text and "Ann Seaworth" not in seat_page.text
    assert 'id="minor" checked' in seat_page.text
    sign = {
        **_sign_form(seat_page.text, "Bea Seaworth"),
        "minor": "on",
        "guardian_name": "Ann Seaworth",
        "guardian_relationship": "Mother",
    }
    r = api.client.post(link, data=sign, headers=SAME_ORIGIN)
    assert r.status_code == 200
    assert "Thank you, Bea Seaworth: your waiver is signed." in r.text
    assert api.client.get(link).status_code == 404  # the link is spent
    entry = _roster_entry(api, event["id"])
    assert (entry["waivers_signed"], entry["waiver_signed"]) == (1, False)
    # the booker signs the other seat on the phone: the booking's waiver is complete
    own = api.client.get(f"/g/{token}/waiver")
    assert 'name="seat" value="1"' in own.text and "Full name of Ann Seaworth" in own.text
    r = api.client.post(
        f"/g/{token}/waiver",
        data=_sign_form(own.text, "Ann Seaworth"),
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    entry = _roster_entry(api, event["id"])
    assert (entry["waivers_signed"], entry["waiver_signed"], entry["waiver_kind"]) == (
        2,
        True,
        "electronic",
    )
    pdf = api.client.get(f"/g/{token}/waiver.pdf")
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    assert len(pages) == 2
    assert "Typed name: Ann Seaworth" in pages[0].extract_text()
    second = pages[1].extract_text()
    assert "Typed name: Bea Seaworth" in second and "Guardian: Ann Seaworth (Mother)" in second


def test_booker_emails_a_person_their_own_link(api) -> None:
    from shipcaptaincrew.services.outbox import build_email

    t = api.post("/api/waiver-templates", {"name": "Boat", "text": w.WAIVER_TEXT}).json()
    event = api.event(waiver_template_id=t["id"])
    booking = api.patron(event["id"], "Ann Seaworth", party_size=2)
    token = booking["guest_url"].rsplit("/", 1)[1]
    form_token = _fields(api.client.get(f"/g/{token}").text)["form_token"]
    names = {
        "form_token": form_token,
        "name_1": "Ann Seaworth",
        "name_2": "Bea Seaworth",
        "email_2": "Bea@Example.org",
    }
    r = api.client.post(
        f"/g/{token}/seats", data=names, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert r.status_code == 303
    post = {"form_token": form_token}
    no_email = api.client.post(f"/g/{token}/seats/1/email", data=post, headers=SAME_ORIGIN)
    assert no_email.status_code == 400
    assert "Please type this person&#39;s email first." in no_email.text
    sent = api.client.post(f"/g/{token}/seats/2/email", data=post, headers=SAME_ORIGIN)
    assert sent.status_code == 200
    assert "The signing link is on its way to Bea Seaworth." in sent.text
    again = api.client.post(f"/g/{token}/seats/2/email", data=post, headers=SAME_ORIGIN)
    assert again.status_code == 409 and "The link was emailed a moment ago." in again.text
    messages = [m for m in api.ctx.store.list_outbox() if m.kind == "seat_link"]
    assert [(m.to, m.payload, m.status) for m in messages] == [
        ("bea@example.org", {"seat": 2}, "queued")
    ]
    link = re.search(r'id="link-2" value="([^"]+)"', sent.text).group(1)
    email = build_email(api.ctx, messages[0])
    assert email["To"] == "Bea Seaworth <bea@example.org>"
    assert email["Subject"] == "Please sign your waiver for Sunset Cruise"
    body = email.get_content()
    assert link in body and "Ann Seaworth booked you on Sunset Cruise" in body
    audit = api.get(f"/api/audit?patron_id={booking['patron_id']}").json()["entries"]
    assert audit[0]["action"] == "seat.link_emailed"
