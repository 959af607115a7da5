"""The waiver kiosk: started, listed and revoked by admins and captains; its token opens
only /g/kiosk/ pages of its one event (search by surname, sign a seat) until the end of
the day. Runs in-process on SQLite and through the Lambda handler on DynamoDB."""

from __future__ import annotations

import re

from shipcaptaincrew.domain.models import Role
from tests import waiver_factories as w

SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _event_with_waiver(api) -> dict:
    t = api.post("/api/waiver-templates", {"name": "Boat", "text": w.WAIVER_TEXT})
    assert t.status_code == 201
    return api.event(waiver_template_id=t.json()["id"])


def _start(api, event_id: str, role: Role = Role.ADMIN):
    return api.post(f"/api/events/{event_id}/kiosks", role=role)


def test_start_list_and_revoke_by_managers_only(api) -> None:
    event = api.event()
    assert _start(api, event["id"], Role.CREW).status_code == 403
    r = _start(api, event["id"], Role.CAPTAIN)
    assert r.status_code == 201, r.text
    body = r.json()
    token, kiosk = body["token"], body["kiosk"]
    assert len(token) >= 43 and body["url"] == f"http://testserver/g/kiosk/{token}"
    # the clock is 2026-07-01 12:00 UTC and SCC_TIMEZONE is UTC: the kiosk ends at midnight
    assert (kiosk["started_at"], kiosk["expires_at"]) == (
        "2026-07-01T12:00:00Z",
        "2026-07-02T00:00:00Z",
    )
    assert api.client.get(f"/g/kiosk/{token}").status_code == 200
    assert api.get(f"/api/events/{event['id']}/kiosks", role=Role.CREW).status_code == 403
    listed = api.get(f"/api/events/{event['id']}/kiosks", role=Role.CAPTAIN)
    assert listed.status_code == 200
    assert [k["id"] for k in listed.json()["kiosks"]] == [kiosk["id"]]
    revoke = f"/api/events/{event['id']}/kiosks/{kiosk['id']}/revoke"
    assert api.post(revoke, role=Role.CREW).status_code == 403
    r = api.post(revoke)
    assert r.status_code == 200
    assert r.json()["revoked_at"] == "2026-07-01T12:00:00Z"
    assert api.post(revoke).json() == r.json()  # revoking again changes nothing
    page = api.client.get(f"/g/kiosk/{token}")
    assert page.status_code == 404 and "This kiosk has ended." in page.text
    missing = api.post(f"/api/events/{event['id']}/kiosks/ksk_nope/revoke")
    assert missing.status_code == 404
    assert api.post("/api/events/evt_nope/kiosks").status_code == 404
    actions = [a["action"] for a in api.get(f"/api/audit?event_id={event['id']}").json()["entries"]]
    assert actions[:2] == ["kiosk.revoked", "kiosk.started"]


def test_kiosk_ends_at_the_end_of_the_day(api) -> None:
    event = api.event()
    token = _start(api, event["id"]).json()["token"]
    api.ctx.clock.advance(hours=11, minutes=59)
    assert api.client.get(f"/g/kiosk/{token}").status_code == 200
    api.ctx.clock.advance(minutes=1)
    assert api.client.get(f"/g/kiosk/{token}").status_code == 404


def test_search_lists_first_names_and_party_sizes_only(api) -> None:
    event = api.event()
    api.patron(event["id"], "Ann Seaworth", "ann@example.org", party_size=2)
    api.patron(event["id"], "Bob Séaview", "bob@example.org")
    api.patron(event["id"], "Cat Other", "cat@example.org")
    other = api.event(title="Another trip")
    api.patron(other["id"], "Dan Seaborne", "dan@example.org")
    token = _start(api, event["id"]).json()["token"]
    page = api.client.get(f"/g/kiosk/{token}", params={"q": "SEA"})
    assert page.status_code == 200
    found = re.findall(r'href="/g/kiosk/[^"]+/p/(pat_\w+)">([^<]+)</a>', page.text)
    assert [text for _id, text in found] == ["Ann: party of 2", "Bob: party of 1"]
    for secret in ("ann@example.org", "Seaworth", "Dan", "$", "45.00", "Cat"):
        assert secret not in page.text
    short = api.client.get(f"/g/kiosk/{token}", params={"q": "se"})
    assert short.status_code == 400
    assert "Please type at least 3 letters of the surname." in short.text
    none = api.client.get(f"/g/kiosk/{token}", params={"q": "zzz"})
    assert "No booking found for that surname." in none.text


