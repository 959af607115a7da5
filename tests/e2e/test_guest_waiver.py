"""A patron signs the e-waiver in a real browser (Debian's Chromium) against `scc serve`."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import SCREENSHOTS, axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WAIVER = "Sailing involves risk.\nI will wear a life jacket when the crew ask me to."


def _booking(live_server, name: str = "Robin Guest") -> tuple[object, dict, dict, dict]:
    api = live_server.login()
    template = api.post("/api/waiver-templates", json={"name": "Boat waiver", "text": WAIVER})
    assert template.status_code == 201
    event = api.post(
        "/api/events",
        json={
            "title": "Harbour Sail",
            "starts_at": "2030-07-02T10:00:00+00:00",
            "price_cents": 2500,
            "location": "Pier 9",
            "waiver_template_id": template.json()["id"],
        },
    )
    assert event.status_code == 201
    booking = api.post(
        f"/api/events/{event.json()['id']}/roster",
        json={"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com"},
    )
    assert booking.status_code == 201
    return api, template.json(), event.json(), booking.json()


def _draw_signature(page) -> None:  # noqa: ANN001
    # The pad listens once waiver.js (deferred) has run: a link's click returns when the
    # next page commits, so a drawing made before its load event can land on a bare canvas.
    page.wait_for_load_state("load")
    box = page.locator("#signature-pad").bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 16):
        page.mouse.move(x + i * 15, y + (20 if i % 2 else -20), steps=3)
    page.mouse.up()


def test_patron_signs_waiver_and_crew_sees_it(live_server, guest_page, tmp_path) -> None:
    api, template, event, booking = _booking(live_server)
    page = guest_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(booking["guest_url"])
    assert page.locator("h1").inner_text() == "Harbour Sail"
    assert page.get_by_text("Please sign the waiver before the event.").is_visible()
    page.get_by_role("link", name="Read and sign the waiver").click()
    page.wait_for_url("**/waiver")

    # submitting without a drawing is stopped in the page
    page.get_by_label("Type your full name to sign").fill("Robin Guest")
    page.get_by_label("I have read the waiver above and agree to it").check()
    page.get_by_role("button", name="Sign the waiver").click()
    assert page.locator("#pad-status").inner_text() == "Please draw your signature in the box."

    _draw_signature(page)
    page.get_by_role("button", name="Sign the waiver").click()
    page.wait_for_url("**/g/*?signed=1")
    assert page.get_by_text("Waiver signed online by Robin Guest").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "guest-signed.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the signed waiver (PDF)").click()
    pdf_path = tmp_path / "signed.pdf"
    info.value.save_as(pdf_path)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Typed name: Robin Guest" in text
    assert f"SHA-256 of text: {template['sha256']}" in text
    assert "Sailing involves risk." in text
    assert "HeadlessChrome" in text or "Chrome" in text  # the browser's user agent
    assert len(reader.pages[0].images) == 1
    assert csp_errors == []

    roster = api.get(f"/api/events/{event['id']}/roster").json()["roster"]
    assert [(r["name"], r["waiver_signed"], r["waiver_kind"]) for r in roster] == [
        ("Robin Guest", True, "electronic")
    ]
    crew_pdf = api.get(f"/api/events/{event['id']}/{booking['patron_id']}/waiver.pdf")
    assert crew_pdf.status_code == 200
    assert crew_pdf.content == pdf_path.read_bytes()


def test_guest_pages_have_no_serious_accessibility_violations(live_server, guest_axe_page) -> None:
    _api, _t, _e, booking = _booking(live_server, name="Alex Access")
    page = guest_axe_page  # axe goes in as a script tag: this page bypasses the CSP
    page.goto(booking["guest_url"])
    assert axe_violations(page) == []
    page.goto(booking["guest_url"] + "/waiver")
    page.get_by_label("I am signing for a minor (a parent or guardian signs)").check()
    assert page.get_by_label("Guardian's full name").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "guest-waiver.png"), full_page=True)
    assert axe_violations(page) == []
    page.goto(live_server.url + "/g/not-a-real-token-at-all")
    assert page.locator("h1").inner_text() == "Page not found"
    assert axe_violations(page) == []
