"""The guest link from a roster card: "Send link" (once a minute) and the QR code dialog."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import card, seed_event, sign_in


def test_send_link_once_a_minute_and_show_the_qr_code(page, live_server, api):
    seeded = seed_event(api, ["Σωκράτης Παπαδόπουλος"])
    event, patron = seeded["event"], seeded["ids"]["Σωκράτης Παπαδόπουλος"]
    sign_in(page, live_server, f"#/events/{event['id']}")
    row = card(page, patron)
    row.get_by_role("button", name="Send link").click()
    expect(page.locator("#toast-text")).to_contain_text("Guest link emailed to")
    row.get_by_role("button", name="Send link").click()
    expect(page.locator("#error-text")).to_contain_text(
        "The guest link was just sent; it can be sent again at"
    )

    row.get_by_role("button", name="QR code").click()
    dialog = page.locator("#qr-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#qr-patron")).to_have_text("Σωκράτης Παπαδόπουλος")
    img = dialog.get_by_role("img", name="QR code of Σωκράτης Παπαδόπουλος's guest link")
    expect(img).to_be_visible()
    expect(img).to_have_js_property("complete", True)
    assert img.evaluate("el => el.naturalWidth") > 0  # the server's SVG loaded
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#qr-box img")).to_have_count(0)


def test_a_live_update_that_leaves_a_card_as_it_was_keeps_a_tap_on_it(page, live_server, api):
    """A change made elsewhere that leaves a patron's card as it was (their guest link sent
    from another phone), or changes only its badges (a part payment), leaves its buttons as
    they were: a finger pressing one meanwhile still opens it. Buttons drawn again between
    the press and the release lose the tap."""
    seeded = seed_event(api, ["Ana Lima", "Bea Costa"])
    event_id, ids = seeded["event"]["id"], seeded["ids"]
    sign_in(page, live_server, f"#/events/{event_id}")
    ana, bea = card(page, ids["Ana Lima"]), card(page, ids["Bea Costa"])
    box = ana.get_by_role("button", name="QR code").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()

    r = api.post(f"/api/events/{event_id}/{ids['Ana Lima']}/send-link")
    assert r.status_code == 201, r.text
    r = api.post(f"/api/events/{event_id}/{ids['Bea Costa']}/attendance", json={"checked_in": True})
    assert r.status_code == 200, r.text
    # Bea's check-in shows, so Ana's change, made before it, has reached the page too.
    expect(bea.get_by_role("button", name="Checked in")).to_have_attribute("aria-pressed", "true")

    page.mouse.up()
    dialog = page.locator("#qr-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#qr-patron")).to_have_text("Ana Lima")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    # A change that redraws only part of the card (a part payment: its badges change, its
    # buttons do not) leaves the buttons' nodes in place. (The badges may wrap onto one more
    # line and move the buttons, so the node is what is checked here, not a press.)
    qr = ana.get_by_role("button", name="QR code")
    qr.evaluate("b => { window.qrButton = b; }")
    r = api.post(
        f"/api/events/{event_id}/{ids['Ana Lima']}/payment",
        json={"amount_cents": 1000, "method": "cash"},
    )
    assert r.status_code == 201, r.text
    expect(ana.get_by_text("Partly paid · $30.00 left")).to_be_visible()
    assert page.evaluate("() => window.qrButton.isConnected") is True
    qr.click()
    expect(dialog).to_be_visible()