def test_kiosk_signs_a_seat_and_goes_back_to_the_search(api) -> None:
    event = _event_with_waiver(api)
    patron = api.patron(event["id"], "Ann Seaworth", party_size=2)
    pid = patron["patron_id"]
    token = _start(api, event["id"]).json()["token"]
    party = api.client.get(f"/g/kiosk/{token}/p/{pid}")
    assert party.status_code == 200
    assert "Sign for Person 1" in party.text and "Sign for Person 2" in party.text
    form_page = api.client.get(f"/g/kiosk/{token}/p/{pid}/2")
    assert form_page.status_code == 200
    assert f'data-kiosk-home="/g/kiosk/{token}"' in form_page.text
    assert '<script src="/g/assets/kiosk.js" defer></script>' in form_page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form_page.text))
    form = {
        **{k: fields[k] for k in ("form_token", "template_id", "template_version")},
        "template_sha256": fields["template_sha256"],
        "seat": "2",
        "signer_name": "Bea Seaworth",
        "minor": "on",
        "guardian_name": "Ann Seaworth",
        "guardian_relationship": "Mother",
        "signature": w.png_data_url(),
        "agree": "on",
    }
    r = api.client.post(
        f"/g/kiosk/{token}/p/{pid}/2", data=form, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/g/kiosk/{token}?done=1")
    done = api.client.get(f"/g/kiosk/{token}?done=1")
    assert "Thank you: the waiver is signed. Next, please." in done.text
    booking = api.get(f"/api/events/{event['id']}/{pid}/payment")
    assert booking.status_code == 200
    roster = api.get(f"/api/events/{event['id']}/roster").json()["roster"]
    assert [(b["waivers_signed"], b["waiver_signed"], b["ready"]) for b in roster] == [
        (1, False, False)
    ]
    assert roster[0]["seats"] == [  # only the people named or signed so far are listed
        {
            "no": 2,
            "name": "Bea Seaworth",
            "minor": True,
            "signed": True,
            "waiver_kind": "electronic",
        },
    ]
    again = api.client.get(f"/g/kiosk/{token}/p/{pid}/2", follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, f"/g/kiosk/{token}/p/{pid}")
    audit = api.get(f"/api/audit?patron_id={pid}").json()["entries"]
    assert audit[0]["action"] == "waiver.signed"
    assert audit[0]["data"]["via"].startswith("kiosk:ksk_")
    assert audit[0]["data"]["seat"] == 2


def test_kiosk_token_opens_nothing_else(api) -> None:
    event = api.event()
    pid = api.patron(event["id"], "Ann Seaworth")["patron_id"]
    other = api.event(title="Another trip")
    other_pid = api.patron(other["id"], "Dan Seaborne")["patron_id"]
    token = _start(api, event["id"]).json()["token"]
    kiosk = {"Authorization": f"Bearer {token}"}
    for method, path in [
        ("GET", "/api/me"),
        ("GET", "/api/events"),
        ("GET", f"/api/events/{event['id']}/roster"),
        ("GET", f"/api/events/{event['id']}/kiosks"),
        ("POST", f"/api/events/{event['id']}/{pid}/waiver"),
        ("POST", f"/api/events/{event['id']}/kiosks"),
    ]:
        r = api.client.request(method, path, headers=kiosk)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated"), path
        cookie = api.client.request(method, path, headers={"cookie": f"scc_session={token}"})
        assert cookie.status_code == 401, path
    assert api.client.get(f"/g/{token}").status_code == 404  # not a guest link either
    assert api.client.get(f"/g/kiosk/{token}/p/{other_pid}").status_code == 404
    assert api.client.get(f"/g/kiosk/{token}/p/{other_pid}/1").status_code == 404
    assert api.client.get(f"/g/kiosk/{token}/p/{pid}/2").status_code == 404
    assert api.client.get(f"/g/kiosk/{'x' * 43}").status_code == 404


def test_kiosk_tokens_and_seat_secrets_are_masked_in_logs() -> None:
    from shipcaptaincrew.web.middleware import _logged_path

    assert _logged_path("/g/kiosk/SECRET/p/pat_1/2") == "/g/kiosk/-/p/pat_1/2"
    assert _logged_path("/g/kiosk/SECRET") == "/g/kiosk/-"
    assert _logged_path("/g/seat/evt_1/pat_1/2/SECRET") == "/g/seat/evt_1/pat_1/2/-"
    assert _logged_path("/g/TOKEN/seats/2/link") == "/g/-/seats/2/link"
