"""A waiver per person and the waiver kiosk in Debian's Chromium against `scc serve`: a
party of three signs on one phone (one minor, by a guardian) and the roster says 3 of 3;
a kiosk started from the console finds a patron by surname, signs, goes back to the search
by itself, and its token opens nothing else."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, card, screenshot, seed_event, sign_in
from tests.e2e.test_guest_waiver import _draw_signature

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WAIVER = "Sailing involves risk.\nI will wear a life jacket when the crew ask me to."


def _event_with_waiver(api, names: list[str]) -> dict:
    template = api.post("/api/waiver-templates", json={"name": "Boat waiver", "text": WAIVER})
    assert template.status_code == 201
    seeded = seed_event(api, [])
    r = api.patch(
        f"/api/events/{seeded['event']['id']}",
        json={"waiver_template_id": template.json()["id"]},
    )
    assert r.status_code == 200, r.text
    return seeded


def _sign(page, name: str) -> None:  # noqa: ANN001
    page.get_by_label(re.compile(r"^Full name of ")).fill(name)
    page.locator("#signature-pad").scroll_into_view_if_needed()
    _draw_signature(page)
    page.get_by_label("I have read the waiver above and agree to it").check()
    page.get_by_role("button", name="Sign the waiver").click()


def test_party_of_three_signs_on_one_phone(page, axe_page, live_server, api) -> None:
    seeded = _event_with_waiver(api, [])
    event_id = seeded["event"]["id"]
    r = api.post(
        f"/api/events/{event_id}/roster",
        json={"name": "Ann Seaworth", "email": f"ann.{event_id}@example.org", "party_size": 3},
    )
    assert r.status_code == 201
    booking = r.json()
    page.goto(booking["guest_url"])
    page.get_by_label("Person 1: full name").fill("Ann Seaworth")
    page.get_by_label("Person 2: full name").fill("Bea Seaworth")
    page.get_by_label("Person 2 is a minor").check()
    page.get_by_label("Person 3: full name").fill("Cal Seaworth")
    page.get_by_role("button", name="Save names").click()
    expect(page.locator("#seat-2")).to_contain_text("Bea Seaworth (minor): not signed yet")

    page.get_by_role("link", name="Read and sign the waiver").click()
    expect(page.locator("p.meta")).to_contain_text("For Ann Seaworth")
    _sign(page, "Ann Seaworth")
    expect(page.get_by_text("Thank you: signed. 1 of 3 waivers are signed.")).to_be_visible()

    page.get_by_role("link", name="Read and sign the waiver").click()
    expect(page.locator("p.meta")).to_contain_text("For Bea Seaworth")
    expect(
        page.get_by_label("I am signing for a minor (a parent or guardian signs)")
    ).to_be_checked()
    page.get_by_label("Guardian's full name").fill("Ann Seaworth")
    page.get_by_label("Relationship to Bea Seaworth").fill("Mother")
    screenshot(page, "seat-minor-waiver")
    _sign(page, "Bea Seaworth")
    expect(page.get_by_text("2 of 3 waivers are signed.")).to_be_visible()

    page.get_by_role("link", name="Sign now for Cal Seaworth").click()
    _sign(page, "Cal Seaworth")
    expect(page.get_by_text("All 3 waivers are signed.")).to_be_visible()
    expect(page.locator("#seat-2")).to_contain_text("Bea Seaworth (minor): signed online")
    screenshot(page, "seats-all-signed")

    pdf = api.get(f"/api/events/{event_id}/{booking['patron_id']}/waiver.pdf")
    assert pdf.status_code == 200 and pdf.content.count(b"/Type /Page\n") == 3

    other = api.post(
        f"/api/events/{event_id}/roster",
        json={"name": "Dee Access", "email": f"dee.{event_id}@example.org", "party_size": 2},
    ).json()
    sign_in(page, live_server, f"#/events/{event_id}")
    row = card(page, booking["patron_id"])
    expect(row.locator(".badges")).to_contain_text("3 of 3 waivers")
    # crew record a paper waiver for one person of another party
    dee = card(page, other["patron_id"])
    expect(dee.locator(".badges")).to_contain_text("0 of 2 waivers")
    dee.get_by_role("button", name="Paper waiver").click()
    page.get_by_role("button", name="Paper waiver for Person 1").click()
    expect(dee.locator(".badges")).to_contain_text("1 of 2 waivers")
    expect(page.get_by_role("button", name="Paper waiver for Person 1")).to_have_count(0)
    page.locator("#waiver-dialog").get_by_role("button", name="Cancel").click()

    # the seat pages have no serious accessibility violations
    axe_page.goto(other["guest_url"])
    assert axe_violations(axe_page) == []
    axe_page.get_by_role("button", name="Make their own signing link: Person 2").click()
    link = axe_page.get_by_label("Signing link for Person 2 only (send it to them)")
    seat_url = link.input_value()
    assert re.fullmatch(rf"{live_server.url}/g/seat/{event_id}/pat_\w+/2/[\w-]{{32}}", seat_url)
    assert axe_violations(axe_page) == []
    axe_page.goto(seat_url)
    assert axe_page.locator("h1").inner_text() == "Boat waiver"
    assert axe_violations(axe_page) == []


def test_kiosk_finds_signs_resets_and_opens_nothing_else(
    clock_phone, axe_page, live_server, api
) -> None:
    page = clock_phone
    seeded = _event_with_waiver(api, [])
    event_id = seeded["event"]["id"]
    r = api.post(
        f"/api/events/{event_id}/roster",
        json={"name": "Kim Harbourne", "email": f"kim.{event_id}@example.org"},
    )
    patron_id = r.json()["patron_id"]
    page.clock.install()
    sign_in(page, live_server, f"#/events/{event_id}")
    page.locator("#manage-menu > summary").click()
    page.get_by_role("button", name="Start waiver kiosk here").click()
    page.wait_for_url(re.compile(r".*/g/kiosk/[\w-]{43}$"))
    token = page.url.rsplit("/", 1)[1]
    home = page.url

    page.get_by_label("Your surname (at least 3 letters)").fill("harb")
    page.get_by_role("button", name="Find my booking").click()
    expect(page.get_by_role("link", name="Kim: party of 1")).to_be_visible()
    assert "kim." not in page.content() and "$" not in page.content()
    page.get_by_role("link", name="Kim: party of 1").click()
    page.get_by_role("link", name="Sign for Person 1").click()
    _sign(page, "Kim Harbourne")
    page.wait_for_url(f"{home}?done=1")
    expect(page.get_by_text("Thank you: the waiver is signed. Next, please.")).to_be_visible()

    # left alone for a minute, any kiosk page goes back to the empty search
    page.goto(f"{home}/p/{patron_id}")
    page.clock.run_for(61_000)
    page.wait_for_url(home)
    expect(page.get_by_label("Your surname (at least 3 letters)")).to_have_value("")

    roster = api.get(f"/api/events/{event_id}/roster").json()["roster"]
    assert [(b["waiver_signed"], b["waiver_kind"]) for b in roster] == [(True, "electronic")]

    # starting the kiosk signed crew out: the console asks for a crew sign-in
    page.goto(f"{live_server.url}/")
    expect(page.locator("#login-form")).to_be_visible()
    with httpx.Client(base_url=live_server.url) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        for path in ["/api/me", "/api/events", f"/api/events/{event_id}/roster", "/api/audit"]:
            r = client.get(path, headers=bearer)
            assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthenticated"), path
        r = client.post(
            f"/api/events/{event_id}/{patron_id}/attendance",
            headers=bearer,
            json={"checked_in": True},
        )
        assert r.status_code == 401
        assert client.get(f"/g/{token}").status_code == 404

    axe_page.goto(home)
    assert axe_violations(axe_page) == []
    axe_page.get_by_label("Your surname (at least 3 letters)").fill("harb")
    axe_page.get_by_role("button", name="Find my booking").click()
    assert axe_violations(axe_page) == []
